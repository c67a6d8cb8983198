variable "model" {
type = string
    default="meta-llama/Llama-3.2-1B"
}
dataset "chat" {
  source="data/chat.jsonl"
     format   = "messages"
  test_fraction=0.1
}
experiment "x" {
stage "supervised_train" "train" {
model = var.model   # the base model
dataset=dataset.chat
  learning_rate=2e-4
      lr_schedule = "linear"
  stop = ["a","b",
  "c"]
}
}
