manifest "mine" {
  port "training_client" {
    adapter = "tinkr"  # want: E502:15
  }
}
experiment "x" {
  stage "noop" "a" {}
}
