experiment "x" {
  stage "noop" "a" {
    value = log(-1, 10)  # want: E205:13 | no result can be computed for these arguments
  }
}
