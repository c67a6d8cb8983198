# Basic supervised fine-tuning: one stage, a local chat dataset.
#
#   cookbookc check examples/sl_basic.hcl
#   cookbookc run examples/sl_basic.hcl                  # local backend, offline
#   cookbookc run examples/sl_basic.hcl --manifest prod  # the remote training service

variable "model" {
  type        = string
  default     = "meta-llama/Llama-3.2-1B"
  description = "Base model to fine-tune."
}

dataset "chat" {
  source        = "data/chat.jsonl"
  format        = "messages"
  test_fraction = 0.1
}

experiment "sl_basic" {
  description = "Basic supervised fine-tuning"

  stage "supervised_train" "train" {
    model         = var.model
    dataset       = dataset.chat
    renderer      = renderer.role_colon
    train_on      = "all_assistant_messages"
    learning_rate = 2e-4
    lr_schedule   = "linear"
    batch_size    = 8
    lora_rank     = 8
    num_epochs    = 1
    save_every    = 20
    eval_every    = 8
  }
}
