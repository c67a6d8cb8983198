dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {  # want: W101:3
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chat
  }
}
