dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chat
    renderer = renderer.role_colon
    lerning_rate = 1e-4  # want: E102:5 | Did you mean "learning_rate"?
  }
}
