experiment "x" {
  stage "noop" "a" {
    value = 1
    value = 2  # want: E104:5
  }
}
