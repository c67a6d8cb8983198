dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset    = dataset.chat
    renderer = renderer.role_colon
    batch_size = "128"  # want: E200:18 | expects int, got string
  }
}
