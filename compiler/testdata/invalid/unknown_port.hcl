manifest "mine" {
  port "trainin_client" {  # want: E501:8 | Did you mean "training_client"?
    adapter = "local"
  }
}
experiment "x" {
  stage "noop" "a" {}
}
