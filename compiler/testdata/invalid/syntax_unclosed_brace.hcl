dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {  # want: E100:16
  stage "noop" "a" {
    value = 1
  }
