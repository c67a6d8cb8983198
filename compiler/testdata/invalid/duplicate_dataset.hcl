dataset "chat" {
  source = "data.jsonl"
}
dataset "chat" {  # want: E104:9 | There is already a dataset named "chat"
  source = "data.jsonl"
}
experiment "x" {
  stage "noop" "a" {}
}
