dataset "chat" {
  source        = "data.jsonl"
  test_fraction = 0.1
  test_size     = 10  # want: E204:3
}
experiment "x" {
  stage "noop" "a" {}
}
