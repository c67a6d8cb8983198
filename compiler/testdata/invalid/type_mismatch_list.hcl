dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "sample" "s" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chat
    renderer = renderer.role_colon
    stop    = ["a", 1, true]  # want: E200:15
  }
}
