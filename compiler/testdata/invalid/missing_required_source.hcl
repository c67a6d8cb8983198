dataset "chat" {  # want: E103:1
  format = "messages"
}
experiment "x" {
  stage "noop" "a" {}
}
