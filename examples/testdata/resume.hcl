# A short supervised run for the kill-and-resume test of the real binary
# (examples_test.go): 12 steps with a checkpoint every 3 and an
# evaluation every 4.

dataset "chat" {
  source    = "../data/chat.jsonl"
  format    = "messages"
  limit     = 400
  test_size = 40
}

experiment "resume" {
  stage "supervised_train" "train" {
    model         = "local/tiny"
    dataset       = dataset.chat
    learning_rate = 4e-3
    batch_size    = 16
    max_length    = 128
    lora_rank     = 8
    max_steps     = 12
    save_every    = 3
    eval_every    = 4
  }
}
