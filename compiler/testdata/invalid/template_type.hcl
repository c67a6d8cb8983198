renderer "r" {
  message "assistant" {
    template = "{{ if index == \"0\" }}BOS{{ end }}{{ content }}"  # want: E603:23 | Cannot compare an int with a string
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
