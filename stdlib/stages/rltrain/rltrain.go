// Package rltrain is the rl_train stage kind: GRPO-style reinforcement
// learning (../shared/reference/cookbook-semantics.md §4). Its schema is
// part of the language (check and compile accept it); this build has no
// implementation yet, so `run` refuses plans that use it (SPEC.md §5).
package rltrain

import (
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Kind is the stage kind's name.
const Kind = "rl_train"

// Envs are the built-in RL environments.
var Envs = []string{"arithmetic", "gsm8k", "math", "dataset"}

// Schema declares rl_train (SPEC.md §5).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "GRPO-style reinforcement learning: sample groups, centre rewards per group, train with a policy loss.",
	Ports:   []string{schema.PortTrainingClient, schema.PortSamplingClient, schema.PortDatasetStore},
	Inputs: stage.Join([]schema.Field{
		stage.ModelField("Base model of the policy."),
		{Name: "env", Type: schema.String, Default: "dataset", Enum: Envs, Doc: "Environment: a built-in task or \"dataset\" (question/answer rows)."},
		{Name: "dataset", Type: schema.Dataset, Doc: "Problems for env = \"dataset\" (and gsm8k/math when given locally)."},
		stage.RendererField(),
		{Name: "learning_rate", Type: schema.Number, Default: 4e-5, Min: schema.Above(0), Doc: "Constant learning rate."},
		{Name: "group_size", Type: schema.Int, Default: int64(4), Min: schema.AtLeast(1), Doc: "Rollouts per problem."},
		{Name: "groups_per_batch", Type: schema.Int, Default: int64(100), Min: schema.AtLeast(1), Doc: "Problems per step."},
		{Name: "loss_fn", Type: schema.String, Default: "importance_sampling", Enum: stage.PolicyLossFns, Doc: "Policy-gradient loss."},
		{Name: "loss_fn_config", Type: schema.MapOf(schema.Number), Doc: "Loss options, e.g. clip_low_threshold, clip_high_threshold."},
		{Name: "num_substeps", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Optimizer steps per batch."},
		{Name: "kl_penalty_coef", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Doc: "Penalty on KL to the reference model."},
		{Name: "kl_discount_factor", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Discount of the future KL penalty."},
		{Name: "kl_reference", Type: schema.Checkpoint, Doc: "Reference weights for the KL penalty (default: the starting weights)."},
		{Name: "format_coef", Type: schema.Number, Default: 0.1, Min: schema.AtLeast(0), Doc: "Penalty for a badly formatted answer."},
		{Name: "remove_constant_reward_groups", Type: schema.Bool, Default: false, Doc: "Drop groups whose rewards are all equal."},
		stage.LoRAField(),
		stage.LoadCheckpointField(),
		stage.SeedField(),
	}, stage.CadenceFields(20, 20), stage.AdamFields(), stage.SamplingFields(256, 1)),
	Outputs: stage.TrainingOutputs(),
	Check:   stage.RequireModelOrCheckpoint("model", "load_checkpoint"),
}

// Config is rl_train's decoded inputs (Schema gives defaults and bounds).
type Config struct {
	Model                      string             `input:"model"`
	Env                        string             `input:"env"`
	Dataset                    *ir.Dataset        `input:"dataset"`
	Renderer                   *stage.RendererRef `input:"renderer"`
	LearningRate               float64            `input:"learning_rate"`
	GroupSize                  int                `input:"group_size"`
	GroupsPerBatch             int                `input:"groups_per_batch"`
	LossFn                     string             `input:"loss_fn"`
	LossFnConfig               map[string]float64 `input:"loss_fn_config"`
	NumSubsteps                int                `input:"num_substeps"`
	KLPenaltyCoef              float64            `input:"kl_penalty_coef"`
	KLDiscountFactor           float64            `input:"kl_discount_factor"`
	KLReference                *ports.Checkpoint  `input:"kl_reference"`
	FormatCoef                 float64            `input:"format_coef"`
	RemoveConstantRewardGroups bool               `input:"remove_constant_reward_groups"`
	LoRARank                   int                `input:"lora_rank"`
	LoadCheckpoint             *ports.Checkpoint  `input:"load_checkpoint"`
	Seed                       int64              `input:"seed"`
	stage.Cadence
	stage.Adam
	stage.Sampling
}

// No implementation yet: replace Declare with stage.Define(&Schema, run).
func init() { stage.Register(stage.Declare[Config](&Schema)) }
