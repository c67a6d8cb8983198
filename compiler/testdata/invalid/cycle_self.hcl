experiment "x" {
  stage "noop" "a" {
    value = stage.a.value  # want: E302:13
  }
}
