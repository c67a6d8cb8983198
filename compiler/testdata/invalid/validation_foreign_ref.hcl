variable "a" {
  default = 1
  validation {
    condition     = var.b > 0  # want: E303:21
    error_message = "no"
  }
}
variable "b" {
  default = 1
}
experiment "x" {
  stage "noop" "s" {
    value = [var.a, var.b]
  }
}
