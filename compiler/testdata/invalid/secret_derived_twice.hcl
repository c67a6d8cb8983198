# A secret passed through two locals is one problem (E107 where the
# second local derives it), not also "not from env()" where it is used.
locals {
  key    = env("TINKER_API_KEY")
  bearer = "Bearer ${local.key}"  # want: E107:12
}
manifest "mine" {
  port "training_client" {
    adapter = "tinker"
    config {
      api_key = local.bearer
    }
  }
}
experiment "x" {
  stage "noop" "a" {}
}
