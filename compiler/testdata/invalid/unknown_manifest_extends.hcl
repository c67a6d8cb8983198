manifest "mine" {
  extends = "prd"  # want: E500:13 | Did you mean "prod"?
}
experiment "x" {
  stage "noop" "a" {}
}
