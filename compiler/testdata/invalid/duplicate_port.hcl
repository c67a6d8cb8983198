manifest "mine" {
  port "training_client" { adapter = "local" }
  port "training_client" { adapter = "fake" }  # want: E104:8
}
experiment "x" {
  stage "noop" "a" {}
}
