experiment "x" {
  stage "noop" "a" {
    value = "a" * 2  # want: E205:13
  }
}
