locals {
  a = local.b + 1
  b = local.a + 1  # want: E302:7
}
experiment "x" {
  stage "noop" "s" {
    value = local.a
  }
}
