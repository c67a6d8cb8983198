renderer "chatml" {
  message "user" { template = "<|im_start|>user\n{{ content }}<|im_end|>\n" }
  message "assistant" {
    header = "<|im_start|>assistant\n"
    output = <<-EOT
      {{ content }}<|im_end|>
    EOT
  }
  stop = ["<|im_end|>"]
}
