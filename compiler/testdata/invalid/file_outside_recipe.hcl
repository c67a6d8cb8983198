locals {
  prompt = file("../../go.mod")  # want: E700:12
}
experiment "x" {
  stage "noop" "a" {
    value = local.prompt
  }
}
