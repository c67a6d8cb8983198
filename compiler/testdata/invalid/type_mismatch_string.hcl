dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model    = 42  # want: E200:16 | expects string, got number 42
    dataset  = dataset.chat
    renderer = renderer.role_colon
  }
}
