dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = "chat"  # want: E200:15
    renderer = renderer.role_colon
  }
}
