dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset     = dataset.chat
    renderer = renderer.role_colon
    lr_schedule = "cosin"  # want: E202:19 | Did you mean "cosine"?
  }
}
