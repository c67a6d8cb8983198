locals {
  a = local.b + 1
  b = local.a + 1  # want: E302:7 | local.a -> local.b -> local.a
}
experiment "x" {
  stage "noop" "s" {
    value = local.a
  }
}
