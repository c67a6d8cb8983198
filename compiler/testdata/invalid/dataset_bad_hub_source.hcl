dataset "chat" {
  source = "hf://no_robots"  # want: E203:12
}
experiment "x" {
  stage "noop" "a" {}
}
