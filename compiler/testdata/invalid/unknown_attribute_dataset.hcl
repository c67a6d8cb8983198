dataset "chat" {
  source = "data.jsonl"
  formt  = "messages"  # want: E102:3
}
experiment "x" {
  stage "noop" "a" {}
}
