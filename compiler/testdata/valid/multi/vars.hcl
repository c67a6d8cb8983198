variable "model" {
  type    = string
  default = "meta-llama/Llama-3.1-8B-Instruct"
}

dataset "chat" {
  source = "chat.jsonl"
}
