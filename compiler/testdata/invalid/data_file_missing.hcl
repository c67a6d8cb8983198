dataset "chat" {
  source = "missing/chat.jsonl"  # want: W102:12
}
experiment "x" {
  stage "noop" "a" {
    value = dataset.chat
  }
}
