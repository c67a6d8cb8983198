dataset "chat" {
  source = "s3://bucket/data.jsonl"  # want: E203:12
}
experiment "x" {
  stage "noop" "a" {}
}
