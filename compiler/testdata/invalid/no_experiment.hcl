dataset "chat" {  # want: E400:1
  source = "data.jsonl"
}
