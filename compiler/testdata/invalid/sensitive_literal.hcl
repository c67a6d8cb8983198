manifest "mine" {
  port "training_client" {
    adapter = "tinker"
    config {
      api_key = "sk-live-123"  # want: E208:17
    }
  }
}
experiment "x" {
  stage "noop" "a" {}
}
