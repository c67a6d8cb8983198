# Grep test: a secret from the environment flows into stage inputs, logs,
# outputs and an adapter error; none of it may reach the run directory or
# the terminal.

dataset "chat" {
  source = "chat.jsonl"
  format = "messages"
}

manifest "failing" {
  extends = "test"
  port "training_client" {
    adapter = "fake"
    config {
      fail_op = "create_model"
    }
  }
}

experiment "secret" {
  stage "noop" "key" {
    value = env("COOKBOOKC_TEST_API_KEY")
  }

  stage "noop" "use_key" {
    value = stage.key.value
  }

  stage "supervised_train" "train" {
    model      = env("COOKBOOKC_TEST_API_KEY")
    dataset    = dataset.chat
    renderer   = renderer.role_colon
    batch_size = 8
    lora_rank  = 4
  }
}
