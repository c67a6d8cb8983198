manifest "mine" {
  port "trainin_client" {  # want: E501:8
    adapter = "local"
  }
}
experiment "x" {
  stage "noop" "a" {}
}
