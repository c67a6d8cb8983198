experiment "x" {
  stage "noop" "a" {
    value = upper(1, 2)  # want: E205:22 | Function "upper" expects only 1 argument.
  }
}
