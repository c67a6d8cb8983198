dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model    = 42  # want: E200:16
    dataset  = dataset.chat
    renderer = renderer.role_colon
  }
}
