variable "lr" {
  type    = number
  default = 0.5  # want: E206:13
  validation {
    condition     = var.lr < 0.01
    error_message = "lr must be below 0.01."
  }
}
experiment "x" {
  stage "noop" "a" {
    value = var.lr
  }
}
