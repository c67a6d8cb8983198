variable "lr" {
  type    = number
  default = "fast"  # want: E200:13
}
dataset "chat" {
  source = "data.jsonl"
}
experiment "x" {
  stage "supervised" "t" {  # want: E402:9
    learning_rate = var.lr
  }
  stage "evaluate" "e" {
    checkpoint = stage.t.final_checkpoint
    dataset    = dataset.chta  # want: E300:18
    renderer = renderer.role_colon
  }
  stage "noop" "n" {
    value = var.lr
  }
}
