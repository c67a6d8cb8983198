dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stages "noop" "a" {}  # want: E101:3
  stage "noop" "b" {}
}
