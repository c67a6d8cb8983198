dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "train" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chat
    renderer = renderer.role_colon
  }
  stage "evaluate" "e" {
    checkpoint = stage.train  # want: E303:18
    dataset    = dataset.chat
  }
}
