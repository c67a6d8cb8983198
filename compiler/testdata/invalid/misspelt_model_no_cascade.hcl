dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    modle    = "meta-llama/Llama-3.2-1B"  # want: E102:5
    dataset  = dataset.chat
    renderer = renderer.role_colon
  }
}
