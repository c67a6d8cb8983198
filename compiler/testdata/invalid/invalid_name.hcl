dataset "my data" {  # want: E105:9
  source = "data.jsonl"
}
experiment "x" {
  stage "noop" "a" {}
}
