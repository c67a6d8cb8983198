renderer "r" {  # want: E103:14
  message "assistant" {
    template = "{{ content }}"
  }
}
experiment "x" {
  stage "noop" "a" {}
}
