manifest "mine" {
  port "training_client" {
    adapter = "local"
    config {
      device  = "gpu"  # want: E202:17
      threads = 0  # want: E201:17
    }
  }
}
experiment "x" {
  stage "noop" "a" {}
}
