package catalog

// Values shared by several stage kinds. Defaults follow tinker-cookbook's
// config classes (see SPEC.md, "Stage kinds").
var (
	// TrainOnModes are the train_on values: which rendered tokens get
	// weight 1 in a supervised example.
	TrainOnModes = []string{
		"last_assistant_message", "last_assistant_turn", "all_assistant_messages",
		"all_messages", "all_tokens", "all_user_and_system_messages", "customized",
	}
	// LRSchedules are the lr_schedule values.
	LRSchedules = []string{"constant", "linear", "cosine"}
	// LossFns are the loss functions of the training service.
	LossFns = []string{"cross_entropy", "importance_sampling", "ppo", "cispo", "dro"}
	// PolicyLossFns are the loss functions an RL-style stage may choose.
	PolicyLossFns = []string{"importance_sampling", "ppo", "cispo", "dro"}
	// Reductions are the per-example weight reductions of a datum.
	Reductions = []string{"mean", "none"}
	// Scorers grade sampled answers in `evaluate`.
	Scorers = []string{"none", "exact_match", "contains", "regex", "numeric", "math"}
	// RLEnvs are the built-in RL environments.
	RLEnvs = []string{"arithmetic", "gsm8k", "math", "dataset"}
)

func modelField(doc string) Field {
	return Field{Name: "model", Type: String, Doc: doc}
}

func rendererField() Field {
	return Field{Name: "renderer", Type: Renderer,
		Doc: "Chat format; omitted means the model's recommended renderer (check warns which)."}
}

func loadCheckpointField() Field {
	return Field{Name: "load_checkpoint", Type: Checkpoint,
		Doc: "Start from these weights (fresh optimizer) instead of the base model."}
}

// adamFields are the optimizer inputs of every training stage kind.
func adamFields() []Field {
	return []Field{
		{Name: "adam_beta1", Type: Number, Default: 0.9, Min: AtLeast(0), Max: Below(1), Doc: "Adam beta1."},
		{Name: "adam_beta2", Type: Number, Default: 0.95, Min: AtLeast(0), Max: Below(1), Doc: "Adam beta2."},
		{Name: "adam_eps", Type: Number, Default: 1e-8, Min: Above(0), Doc: "Adam epsilon."},
		{Name: "weight_decay", Type: Number, Default: 0.0, Min: AtLeast(0), Doc: "Decoupled (AdamW) weight decay."},
		{Name: "grad_clip_norm", Type: Number, Default: 0.0, Min: AtLeast(0), Doc: "Clip the global gradient norm to this value; 0 disables clipping."},
	}
}

func cadenceFields(saveEvery, evalEvery int64) []Field {
	return []Field{
		{Name: "save_every", Type: Int, Default: saveEvery, Min: AtLeast(0), Doc: "Save a checkpoint every N steps; 0 saves only the final one."},
		{Name: "eval_every", Type: Int, Default: evalEvery, Min: AtLeast(0), Doc: "Evaluate every N steps (before the step); 0 disables."},
		{Name: "max_steps", Type: Int, Min: AtLeast(1), Doc: "Stop after this many optimizer steps."},
		{Name: "ttl_seconds", Type: Int, Default: int64(604800), Min: AtLeast(0), Doc: "Lifetime of periodic checkpoints on the training service; 0 keeps them forever."},
	}
}

func seedField() Field {
	return Field{Name: "seed", Type: Int, Default: int64(0), Doc: "Seed for shuffling, initialisation and sampling."}
}

func loraField() Field {
	return Field{Name: "lora_rank", Type: Int, Default: int64(32), Min: AtLeast(0), Doc: "LoRA rank; 0 means full fine-tuning."}
}

func samplingFields(maxTokens int64, temperature float64) []Field {
	return []Field{
		{Name: "max_tokens", Type: Int, Default: maxTokens, Min: AtLeast(1), Doc: "Maximum tokens sampled per completion."},
		{Name: "temperature", Type: Number, Default: temperature, Min: AtLeast(0), Doc: "Sampling temperature; 0 is greedy."},
		{Name: "top_p", Type: Number, Default: 1.0, Min: Above(0), Max: AtMost(1), Doc: "Nucleus sampling threshold."},
		{Name: "top_k", Type: Int, Default: int64(-1), Min: AtLeast(-1), Doc: "Keep the k most likely tokens; -1 keeps all."},
	}
}

