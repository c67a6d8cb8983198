dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "evaluate" "e" {
    checkpoint = dataset.chat  # want: E200:18 | expects checkpoint, got dataset
    dataset    = dataset.chat
    renderer = renderer.role_colon
  }
}
