variable "steps" {
  type    = number
  default = "many"  # want: E200:13
}
experiment "x" {
  stage "noop" "a" {
    value = var.steps
  }
}
