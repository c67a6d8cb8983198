package evaluate

import (
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/scorers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Schema declares evaluate (SPEC.md §5, behaviour in §11).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "Evaluate a checkpoint or model: NLL on a dataset and sampled answers graded by a scorer.",
	Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore, schema.PortHubClient},
	Inputs: stage.Join([]schema.Field{
		{Name: "checkpoint", Type: schema.Checkpoint, Doc: "Checkpoint to evaluate, e.g. stage.train.final_checkpoint."},
		stage.ModelField("Base model to evaluate when no checkpoint is given."),
		{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Evaluation data."},
		{Name: "split", Type: schema.String, Default: "test", Enum: []string{"test", "train", "all"}, Doc: "Which split of the dataset to evaluate; \"test\" falls back to all rows when the dataset has no test split."},
		stage.RendererField(),
		{Name: "nll", Type: schema.Bool, Default: true, Doc: "Compute the weighted mean NLL (test/nll, test/bpb)."},
		{Name: "train_on", Type: schema.String, Default: "all_assistant_messages", Enum: renderers.TrainOnNames(), Doc: "Which tokens the NLL counts."},
		{Name: "max_length", Type: schema.Int, Default: int64(32768), Min: schema.AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
		{Name: "scorer", Type: schema.String, Default: "none", Enum: scorers.Names, Doc: "Grade sampled answers against the reference; \"none\" skips sampling."},
		{Name: "answer_pattern", Type: schema.String, Doc: "Regular expression: for scorer \"regex\" the answer must match; for other scorers its first group extracts the answer."},
		{Name: "num_samples", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Samples per prompt."},
		{Name: "limit", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Evaluate at most N rows; 0 evaluates all."},
		stage.SeedField(),
	}, stage.SamplingFields(256, 0)),
	Outputs: []schema.Output{
		{Name: "metrics", Type: schema.MapOf(schema.Number), Doc: "Evaluation metrics, e.g. test/nll, accuracy."},
	},
	Check: stage.RequireModelOrCheckpoint("model", "checkpoint"),
}
