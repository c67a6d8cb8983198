dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_train" "train" {
    model   = "meta-llama/Llama-3.2-1B"
    dataset = dataset.chat
    renderer = renderer.role_colon
  }
  stage "evaluate" "e" {
    checkpoint = stage.train.final_ckpt  # want: E301:18 | Did you mean "final_checkpoint"?
    dataset    = dataset.chat
  }
}
