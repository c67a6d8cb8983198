variable "greeting" {
  type    = string
  default = "hello"
}

experiment "two" {
  stage "noop" "first" {
    value = var.greeting
  }

  stage "noop" "second" {
    value = stage.first.value
  }
}
