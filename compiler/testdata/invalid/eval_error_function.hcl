experiment "x" {
  stage "noop" "a" {
    value = upper(1, 2)  # want: E205:22
  }
}
