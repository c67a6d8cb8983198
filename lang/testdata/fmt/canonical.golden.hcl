# Supervised fine-tuning, then an evaluation of the trained checkpoint.
# The evaluate stage refers to stage.train.final_checkpoint, which makes it
# run after training; it inherits the training stage's renderer.

variable "model" {
  type    = string
  default = "meta-llama/Llama-3.2-1B"
}

variable "learning_rate" {
  type    = number
  default = 2e-4

  validation {
    condition     = var.learning_rate > 0 && var.learning_rate < 0.01
    error_message = "learning_rate must be in (0, 0.01)."
  }
}

dataset "chat" {
  source        = "data/chat.jsonl"
  format        = "messages"
  test_fraction = 0.1
}

renderer "chatml" {
  message "system" {
    template = "<|im_start|>system\n{{ content }}<|im_end|>\n"
  }
  message "user" {
    template = "<|im_start|>user\n{{ content }}<|im_end|>\n"
  }
  message "assistant" {
    header = "<|im_start|>assistant\n"
    output = "{{ if thinking }}<think>\n{{ thinking }}\n</think>\n\n{{ end }}{{ content }}<|im_end|>\n"
  }
  generation_prefix = "<|im_start|>assistant\n"
  stop              = ["<|im_end|>"]
  special_tokens    = ["<|im_start|>", "<|im_end|>"]
}

experiment "chat_sl" {
  description = "Fine-tune on chat data, then evaluate the result"

  stage "supervised_train" "train" {
    model         = var.model
    dataset       = dataset.chat
    renderer      = renderer.chatml
    learning_rate = var.learning_rate
    batch_size    = 8
    lora_rank     = 8
  }

  stage "evaluate" "eval" {
    checkpoint = stage.train.final_checkpoint
    dataset    = dataset.chat
    split      = "test"
  }
}
