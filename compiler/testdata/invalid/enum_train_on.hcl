dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "t" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset  = dataset.chat
    renderer = renderer.role_colon
    train_on = "all_assistant"  # want: E202:16 | Did you mean "all_assistant_messages"?
  }
}
