experiment "x" {
  stage "noop" "a" {}
}
experiment "x" {  # want: E104:12 | There is already an experiment named "x"
  stage "noop" "a" {}
}
