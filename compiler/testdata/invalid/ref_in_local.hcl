dataset "chat" {
  source = "data.jsonl"
}
locals {
  d = dataset.chat  # want: E107:7
}
experiment "x" {
  stage "noop" "a" {
    value = local.d
  }
}
