package catalog

import "github.com/cookbookc/cookbookc/lang/schema"

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

func modelField(doc string) schema.Field {
	return schema.Field{Name: "model", Type: schema.String, Doc: doc}
}

func rendererField() schema.Field {
	return schema.Field{Name: "renderer", Type: schema.Renderer,
		Doc: "Chat format; omitted means the model's recommended renderer (check warns which)."}
}

func loadCheckpointField() schema.Field {
	return schema.Field{Name: "load_checkpoint", Type: schema.Checkpoint,
		Doc: "Start from these weights (fresh optimizer) instead of the base model."}
}

// adamFields are the optimizer inputs of every training stage kind.
func adamFields() []schema.Field {
	return []schema.Field{
		{Name: "adam_beta1", Type: schema.Number, Default: 0.9, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Adam beta1."},
		{Name: "adam_beta2", Type: schema.Number, Default: 0.95, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Adam beta2."},
		{Name: "adam_eps", Type: schema.Number, Default: 1e-8, Min: schema.Above(0), Doc: "Adam epsilon."},
		{Name: "weight_decay", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Doc: "Decoupled (AdamW) weight decay."},
		{Name: "grad_clip_norm", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Doc: "Clip the global gradient norm to this value; 0 disables clipping."},
	}
}

func cadenceFields(saveEvery, evalEvery int64) []schema.Field {
	return []schema.Field{
		{Name: "save_every", Type: schema.Int, Default: saveEvery, Min: schema.AtLeast(0), Doc: "Save a checkpoint every N steps; 0 saves only the final one."},
		{Name: "eval_every", Type: schema.Int, Default: evalEvery, Min: schema.AtLeast(0), Doc: "Evaluate every N steps (before the step); 0 disables."},
		{Name: "max_steps", Type: schema.Int, Min: schema.AtLeast(1), Doc: "Stop after this many optimizer steps."},
		{Name: "ttl_seconds", Type: schema.Int, Default: int64(604800), Min: schema.AtLeast(0), Doc: "Lifetime of periodic checkpoints on the training service; 0 keeps them forever."},
	}
}

func seedField() schema.Field {
	return schema.Field{Name: "seed", Type: schema.Int, Default: int64(0), Doc: "Seed for shuffling, initialisation and sampling."}
}

func loraField() schema.Field {
	return schema.Field{Name: "lora_rank", Type: schema.Int, Default: int64(32), Min: schema.AtLeast(0), Doc: "LoRA rank; 0 means full fine-tuning."}
}

func samplingFields(maxTokens int64, temperature float64) []schema.Field {
	return []schema.Field{
		{Name: "max_tokens", Type: schema.Int, Default: maxTokens, Min: schema.AtLeast(1), Doc: "Maximum tokens sampled per completion."},
		{Name: "temperature", Type: schema.Number, Default: temperature, Min: schema.AtLeast(0), Doc: "Sampling temperature; 0 is greedy."},
		{Name: "top_p", Type: schema.Number, Default: 1.0, Min: schema.Above(0), Max: schema.AtMost(1), Doc: "Nucleus sampling threshold."},
		{Name: "top_k", Type: schema.Int, Default: int64(-1), Min: schema.AtLeast(-1), Doc: "Keep the k most likely tokens; -1 keeps all."},
	}
}

func join(groups ...[]schema.Field) []schema.Field {
	var out []schema.Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

var trainingOutputs = []schema.Output{
	{Name: "final_checkpoint", Type: schema.Checkpoint, Doc: "The final training state and sampler weights."},
	{Name: "metrics", Type: schema.MapOf(schema.Number), Doc: "The metrics of the last step."},
}

func builtinStages() []*schema.StageKind {
	return []*schema.StageKind{
		{
			Name:    "supervised_train",
			Summary: "Supervised fine-tuning (SFT) on a chat dataset with cross-entropy loss.",
			// hub_client: the model's tokenizer is downloaded from the hub.
			Ports: []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore, schema.PortHubClient},
			Inputs: join([]schema.Field{
				modelField("Base model to fine-tune, e.g. \"meta-llama/Llama-3.2-1B\" or \"local/tiny\"."),
				{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Training conversations; its test split is evaluated with test/nll."},
				rendererField(),
				{Name: "train_on", Type: schema.String, Default: "all_assistant_messages", Enum: TrainOnModes, Doc: "Which tokens are trained."},
				{Name: "learning_rate", Type: schema.Number, Default: 1e-4, Min: schema.Above(0), Doc: "Peak learning rate."},
				{Name: "lr_schedule", Type: schema.String, Default: "linear", Enum: LRSchedules, Doc: "Learning-rate decay over the run."},
				{Name: "warmup_steps", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Linear warmup steps before the schedule."},
				{Name: "num_epochs", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Passes over the training split."},
				{Name: "batch_size", Type: schema.Int, Default: int64(128), Min: schema.AtLeast(1), Doc: "Sequences per optimizer step."},
				{Name: "max_length", Type: schema.Int, Default: int64(32768), Min: schema.AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
				{Name: "reduction", Type: schema.String, Default: "mean", Enum: Reductions, Doc: "\"mean\" weighs each example equally; \"none\" sums over tokens."},
				loraField(),
				{Name: "submit_ahead", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(0), Doc: "Batches submitted before the previous one is awaited; 0 disables pipelining."},
				loadCheckpointField(),
				seedField(),
			}, cadenceFields(20, 10), adamFields()),
			Outputs: trainingOutputs,
			Check:   requireModelOrCheckpoint("model", "load_checkpoint"),
		},
		{
			Name:    "evaluate",
			Summary: "Evaluate a checkpoint or model: NLL on a dataset and sampled answers graded by a scorer.",
			Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore, schema.PortHubClient},
			Inputs: join([]schema.Field{
				{Name: "checkpoint", Type: schema.Checkpoint, Doc: "Checkpoint to evaluate, e.g. stage.train.final_checkpoint."},
				modelField("Base model to evaluate when no checkpoint is given."),
				{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Evaluation data."},
				{Name: "split", Type: schema.String, Default: "test", Enum: []string{"test", "train", "all"}, Doc: "Which split of the dataset to evaluate; \"test\" falls back to all rows when the dataset has no test split."},
				rendererField(),
				{Name: "nll", Type: schema.Bool, Default: true, Doc: "Compute the weighted mean NLL (test/nll, test/bpb)."},
				{Name: "train_on", Type: schema.String, Default: "all_assistant_messages", Enum: TrainOnModes, Doc: "Which tokens the NLL counts."},
				{Name: "max_length", Type: schema.Int, Default: int64(32768), Min: schema.AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
				{Name: "scorer", Type: schema.String, Default: "none", Enum: Scorers, Doc: "Grade sampled answers against the reference; \"none\" skips sampling."},
				{Name: "answer_pattern", Type: schema.String, Doc: "Regular expression: for scorer \"regex\" the answer must match; for other scorers its first group extracts the answer."},
				{Name: "num_samples", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Samples per prompt."},
				{Name: "limit", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Evaluate at most N rows; 0 evaluates all."},
				seedField(),
			}, samplingFields(256, 0)),
			Outputs: []schema.Output{
				{Name: "metrics", Type: schema.MapOf(schema.Number), Doc: "Evaluation metrics, e.g. test/nll, accuracy."},
			},
			Check: requireModelOrCheckpoint("model", "checkpoint"),
		},
		{
			Name:    "sample",
			Summary: "Sample completions for the prompts of a dataset and write them to the run directory.",
			Ports:   []string{schema.PortSamplingClient, schema.PortDatasetStore, schema.PortTrainingClient, schema.PortHubClient},
			Inputs: join([]schema.Field{
				{Name: "checkpoint", Type: schema.Checkpoint, Doc: "Checkpoint to sample from."},
				modelField("Base model to sample from when no checkpoint is given."),
				{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Prompts (the conversation minus its final assistant message)."},
				rendererField(),
				{Name: "num_samples", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Samples per prompt."},
				{Name: "stop", Type: schema.ListOf(schema.String), Doc: "Extra stop strings besides the renderer's."},
				{Name: "limit", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Sample at most N prompts; 0 samples all."},
				seedField(),
			}, samplingFields(256, 1)),
			Outputs: []schema.Output{
				{Name: "samples", Type: schema.String, Doc: "Path of samples.jsonl in the run directory."},
				{Name: "count", Type: schema.Int, Doc: "Number of completions written."},
			},
			Check: requireModelOrCheckpoint("model", "checkpoint"),
		},
		{
			Name:    "rl_train",
			Summary: "GRPO-style reinforcement learning: sample groups, centre rewards per group, train with a policy loss.",
			Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore},
			Inputs: join([]schema.Field{
				modelField("Base model of the policy."),
				{Name: "env", Type: schema.String, Default: "dataset", Enum: RLEnvs, Doc: "Environment: a built-in task or \"dataset\" (question/answer rows)."},
				{Name: "dataset", Type: schema.Dataset, Doc: "Problems for env = \"dataset\" (and gsm8k/math when given locally)."},
				rendererField(),
				{Name: "learning_rate", Type: schema.Number, Default: 4e-5, Min: schema.Above(0), Doc: "Constant learning rate."},
				{Name: "group_size", Type: schema.Int, Default: int64(4), Min: schema.AtLeast(1), Doc: "Rollouts per problem."},
				{Name: "groups_per_batch", Type: schema.Int, Default: int64(100), Min: schema.AtLeast(1), Doc: "Problems per step."},
				{Name: "loss_fn", Type: schema.String, Default: "importance_sampling", Enum: PolicyLossFns, Doc: "Policy-gradient loss."},
				{Name: "loss_fn_config", Type: schema.MapOf(schema.Number), Doc: "Loss options, e.g. clip_low_threshold, clip_high_threshold."},
				{Name: "num_substeps", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Optimizer steps per batch."},
				{Name: "kl_penalty_coef", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Doc: "Penalty on KL to the reference model."},
				{Name: "kl_discount_factor", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Discount of the future KL penalty."},
				{Name: "kl_reference", Type: schema.Checkpoint, Doc: "Reference weights for the KL penalty (default: the starting weights)."},
				{Name: "format_coef", Type: schema.Number, Default: 0.1, Min: schema.AtLeast(0), Doc: "Penalty for a badly formatted answer."},
				{Name: "remove_constant_reward_groups", Type: schema.Bool, Default: false, Doc: "Drop groups whose rewards are all equal."},
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
			Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore},
			Inputs: join([]schema.Field{
				modelField("Base model to train."),
				{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Preference comparisons."},
				rendererField(),
				{Name: "learning_rate", Type: schema.Number, Default: 1e-5, Min: schema.Above(0), Doc: "Peak learning rate."},
				{Name: "lr_schedule", Type: schema.String, Default: "linear", Enum: LRSchedules, Doc: "Learning-rate decay over the run."},
				{Name: "warmup_steps", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Linear warmup steps before the schedule."},
				{Name: "num_epochs", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Passes over the data."},
				{Name: "batch_size", Type: schema.Int, Default: int64(256), Min: schema.AtLeast(1), Doc: "Pairs per optimizer step."},
				{Name: "max_length", Type: schema.Int, Default: int64(8192), Min: schema.AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
				{Name: "dpo_beta", Type: schema.Number, Default: 0.1, Min: schema.Above(0), Doc: "DPO temperature beta."},
				{Name: "reference", Type: schema.Checkpoint, Doc: "Reference weights (default: the starting weights)."},
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
			Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore},
			Inputs: join([]schema.Field{
				modelField("Base model of the student."),
				{Name: "teacher_model", Type: schema.String, Doc: "Teacher base model."},
				{Name: "teacher_checkpoint", Type: schema.Checkpoint, Doc: "Teacher weights (instead of teacher_model)."},
				{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Prompts."},
				rendererField(),
				{Name: "learning_rate", Type: schema.Number, Default: 1e-4, Min: schema.Above(0), Doc: "Constant learning rate."},
				{Name: "group_size", Type: schema.Int, Default: int64(4), Min: schema.AtLeast(1), Doc: "Samples per prompt."},
				{Name: "groups_per_batch", Type: schema.Int, Default: int64(64), Min: schema.AtLeast(1), Doc: "Prompts per step."},
				{Name: "kl_penalty_coef", Type: schema.Number, Default: 1.0, Min: schema.AtLeast(0), Doc: "Weight of the reverse KL to the teacher."},
				{Name: "kl_discount_factor", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Discount of the future KL."},
				{Name: "loss_fn", Type: schema.String, Default: "importance_sampling", Enum: PolicyLossFns, Doc: "Policy-gradient loss."},
				{Name: "num_substeps", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Optimizer steps per batch."},
				{Name: "max_prompt_tokens", Type: schema.Int, Default: int64(1024), Min: schema.AtLeast(1), Doc: "Drop prompts longer than this."},
				loraField(),
				loadCheckpointField(),
				seedField(),
			}, cadenceFields(20, 20), adamFields(), samplingFields(256, 1)),
			Outputs: trainingOutputs,
			Check: func(in map[string]any) []schema.Problem {
				p := requireModelOrCheckpoint("model", "load_checkpoint")(in)
				return append(p, requireModelOrCheckpoint("teacher_model", "teacher_checkpoint")(in)...)
			},
		},
		{
			Name:    "noop",
			Summary: "Does nothing and passes its value through; for testing pipelines and grouping dependencies.",
			Inputs: []schema.Field{
				{Name: "value", Type: schema.Any, Doc: "Any value; returned as the output `value`."},
				{Name: "sleep_ms", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Wait this long (cancellable) before finishing."},
			},
			Outputs: []schema.Output{{Name: "value", Type: schema.Any, Doc: "The input value."}},
		},
	}
}

// requireModelOrCheckpoint returns a Check that demands at least one of
// two inputs.
func requireModelOrCheckpoint(model, checkpoint string) func(map[string]any) []schema.Problem {
	return func(in map[string]any) []schema.Problem {
		_, hasModel := in[model]
		_, hasCheckpoint := in[checkpoint]
		if hasModel || hasCheckpoint {
			return nil
		}
		return []schema.Problem{{
			Summary: "Missing " + model,
			Detail:  "Set " + model + " (a base model name) or " + checkpoint + " (weights from another stage).",
		}}
	}
}

// datasetFields is the schema of a `dataset` block.
func datasetFields() []schema.Field {
	return []schema.Field{
		{Name: "source", Type: schema.String, Required: true, Doc: "Where the rows come from: a path or file:// URI relative to the recipe, or a hub dataset hf://ORG/NAME[@REVISION][#SUBSET]."},
		{Name: "format", Type: schema.String, Default: "auto", Enum: []string{"auto", "messages", "prompt_completion", "instruction", "input_output", "comparison", "question_answer"}, Doc: "Row format; \"auto\" detects it from the first row."},
		{Name: "file_format", Type: schema.String, Default: "auto", Enum: []string{"auto", "jsonl", "json", "csv", "parquet"}, Doc: "File format; \"auto\" uses the file extension."},
		{Name: "split", Type: schema.String, Default: "train", Doc: "Split to read from a hub dataset: the files whose names say it (train, test, validation, ...)."},
		{Name: "test_fraction", Type: schema.Number, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Hold out this fraction of rows as the test split."},
		{Name: "test_size", Type: schema.Int, Min: schema.AtLeast(0), Doc: "Hold out this many rows as the test split."},
		{Name: "shuffle_seed", Type: schema.Int, Default: int64(0), Doc: "Seed of the shuffle before the split and of each epoch's order."},
		{Name: "limit", Type: schema.Int, Min: schema.AtLeast(0), Doc: "Use only the first N rows."},
		{Name: "skip_bad_rows", Type: schema.Bool, Default: false, Doc: "Skip malformed rows (the run reports how many) instead of failing."},
	}
}
