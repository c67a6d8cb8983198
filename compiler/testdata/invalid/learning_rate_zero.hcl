dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset       = dataset.chat
    renderer = renderer.role_colon
    learning_rate = 0  # want: E201:21 | must be > 0; got 0
  }
}
