dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {  # want: E103:3
    model   = "meta-llama/Llama-3.2-1B"
    renderer = renderer.role_colon
  }
}
