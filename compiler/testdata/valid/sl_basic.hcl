variable "model" {
  type    = string
  default = "meta-llama/Llama-3.2-1B"
}

dataset "chat" {
  source        = "chat.jsonl"
  format        = "messages"
  test_fraction = 0.1
}

experiment "sl_basic" {
  description = "Basic supervised fine-tuning"

  stage "supervised_train" "train" {
    model         = var.model
    dataset       = dataset.chat
    renderer      = renderer.role_colon
    learning_rate = 2e-4
    batch_size    = 8
  }
}
