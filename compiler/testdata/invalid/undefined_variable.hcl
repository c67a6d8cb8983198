variable "model" {
  default = "m"
}
experiment "x" {
  stage "noop" "a" {
    value = [var.model, var.modle]  # want: E300:25 | Did you mean "model"?
  }
}
