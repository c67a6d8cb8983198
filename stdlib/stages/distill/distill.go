// Package distill is the distill stage kind: on-policy distillation
// (../shared/reference/cookbook-semantics.md §6). Its schema is part of
// the language (check and compile accept it); this build has no
// implementation yet, so `run` refuses plans that use it (SPEC.md §5).
package distill

import (
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Kind is the stage kind's name.
const Kind = "distill"

// Schema declares distill (SPEC.md §5).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "On-policy distillation: the student samples, a teacher's logprobs give a reverse-KL penalty.",
	Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore},
	Inputs: stage.Join([]schema.Field{
		stage.ModelField("Base model of the student."),
		{Name: "teacher_model", Type: schema.String, Doc: "Teacher base model."},
		{Name: "teacher_checkpoint", Type: schema.Checkpoint, Doc: "Teacher weights (instead of teacher_model)."},
		{Name: "dataset", Type: schema.Dataset, Required: true, Doc: "Prompts."},
		stage.RendererField(),
		{Name: "learning_rate", Type: schema.Number, Default: 1e-4, Min: schema.Above(0), Doc: "Constant learning rate."},
		{Name: "group_size", Type: schema.Int, Default: int64(4), Min: schema.AtLeast(1), Doc: "Samples per prompt."},
		{Name: "groups_per_batch", Type: schema.Int, Default: int64(64), Min: schema.AtLeast(1), Doc: "Prompts per step."},
		{Name: "kl_penalty_coef", Type: schema.Number, Default: 1.0, Min: schema.AtLeast(0), Doc: "Weight of the reverse KL to the teacher."},
		{Name: "kl_discount_factor", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Discount of the future KL."},
		{Name: "loss_fn", Type: schema.String, Default: "importance_sampling", Enum: stage.PolicyLossFns, Doc: "Policy-gradient loss."},
		{Name: "num_substeps", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Optimizer steps per batch."},
		{Name: "max_prompt_tokens", Type: schema.Int, Default: int64(1024), Min: schema.AtLeast(1), Doc: "Drop prompts longer than this."},
		stage.LoRAField(),
		stage.LoadCheckpointField(),
		stage.SeedField(),
	}, stage.CadenceFields(20, 20), stage.AdamFields(), stage.SamplingFields(256, 1)),
	Outputs: stage.TrainingOutputs(),
	Check: func(in map[string]any) []schema.Problem {
		p := stage.RequireModelOrCheckpoint("model", "load_checkpoint")(in)
		return append(p, stage.RequireModelOrCheckpoint("teacher_model", "teacher_checkpoint")(in)...)
	},
}

// Config is distill's decoded inputs (Schema gives defaults and bounds).
type Config struct {
	Model             string             `input:"model"`
	TeacherModel      string             `input:"teacher_model"`
	TeacherCheckpoint *ports.Checkpoint  `input:"teacher_checkpoint"`
	Dataset           ir.Dataset         `input:"dataset"`
	Renderer          *stage.RendererRef `input:"renderer"`
	LearningRate      float64            `input:"learning_rate"`
	GroupSize         int                `input:"group_size"`
	GroupsPerBatch    int                `input:"groups_per_batch"`
	KLPenaltyCoef     float64            `input:"kl_penalty_coef"`
	KLDiscountFactor  float64            `input:"kl_discount_factor"`
	LossFn            string             `input:"loss_fn"`
	NumSubsteps       int                `input:"num_substeps"`
	MaxPromptTokens   int                `input:"max_prompt_tokens"`
	LoRARank          int                `input:"lora_rank"`
	LoadCheckpoint    *ports.Checkpoint  `input:"load_checkpoint"`
	Seed              int64              `input:"seed"`
	stage.Cadence
	stage.Adam
	stage.Sampling
}

// No implementation yet: replace Declare with stage.Define(&Schema, run).
func init() { stage.Register(stage.Declare[Config](&Schema)) }
