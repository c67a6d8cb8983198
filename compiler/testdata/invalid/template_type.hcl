renderer "r" {
  message "assistant" {
    template = "{{ if index == \"0\" }}BOS{{ end }}{{ content }}"  # want: E603:23
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
