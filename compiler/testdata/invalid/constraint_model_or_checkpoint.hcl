dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "evaluate" "e" {  # want: E204:3
    dataset = dataset.chat
    renderer = renderer.role_colon
  }
}
