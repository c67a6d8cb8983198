dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "train" {
    model      = "meta-llama/Llama-3.2-1B"
    dataset    = dataset.chat
    renderer   = renderer.role_colon
    batch_size = null  # want: E200:18 | Input "batch_size" must be an int, not null.
  }
}
