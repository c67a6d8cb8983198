variable "model" {  # want: E103:1
  type = string
}
variable "other" {}  # want: E103:1
experiment "x" {
  stage "noop" "a" {
    value = [var.model, var.other]
  }
}
