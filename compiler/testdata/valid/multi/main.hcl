experiment "multi" {
  stage "supervised_train" "train" {
    model    = var.model
    dataset  = dataset.chat
    renderer = renderer.llama3
  }
}
