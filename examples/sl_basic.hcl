# Basic supervised fine-tuning: one stage, a local chat dataset.
#
#   cookbookc check examples/sl_basic.hcl
#   cookbookc run examples/sl_basic.hcl                  # local backend, offline (well under a minute of training)
#   cookbookc run examples/sl_basic.hcl --manifest prod --var learning_rate=2e-4
#
# On the local backend meta-llama/Llama-3.2-1B runs on the stand-in
# local/tiny (about 1M parameters, byte-level), and the run says so. The
# learning rate below is tuned for that stand-in; a real 1B model wants a
# smaller one (tinker-cookbook's sl_basic uses 2e-4).
#
# The data is examples/data/chat.jsonl, made by examples/data/gen: 2,000
# templated questions and answers (arithmetic, unit conversions, capitals,
# word games). 200 of them are held out; test/nll on them falls by well
# over 30% within the run.

variable "model" {
  type        = string
  default     = "meta-llama/Llama-3.2-1B"
  description = "Base model to fine-tune."
}

variable "learning_rate" {
  type        = number
  default     = 4e-3
  description = "Peak learning rate (tuned for the local stand-in)."
}

dataset "chat" {
  source    = "data/chat.jsonl"
  format    = "messages"
  test_size = 200
}

experiment "sl_basic" {
  description = "Basic supervised fine-tuning"

  stage "supervised_train" "train" {
    model         = var.model
    dataset       = dataset.chat
    renderer      = renderer.role_colon
    train_on      = "all_assistant_messages"
    learning_rate = var.learning_rate
    lr_schedule   = "linear"
    num_epochs    = 1
    batch_size    = 32
    max_length    = 256
    lora_rank     = 32
    save_every    = 20
    eval_every    = 10
  }
}
