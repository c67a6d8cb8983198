dataset "chat" {
  source = "data.jsonl"
}
dataset "chat" {  # want: E104:9
  source = "data.jsonl"
}
experiment "x" {
  stage "noop" "a" {}
}
