dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stages "noop" "a" {}  # want: E101:3 | Did you mean "stage"?
  stage "noop" "b" {}
}
