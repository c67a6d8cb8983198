locals {
  a = 1
}
experiment "x" {
  stage "noop" "a" {
    value = local.a + local.b  # want: E300:23
  }
}
