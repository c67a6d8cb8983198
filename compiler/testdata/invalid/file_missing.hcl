locals {
  prompt = file("prompt.txt")  # want: E701:12
}
experiment "x" {
  stage "noop" "a" {
    value = local.prompt
  }
}
