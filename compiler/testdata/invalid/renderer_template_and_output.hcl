renderer "r" {
  message "assistant" {
    template = "A: {{ content }}"
    output   = "{{ content }}"  # want: E604:5
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
