variable "x" {
  type    = number
  default = "a"  # want: E200:13
}
renderer "r" {
  message "assistant" {
    template = "{{ content }}"
  }
  stop           = [env("STOP")]  # want: E203:20
  special_tokens = [var.x]
}
experiment "e" {
  stage "noop" "a" {}
}
