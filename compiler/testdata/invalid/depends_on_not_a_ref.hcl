experiment "x" {
  stage "noop" "a" {}
  stage "noop" "b" {
    depends_on = ["a"]  # want: E303:19
  }
}
