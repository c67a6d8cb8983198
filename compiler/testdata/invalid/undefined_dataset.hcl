dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chta  # want: E300:15 | Did you mean "chat"?
    renderer = renderer.role_colon
  }
}
