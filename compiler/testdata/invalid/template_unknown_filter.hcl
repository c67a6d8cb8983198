renderer "r" {
  message "assistant" {
    template = <<-EOT
      {{ role | capitalise }}:  # want: E602:17
      {{ content }}
    EOT
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
