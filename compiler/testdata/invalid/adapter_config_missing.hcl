manifest "mine" {
  port "blob_store" {  # want: E503:3
    adapter = "s3"
  }
}
experiment "x" {
  stage "noop" "a" {}
}
