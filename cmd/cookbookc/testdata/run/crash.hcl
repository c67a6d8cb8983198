# A multi-stage recipe for the interpreter's crash and CLI tests; run it on
# the test manifest (deterministic fakes): cookbookc run crash.hcl --manifest test

dataset "chat" {
  source        = "chat.jsonl"
  format        = "messages"
  test_fraction = 0.1
}

experiment "crash" {
  stage "noop" "prepare" {
    value    = "ready"
    sleep_ms = 20
  }

  stage "supervised_train" "train_a" {
    model         = "fake/tiny"
    dataset       = dataset.chat
    renderer      = renderer.role_colon
    batch_size    = 4
    num_epochs    = 2
    save_every    = 3
    eval_every    = 4
    lora_rank     = 4
    learning_rate = 1e-3
    depends_on    = [stage.prepare]
  }

  stage "supervised_train" "train_b" {
    model         = "fake/tiny"
    dataset       = dataset.chat
    renderer      = renderer.role_colon
    batch_size    = 8
    num_epochs    = 1
    save_every    = 2
    lora_rank     = 4
    learning_rate = 5e-4
  }

  stage "evaluate" "eval_a" {
    checkpoint = stage.train_a.final_checkpoint
    dataset    = dataset.chat
    scorer     = "exact_match"
    limit      = 4
    max_tokens = 16
  }

  stage "sample" "sample_b" {
    checkpoint = stage.train_b.final_checkpoint
    dataset    = dataset.chat
    limit      = 3
    max_tokens = 12
  }

  stage "noop" "join" {
    value      = stage.eval_a.metrics
    depends_on = [stage.sample_b, stage.prepare]
  }
}
