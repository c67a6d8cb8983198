renderer "r" {
  message "assistant" {
    template = "A: {{ role }}{{ if is_last }}!{{ end }}"  # want: E604:16
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
