manifest "mine" {
  extends = "prd"  # want: E500:13
}
experiment "x" {
  stage "noop" "a" {}
}
