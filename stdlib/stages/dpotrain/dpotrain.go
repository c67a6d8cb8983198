// Package dpotrain is the dpo_train stage kind: Direct Preference
// Optimization (../shared/reference/cookbook-semantics.md §5). Its schema
// is part of the language (check and compile accept it); this build has
// no implementation yet, so `run` refuses plans that use it (SPEC.md §5).
package dpotrain

import (
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/schedule"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Kind is the stage kind's name.
const Kind = "dpo_train"

// Schema declares dpo_train (SPEC.md §5).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "Direct Preference Optimization on chosen/rejected pairs against a frozen reference.",
	Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore},
	Inputs: stage.Join([]schema.Field{
		stage.ModelField("Base model to train."),
		{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Preference comparisons."},
		stage.RendererField(),
		{Name: "learning_rate", Type: schema.Number, Default: 1e-5, Min: schema.Above(0), Doc: "Peak learning rate."},
		{Name: "lr_schedule", Type: schema.String, Default: "linear", Enum: schedule.Names, Doc: "Learning-rate decay over the run."},
		{Name: "warmup_steps", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Linear warmup steps before the schedule."},
		{Name: "num_epochs", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Passes over the data."},
		{Name: "batch_size", Type: schema.Int, Default: int64(256), Min: schema.AtLeast(1), Doc: "Pairs per optimizer step."},
		{Name: "max_length", Type: schema.Int, Default: int64(8192), Min: schema.AtLeast(2), Doc: "Truncate rendered examples to this many tokens."},
		{Name: "dpo_beta", Type: schema.Number, Default: 0.1, Min: schema.Above(0), Doc: "DPO temperature beta."},
		{Name: "reference", Type: schema.Checkpoint, Doc: "Reference weights (default: the starting weights)."},
		stage.LoRAField(),
		stage.LoadCheckpointField(),
		stage.SeedField(),
	}, stage.CadenceFields(20, 10), stage.AdamFields()),
	Outputs: stage.TrainingOutputs(),
	Check:   stage.RequireModelOrCheckpoint("model", "load_checkpoint"),
}

// Config is dpo_train's decoded inputs (Schema gives defaults and bounds).
type Config struct {
	Model          string             `input:"model"`
	Dataset        ir.Dataset         `input:"dataset"`
	Renderer       *stage.RendererRef `input:"renderer"`
	LearningRate   float64            `input:"learning_rate"`
	LRSchedule     string             `input:"lr_schedule"`
	WarmupSteps    int                `input:"warmup_steps"`
	NumEpochs      int                `input:"num_epochs"`
	BatchSize      int                `input:"batch_size"`
	MaxLength      int                `input:"max_length"`
	DPOBeta        float64            `input:"dpo_beta"`
	Reference      *ports.Checkpoint  `input:"reference"`
	LoRARank       int                `input:"lora_rank"`
	LoadCheckpoint *ports.Checkpoint  `input:"load_checkpoint"`
	Seed           int64              `input:"seed"`
	stage.Cadence
	stage.Adam
}

// No implementation yet: replace Declare with stage.Define(&Schema, run).
func init() { stage.Register(stage.Declare[Config](&Schema)) }
