manifest "a" {
  extends = "b"  # want: E302:13 | a -> b -> a
}
manifest "b" {
  extends = "a"
}
experiment "x" {
  stage "noop" "s" {}
}
