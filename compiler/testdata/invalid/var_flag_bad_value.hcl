# option: var steps=abc(
# want-cmdline: E207
variable "steps" {
  type    = number
  default = 1
}
experiment "x" {
  stage "noop" "a" {
    value = var.steps
  }
}
