dataset "chat" {
  source = "file://empty.jsonl"  # want: E702:12 | empty.jsonl is empty
}
experiment "x" {
  stage "noop" "a" {
    value = dataset.chat
  }
}
