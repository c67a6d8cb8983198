# Supervised fine-tuning with a chat template declared in the recipe, then
# an evaluation of the trained checkpoint: held-out NLL, and answers
# generated with the checkpoint's sampler weights graded by exact match.
#
#   cookbookc run examples/chat_sl.hcl
#
# The evaluate stage refers to stage.train.final_checkpoint, which makes it
# run after training; it inherits the training stage's renderer. Every
# sampled answer and its score ends up in <run dir>/eval/samples.jsonl.

variable "model" {
  type    = string
  default = "meta-llama/Llama-3.2-1B"
}

variable "learning_rate" {
  type    = number
  default = 4e-3

  validation {
    condition     = var.learning_rate > 0 && var.learning_rate < 0.01
    error_message = "learning_rate must be in (0, 0.01)."
  }
}

dataset "chat" {
  source    = "data/chat.jsonl"
  format    = "messages"
  test_size = 200
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
    lr_schedule   = "cosine"
    warmup_steps  = 5
    num_epochs    = 2
    batch_size    = 32
    max_length    = 256
    lora_rank     = 32
    save_every    = 25
    eval_every    = 15
  }

  stage "evaluate" "eval" {
    checkpoint  = stage.train.final_checkpoint
    dataset     = dataset.chat
    split       = "test"
    scorer      = "exact_match"
    limit       = 100
    max_tokens  = 48
    temperature = 0
  }
}
