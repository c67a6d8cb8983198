dataset "chat" {
  source = "data.jsonl"
}
dataset "other" {
  source = "data.jsonl"
}
experiment "x" {
  stage "evaluate" "e" {
    model   = "meta-llama/Llama-3.2-1B"
    renderer = renderer.role_colon
    dataset = true ? dataset.chat : dataset.other  # want: E107:22 E107:37
  }
}
