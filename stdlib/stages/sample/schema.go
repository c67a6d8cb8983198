package sample

import (
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Schema declares sample (SPEC.md §5, behaviour in §11).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "Sample completions for the prompts of a dataset and write them to the run directory.",
	Ports:   []string{schema.PortSamplingClient, schema.PortDatasetStore, schema.PortTrainingClient, schema.PortHubClient},
	Inputs: stage.Join([]schema.Field{
		{Name: "checkpoint", Type: schema.Checkpoint, Doc: "Checkpoint to sample from."},
		stage.ModelField("Base model to sample from when no checkpoint is given."),
		{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Prompts (the conversation minus its final assistant message)."},
		stage.RendererField(),
		{Name: "num_samples", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Samples per prompt."},
		{Name: "stop", Type: schema.ListOf(schema.String), Doc: "Extra stop strings besides the renderer's."},
		{Name: "limit", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Sample at most N prompts; 0 samples all."},
		stage.SeedField(),
	}, stage.SamplingFields(256, 1)),
	Outputs: []schema.Output{
		{Name: "samples", Type: schema.String, Doc: "Path of samples.jsonl in the run directory."},
		{Name: "count", Type: schema.Int, Doc: "Number of completions written."},
	},
	Check: stage.RequireModelOrCheckpoint("model", "checkpoint"),
}
