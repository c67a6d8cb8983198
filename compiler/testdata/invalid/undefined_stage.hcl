dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "evaluate" "e" {
    checkpoint = stage.trian.final_checkpoint  # want: E300:18
    dataset    = dataset.chat
    renderer = renderer.role_colon
  }
}
