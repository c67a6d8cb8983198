dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "rl_train" "rl" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chat
    renderer = renderer.role_colon
    loss_fn = "cross_entropy"  # want: E202:15
  }
}
