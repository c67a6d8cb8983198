dataset "chat" {
  source = "data.jsonl"
}
experimnt "x" {  # want: E101:1 | Did you mean "experiment"?
}
