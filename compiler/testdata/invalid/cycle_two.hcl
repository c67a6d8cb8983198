experiment "x" {
  stage "noop" "a" {
    value = stage.b.value
  }
  stage "noop" "b" {
    value = stage.a.value  # want: E302:13
  }
}
