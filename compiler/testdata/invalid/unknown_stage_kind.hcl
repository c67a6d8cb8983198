dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised_trian" "t" {  # want: E402:9 | Did you mean "supervised_train"?
    model = 1
  }
  stage "evaluate" "e" {
    checkpoint = stage.t.final_checkpoint
    dataset    = dataset.chat
    renderer = renderer.role_colon
  }
}
