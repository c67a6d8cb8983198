dataset "chat" {
  source        = "data.jsonl"
  test_fraction = 1.0  # want: E201:19
}
experiment "x" {
  stage "noop" "a" {}
}
