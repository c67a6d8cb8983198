experiment "x" {
  stage "noop" {}  # want: E105:16
}
