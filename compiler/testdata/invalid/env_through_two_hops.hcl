locals {
  key    = env("TINKER_API_KEY")
  bearer = "Bearer ${local.key}"  # want: E107:12
}
manifest "mine" {
  port "training_client" {
    adapter = "tinker"
    config {
      api_key = local.key
    }
  }
}
experiment "x" {
  stage "noop" "a" {
    value = local.bearer
  }
}
