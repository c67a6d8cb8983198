manifest "mine" {
  port "training_client" {
    adapter = "tinkr"  # want: E502:15 | Did you mean "tinker"?
  }
}
experiment "x" {
  stage "noop" "a" {}
}
