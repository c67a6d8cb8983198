# Every block type and most stage kinds, with references between them.

variable "model" {
  type    = string
  default = "Qwen/Qwen3-8B"
}

variable "learning_rate" {
  type    = number
  default = 1e-4
  validation {
    condition     = var.learning_rate > 0
    error_message = "learning_rate must be positive."
  }
}

variable "api_key" {
  type    = string
  default = env("TINKER_API_KEY")
}

locals {
  batch        = 4 * 8
  system       = trimspace(file("system_prompt.txt"))
  bearer       = "Bearer ${env("HUB_TOKEN")}"
  eval_samples = max(1, 2)
  unused_note  = local.system
}

dataset "chat" {
  source        = "file://chat.jsonl"
  format        = "messages"
  test_size     = 1
  shuffle_seed  = 7
  skip_bad_rows = true
}

dataset "prefs" {
  source = "hf://HuggingFaceH4/ultrafeedback_binarized"
  format = "comparison"
  split  = "train_prefs"
  limit  = 1000
}

renderer "chatml" {
  bos = ""
  message "system" {
    template = "<|im_start|>system\n{{ content | trim }}<|im_end|>\n"
  }
  message "user" {
    header = "<|im_start|>user\n"
    output = "{{ content }}<|im_end|>\n"
  }
  message "assistant" {
    template = <<-EOT
      <|im_start|>assistant
      {{ if thinking }}<think>{{ thinking }}</think>{{ end }}{{ content }}<|im_end|>
    EOT
  }
  stop           = ["<|im_end|>"]
  special_tokens = ["<|im_start|>", "<|im_end|>"]
}

manifest "prod" {
  port "training_client" {
    adapter = "tinker"
    config {
      api_key     = var.api_key
      base_url    = "https://tinker.example"
    }
  }
  port "sampling_client" {
    adapter = "tinker"
    config {
      api_key = var.api_key
    }
  }
}

manifest "staging" {
  extends = "prod"
  port "blob_store" {
    adapter = "s3"
    config {
      bucket   = "ckpts"
      endpoint = local.bearer
    }
  }
}

experiment "pipeline" {
  description = "SFT, evaluate, DPO, RL and distillation in one DAG"

  stage "supervised_train" "sft" {
    model         = var.model
    dataset       = dataset.chat
    renderer      = renderer.chatml
    learning_rate = var.learning_rate
    batch_size    = local.batch
    train_on      = "last_assistant_message"
    lr_schedule   = "cosine"
  }

  stage "evaluate" "eval_sft" {
    checkpoint  = stage.sft.final_checkpoint
    dataset     = dataset.chat
    scorer      = "exact_match"
    num_samples = local.eval_samples
  }

  stage "dpo_train" "dpo" {
    load_checkpoint = stage.sft.final_checkpoint
    dataset         = dataset.prefs
    dpo_beta        = 0.2
  }

  stage "rl_train" "rl" {
    load_checkpoint = stage.dpo.final_checkpoint
    env             = "arithmetic"
    loss_fn         = "ppo"
    loss_fn_config  = { clip_low_threshold = 0.8, clip_high_threshold = 1.2 }
    renderer        = renderer.qwen3
  }

  stage "distill" "student" {
    model              = "Qwen/Qwen3-4B-Instruct-2507"
    renderer           = renderer.qwen3_instruct
    teacher_checkpoint = stage.rl.final_checkpoint
    dataset            = dataset.chat
  }

  stage "sample" "samples" {
    checkpoint = stage.student.final_checkpoint
    dataset    = dataset.chat
    stop       = ["\n\n"]
    depends_on = [stage.eval_sft]
  }

  stage "noop" "report" {
    value      = stage.eval_sft.metrics
    depends_on = [stage.samples]
  }
}
