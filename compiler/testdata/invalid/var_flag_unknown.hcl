# option: var modle=x
# want-cmdline: E207
variable "model" {
  default = "m"
}
experiment "x" {
  stage "noop" "a" {
    value = var.model
  }
}
