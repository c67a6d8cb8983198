manifest "a" {
  extends = "b"  # want: E302:13
}
manifest "b" {
  extends = "a"
}
experiment "x" {
  stage "noop" "s" {}
}
