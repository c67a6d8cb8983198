dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "train" {
    model    = "Qwen/Qwen3-8B"
    dataset  = dataset.chat
    renderer = renderer.role_colon
  }
  stage "evaluate" "e" {
    checkpoint = stage.train.metrics  # want: E200:18 | expects checkpoint, got map(number)
    dataset    = dataset.chat
    renderer   = renderer.role_colon
  }
}
