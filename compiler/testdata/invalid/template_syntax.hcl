renderer "r" {
  message "assistant" {
    template = "<|start|>\n\t{{ content + 1 }}"  # want: E600:41
  }
  stop = ["<|end|>"]
}
experiment "x" {
  stage "noop" "a" {}
}
