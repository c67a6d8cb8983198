dataset "chat" {
  source = "data.jsonl"
  formt  = "messages"  # want: E102:3 | Did you mean "format"?
}
experiment "x" {
  stage "noop" "a" {}
}
