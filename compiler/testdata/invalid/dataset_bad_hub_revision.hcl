dataset "chat" {
  source = "hf://org/chat@../main"  # want: E203:12 | revision "../main" has an invalid part ".."
}

experiment "e" {
  stage "supervised_train" "train" {
    model    = "local/tiny"
    dataset  = dataset.chat
    renderer = renderer.role_colon
  }
}
