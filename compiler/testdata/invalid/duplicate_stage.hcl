experiment "x" {
  stage "noop" "a" {}
  stage "noop" "a" {}  # want: E104:16
}
