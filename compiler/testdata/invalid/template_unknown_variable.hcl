renderer "r" {
  message "assistant" {
    template = "<|im_start|>{{ rol }}\n{{ content }}"  # want: E601:32
  }
  stop = ["<|im_end|>"]
}
experiment "x" {
  stage "noop" "a" {}
}
