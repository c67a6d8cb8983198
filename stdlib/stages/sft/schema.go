package sft

import (
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/datum"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/schedule"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Schema declares supervised_train (SPEC.md §5, behaviour in §11).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "Supervised fine-tuning (SFT) on a chat dataset with cross-entropy loss.",
	// hub_client: the model's tokenizer is downloaded from the hub.
	Ports: []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore, schema.PortHubClient},
	Inputs: stage.Join([]schema.Field{
		stage.ModelField("Base model to fine-tune, e.g. \"meta-llama/Llama-3.2-1B\" or \"local/tiny\"."),
		{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Training conversations; its test split is evaluated with test/nll."},
		stage.RendererField(),
		{Name: "train_on", Type: schema.String, Default: "all_assistant_messages", Enum: renderers.TrainOnNames(), Doc: "Which tokens are trained."},
		{Name: "learning_rate", Type: schema.Number, Default: 1e-4, Min: schema.Above(0), Doc: "Peak learning rate."},
		{Name: "lr_schedule", Type: schema.String, Default: "linear", Enum: schedule.Names, Doc: "Learning-rate decay over the run."},
		{Name: "warmup_steps", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Linear warmup steps before the schedule."},
		{Name: "num_epochs", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Passes over the training split."},
		{Name: "batch_size", Type: schema.Int, Default: int64(128), Min: schema.AtLeast(1), Doc: "Sequences per optimizer step."},
		{Name: "max_length", Type: schema.Int, Default: int64(32768), Min: schema.AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
		{Name: "reduction", Type: schema.String, Default: "mean", Enum: datum.Reductions, Doc: "\"mean\" weighs each example equally; \"none\" sums over tokens."},
		stage.LoRAField(),
		{Name: "submit_ahead", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(0), Doc: "Batches submitted before the previous one is awaited; 0 disables pipelining."},
		stage.LoadCheckpointField(),
		stage.SeedField(),
	}, stage.CadenceFields(20, 10), stage.AdamFields()),
	Outputs: stage.TrainingOutputs(),
	Check:   stage.RequireModelOrCheckpoint("model", "load_checkpoint"),
}
