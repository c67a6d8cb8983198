renderer "r" {
  message "assistant" {
    header = "A: "
    output = "{{ if thinking }}{{ thinking }}{{ content }}"  # want: E600:15
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
