experiment "x" {
  stage "noop" "a" {
    value = vars.model  # want: E300:13
  }
}
