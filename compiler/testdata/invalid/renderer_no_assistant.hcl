renderer "r" {  # want: E604:1
  message "user" {
    template = "U: {{ content }}"
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
