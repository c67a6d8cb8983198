renderer "r" {
  message "assistant" {
    template = "A: {{ if is_last }}{{ content }}{{ end }}"  # want: E604:16
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
