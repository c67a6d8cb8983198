manifest "mine" {
  port "blob_store" {
    adapter = "s3"
    config {
      bucket = "ckpts"
      endpont = "http://localhost:9000"  # want: E503:7 | Did you mean "endpoint"?
    }
  }
}
experiment "x" {
  stage "noop" "a" {}
}