func join(groups ...[]Field) []Field {
	var out []Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

var trainingOutputs = []Output{
	{Name: "final_checkpoint", Type: Checkpoint, Doc: "The final training state and sampler weights."},
	{Name: "metrics", Type: MapOf(Number), Doc: "The metrics of the last step."},
}

func builtinStages() []*StageKind {
	return []*StageKind{
		{
			Name:    "supervised_train",
			Summary: "Supervised fine-tuning (SFT) on a chat dataset with cross-entropy loss.",
			// hub_client: the model's tokenizer is downloaded from the hub.
			Ports: []string{PortTrainingClient, PortSamplingClient, PortDatasetStore, PortHubClient},
			Inputs: join([]Field{
				modelField("Base model to fine-tune, e.g. \"meta-llama/Llama-3.2-1B\" or \"local/tiny\"."),
				{Name: "dataset", Type: Dataset, Required: true, Doc: "Training conversations; its test split is evaluated with test/nll."},
				rendererField(),
				{Name: "train_on", Type: String, Default: "all_assistant_messages", Enum: TrainOnModes, Doc: "Which tokens are trained."},
				{Name: "learning_rate", Type: Number, Default: 1e-4, Min: Above(0), Doc: "Peak learning rate."},
				{Name: "lr_schedule", Type: String, Default: "linear", Enum: LRSchedules, Doc: "Learning-rate decay over the run."},
				{Name: "warmup_steps", Type: Int, Default: int64(0), Min: AtLeast(0), Doc: "Linear warmup steps before the schedule."},
				{Name: "num_epochs", Type: Int, Default: int64(1), Min: AtLeast(1), Doc: "Passes over the training split."},
				{Name: "batch_size", Type: Int, Default: int64(128), Min: AtLeast(1), Doc: "Sequences per optimizer step."},
				{Name: "max_length", Type: Int, Default: int64(32768), Min: AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
				{Name: "reduction", Type: String, Default: "mean", Enum: Reductions, Doc: "\"mean\" weighs each example equally; \"none\" sums over tokens."},
				loraField(),
				{Name: "submit_ahead", Type: Int, Default: int64(1), Min: AtLeast(0), Doc: "Batches submitted before the previous one is awaited; 0 disables pipelining."},
				loadCheckpointField(),
				seedField(),
			}, cadenceFields(20, 10), adamFields()),
			Outputs: trainingOutputs,
			Check:   requireModelOrCheckpoint("model", "load_checkpoint"),
		},
		{
			Name:    "evaluate",
			Summary: "Evaluate a checkpoint or model: NLL on a dataset and sampled answers graded by a scorer.",
			Ports:   []string{PortTrainingClient, PortSamplingClient, PortDatasetStore, PortHubClient},
			Inputs: join([]Field{
				{Name: "checkpoint", Type: Checkpoint, Doc: "Checkpoint to evaluate, e.g. stage.train.final_checkpoint."},
				modelField("Base model to evaluate when no checkpoint is given."),
				{Name: "dataset", Type: Dataset, Required: true, Doc: "Evaluation data."},
				{Name: "split", Type: String, Default: "test", Enum: []string{"test", "train", "all"}, Doc: "Which split of the dataset to evaluate; \"test\" falls back to all rows when the dataset has no test split."},
				rendererField(),
				{Name: "nll", Type: Bool, Default: true, Doc: "Compute the weighted mean NLL (test/nll, test/bpb)."},
				{Name: "train_on", Type: String, Default: "all_assistant_messages", Enum: TrainOnModes, Doc: "Which tokens the NLL counts."},
				{Name: "max_length", Type: Int, Default: int64(32768), Min: AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
				{Name: "scorer", Type: String, Default: "none", Enum: Scorers, Doc: "Grade sampled answers against the reference; \"none\" skips sampling."},
				{Name: "answer_pattern", Type: String, Doc: "Regular expression: for scorer \"regex\" the answer must match; for other scorers its first group extracts the answer."},
				{Name: "num_samples", Type: Int, Default: int64(1), Min: AtLeast(1), Doc: "Samples per prompt."},
				{Name: "limit", Type: Int, Default: int64(0), Min: AtLeast(0), Doc: "Evaluate at most N rows; 0 evaluates all."},
				seedField(),
			}, samplingFields(256, 0)),
			Outputs: []Output{
				{Name: "metrics", Type: MapOf(Number), Doc: "Evaluation metrics, e.g. test/nll, accuracy."},
			},
			Check: requireModelOrCheckpoint("model", "checkpoint"),
		},
		{
			Name:    "sample",
			Summary: "Sample completions for the prompts of a dataset and write them to the run directory.",
			Ports:   []string{PortSamplingClient, PortDatasetStore, PortTrainingClient, PortHubClient},
			Inputs: join([]Field{
				{Name: "checkpoint", Type: Checkpoint, Doc: "Checkpoint to sample from."},
				modelField("Base model to sample from when no checkpoint is given."),
				{Name: "dataset", Type: Dataset, Required: true, Doc: "Prompts (the conversation minus its final assistant message)."},
				rendererField(),
				{Name: "num_samples", Type: Int, Default: int64(1), Min: AtLeast(1), Doc: "Samples per prompt."},
				{Name: "stop", Type: ListOf(String), Doc: "Extra stop strings besides the renderer's."},
				{Name: "limit", Type: Int, Default: int64(0), Min: AtLeast(0), Doc: "Sample at most N prompts; 0 samples all."},
				seedField(),
			}, samplingFields(256, 1)),
			Outputs: []Output{
				{Name: "samples", Type: String, Doc: "Path of samples.jsonl in the run directory."},
				{Name: "count", Type: Int, Doc: "Number of completions written."},
			},
			Check: requireModelOrCheckpoint("model", "checkpoint"),
		},
		{
			Name:    "rl_train",
			Summary: "GRPO-style reinforcement learning: sample groups, centre rewards per group, train with a policy loss.",
			Ports:   []string{PortTrainingClient, PortSamplingClient, PortDatasetStore},
			Inputs: join([]Field{
				modelField("Base model of the policy."),
				{Name: "env", Type: String, Default: "dataset", Enum: RLEnvs, Doc: "Environment: a built-in task or \"dataset\" (question/answer rows)."},
				{Name: "dataset", Type: Dataset, Doc: "Problems for env = \"dataset\" (and gsm8k/math when given locally)."},
				rendererField(),
				{Name: "learning_rate", Type: Number, Default: 4e-5, Min: Above(0), Doc: "Constant learning rate."},
				{Name: "group_size", Type: Int, Default: int64(4), Min: AtLeast(1), Doc: "Rollouts per problem."},
				{Name: "groups_per_batch", Type: Int, Default: int64(100), Min: AtLeast(1), Doc: "Problems per step."},
				{Name: "loss_fn", Type: String, Default: "importance_sampling", Enum: PolicyLossFns, Doc: "Policy-gradient loss."},
				{Name: "loss_fn_config", Type: MapOf(Number), Doc: "Loss options, e.g. clip_low_threshold, clip_high_threshold."},
				{Name: "num_substeps", Type: Int, Default: int64(1), Min: AtLeast(1), Doc: "Optimizer steps per batch."},
				{Name: "kl_penalty_coef", Type: Number, Default: 0.0, Min: AtLeast(0), Doc: "Penalty on KL to the reference model."},
				{Name: "kl_discount_factor", Type: Number, Default: 0.0, Min: AtLeast(0), Max: Below(1), Doc: "Discount of the future KL penalty."},
				{Name: "kl_reference", Type: Checkpoint, Doc: "Reference weights for the KL penalty (default: the starting weights)."},
				{Name: "format_coef", Type: Number, Default: 0.1, Min: AtLeast(0), Doc: "Penalty for a badly formatted answer."},
				{Name: "remove_constant_reward_groups", Type: Bool, Default: false, Doc: "Drop groups whose rewards are all equal."},
				loraField(),
				loadCheckpointField(),
				seedField(),
			}, cadenceFields(20, 20), adamFields(), samplingFields(256, 1)),
			Outputs: trainingOutputs,
			Check:   requireModelOrCheckpoint("model", "load_checkpoint"),
		},
		{
			Name:    "dpo_train",
			Summary: "Direct Preference Optimization on chosen/rejected pairs against a frozen reference.",
			Ports:   []string{PortTrainingClient, PortSamplingClient, PortDatasetStore},
			Inputs: join([]Field{
				modelField("Base model to train."),
				{Name: "dataset", Type: Dataset, Required: true, Doc: "Preference comparisons."},
				rendererField(),
				{Name: "learning_rate", Type: Number, Default: 1e-5, Min: Above(0), Doc: "Peak learning rate."},
				{Name: "lr_schedule", Type: String, Default: "linear", Enum: LRSchedules, Doc: "Learning-rate decay over the run."},
				{Name: "warmup_steps", Type: Int, Default: int64(0), Min: AtLeast(0), Doc: "Linear warmup steps before the schedule."},
				{Name: "num_epochs", Type: Int, Default: int64(1), Min: AtLeast(1), Doc: "Passes over the data."},
				{Name: "batch_size", Type: Int, Default: int64(256), Min: AtLeast(1), Doc: "Pairs per optimizer step."},
				{Name: "max_length", Type: Int, Default: int64(8192), Min: AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
				{Name: "dpo_beta", Type: Number, Default: 0.1, Min: Above(0), Doc: "DPO temperature beta."},
				{Name: "reference", Type: Checkpoint, Doc: "Reference weights (default: the starting weights)."},
				loraField(),
				loadCheckpointField(),
				seedField(),
			}, cadenceFields(20, 10), adamFields()),
			Outputs: trainingOutputs,
			Check:   requireModelOrCheckpoint("model", "load_checkpoint"),
		},
		{
			Name:    "distill",
			Summary: "On-policy distillation: the student samples, a teacher's logprobs give a reverse-KL penalty.",
			Ports:   []string{PortTrainingClient, PortSamplingClient, PortDatasetStore},
			Inputs: join([]Field{
				modelField("Base model of the student."),
				{Name: "teacher_model", Type: String, Doc: "Teacher base model."},
				{Name: "teacher_checkpoint", Type: Checkpoint, Doc: "Teacher weights (instead of teacher_model)."},
				{Name: "dataset", Type: Dataset, Required: true, Doc: "Prompts."},
				rendererField(),
				{Name: "learning_rate", Type: Number, Default: 1e-4, Min: Above(0), Doc: "Constant learning rate."},
				{Name: "group_size", Type: Int, Default: int64(4), Min: AtLeast(1), Doc: "Samples per prompt."},
				{Name: "groups_per_batch", Type: Int, Default: int64(64), Min: AtLeast(1), Doc: "Prompts per step."},
				{Name: "kl_penalty_coef", Type: Number, Default: 1.0, Min: AtLeast(0), Doc: "Weight of the reverse KL to the teacher."},
				{Name: "kl_discount_factor", Type: Number, Default: 0.0, Min: AtLeast(0), Max: Below(1), Doc: "Discount of the future KL."},
				{Name: "loss_fn", Type: String, Default: "importance_sampling", Enum: PolicyLossFns, Doc: "Policy-gradient loss."},
				{Name: "num_substeps", Type: Int, Default: int64(1), Min: AtLeast(1), Doc: "Optimizer steps per batch."},
				{Name: "max_prompt_tokens", Type: Int, Default: int64(1024), Min: AtLeast(1), Doc: "Drop prompts longer than this."},
				loraField(),
				loadCheckpointField(),
				seedField(),
			}, cadenceFields(20, 20), adamFields(), samplingFields(256, 1)),
			Outputs: trainingOutputs,
			Check: func(in map[string]any) []Problem {
				p := requireModelOrCheckpoint("model", "load_checkpoint")(in)
				return append(p, requireModelOrCheckpoint("teacher_model", "teacher_checkpoint")(in)...)
			},
		},
		{
			Name:    "noop",
			Summary: "Does nothing and passes its value through; for testing pipelines and grouping dependencies.",
			Inputs: []Field{
				{Name: "value", Type: Any, Doc: "Any value; returned as the output `value`."},
				{Name: "sleep_ms", Type: Int, Default: int64(0), Min: AtLeast(0), Doc: "Wait this long (cancellable) before finishing."},
			},
			Outputs: []Output{{Name: "value", Type: Any, Doc: "The input value."}},
		},
	}
}

// requireModelOrCheckpoint returns a Check that demands at least one of
// two inputs.
func requireModelOrCheckpoint(model, checkpoint string) func(map[string]any) []Problem {
	return func(in map[string]any) []Problem {
		_, hasModel := in[model]
		_, hasCheckpoint := in[checkpoint]
		if hasModel || hasCheckpoint {
			return nil
		}
		return []Problem{{
			Summary: "Missing " + model,
			Detail:  "Set " + model + " (a base model name) or " + checkpoint + " (weights from another stage).",
		}}
	}
}

// datasetFields is the schema of a `dataset` block.
func datasetFields() []Field {
	return []Field{
		{Name: "source", Type: String, Required: true, Doc: "Where the rows come from: a path or file:// URI relative to the recipe, or a hub dataset hf://ORG/NAME[@REVISION][#SUBSET]."},
		{Name: "format", Type: String, Default: "auto", Enum: []string{"auto", "messages", "prompt_completion", "instruction", "input_output", "comparison", "question_answer"}, Doc: "Row format; \"auto\" detects it from the first row."},
		{Name: "file_format", Type: String, Default: "auto", Enum: []string{"auto", "jsonl", "json", "csv", "parquet"}, Doc: "File format; \"auto\" uses the file extension."},
		{Name: "split", Type: String, Default: "train", Doc: "Split to read from a hub dataset: the files whose names say it (train, test, validation, ...)."},
		{Name: "test_fraction", Type: Number, Min: AtLeast(0), Max: Below(1), Doc: "Hold out this fraction of rows as the test split."},
		{Name: "test_size", Type: Int, Min: AtLeast(0), Doc: "Hold out this many rows as the test split."},
		{Name: "shuffle_seed", Type: Int, Default: int64(0), Doc: "Seed of the shuffle before the split and of each epoch's order."},
		{Name: "limit", Type: Int, Min: AtLeast(0), Doc: "Use only the first N rows."},
		{Name: "skip_bad_rows", Type: Bool, Default: false, Doc: "Skip malformed rows (the run reports how many) instead of failing."},
	}
}
