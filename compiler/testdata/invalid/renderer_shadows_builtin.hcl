renderer "llama3" {  # want: E104:10
  message "assistant" {
    template = "{{ content }}"
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
