package stage

import (
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// Inputs shared by several stage kinds: each group's schema fields (with
// their defaults, bounds and docs; defaults follow tinker-cookbook's config
// classes, ../shared/reference/cookbook-semantics.md §2.3) and the Go
// struct a kind's Config embeds to receive them (see Define). A kind
// joins the groups it takes into its schema's Inputs (Join) and embeds the
// matching structs; the agreement test of stdlib/all checks the two.

// Join concatenates field groups, in order.
func Join(groups ...[]schema.Field) []schema.Field {
	var out []schema.Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// ModelField is the base model input.
func ModelField(doc string) schema.Field {
	return schema.Field{Name: "model", Type: schema.String, Doc: doc}
}

// RendererField is the renderer input of the chat kinds.
func RendererField() schema.Field {
	return schema.Field{Name: "renderer", Type: schema.Renderer,
		Doc: "Chat format; omitted means the model's recommended renderer (check warns which)."}
}

// LoadCheckpointField is the input a training kind starts from instead of
// the base model.
func LoadCheckpointField() schema.Field {
	return schema.Field{Name: "load_checkpoint", Type: schema.Checkpoint,
		Doc: "Start from these weights (fresh optimizer) instead of the base model."}
}

// SeedField is the seed input.
func SeedField() schema.Field {
	return schema.Field{Name: "seed", Type: schema.Int, Default: int64(0), Doc: "Seed for shuffling, initialisation and sampling."}
}

// LoRAField is the lora_rank input of the training kinds.
func LoRAField() schema.Field {
	return schema.Field{Name: "lora_rank", Type: schema.Int, Default: int64(32), Min: schema.AtLeast(0), Doc: "LoRA rank; 0 means full fine-tuning."}
}

// Adam receives AdamFields.
type Adam struct {
	Beta1        float64 `input:"adam_beta1"`
	Beta2        float64 `input:"adam_beta2"`
	Eps          float64 `input:"adam_eps"`
	WeightDecay  float64 `input:"weight_decay"`
	GradClipNorm float64 `input:"grad_clip_norm"`
}

// AdamFields are the optimizer inputs of every training kind.
func AdamFields() []schema.Field {
	return []schema.Field{
		{Name: "adam_beta1", Type: schema.Number, Default: 0.9, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Adam beta1."},
		{Name: "adam_beta2", Type: schema.Number, Default: 0.95, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Adam beta2."},
		{Name: "adam_eps", Type: schema.Number, Default: 1e-8, Min: schema.Above(0), Doc: "Adam epsilon."},
		{Name: "weight_decay", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Doc: "Decoupled (AdamW) weight decay."},
		{Name: "grad_clip_norm", Type: schema.Number, Default: 0.0, Min: schema.AtLeast(0), Doc: "Clip the global gradient norm to this value; 0 disables clipping."},
	}
}

// Params returns the optimizer parameters; the training loop sets the
// learning rate of each step.
func (a Adam) Params() ports.AdamParams {
	return ports.AdamParams{Beta1: a.Beta1, Beta2: a.Beta2, Eps: a.Eps, WeightDecay: a.WeightDecay, GradClipNorm: a.GradClipNorm}
}

// Cadence receives CadenceFields.
type Cadence struct {
	SaveEvery int `input:"save_every"`
	EvalEvery int `input:"eval_every"`
	// MaxSteps is 0 when unset (no cap).
	MaxSteps   int   `input:"max_steps"`
	TTLSeconds int64 `input:"ttl_seconds"`
}

// CadenceFields are the save/eval/stop inputs of the training kinds, with
// the kind's default save and eval intervals.
func CadenceFields(saveEvery, evalEvery int64) []schema.Field {
	return []schema.Field{
		{Name: "save_every", Type: schema.Int, Default: saveEvery, Min: schema.AtLeast(0), Doc: "Save a checkpoint every N steps; 0 saves only the final one."},
		{Name: "eval_every", Type: schema.Int, Default: evalEvery, Min: schema.AtLeast(0), Doc: "Evaluate every N steps (before the step); 0 disables."},
		{Name: "max_steps", Type: schema.Int, Min: schema.AtLeast(1), Doc: "Stop after this many optimizer steps."},
		{Name: "ttl_seconds", Type: schema.Int, Default: int64(604800), Min: schema.AtLeast(0), Doc: "Lifetime of periodic checkpoints on the training service; 0 keeps them forever."},
	}
}

// TTL is the lifetime of periodic checkpoints (0: forever).
func (c Cadence) TTL() time.Duration { return time.Duration(c.TTLSeconds) * time.Second }

// Sampling receives SamplingFields.
type Sampling struct {
	MaxTokens   int     `input:"max_tokens"`
	Temperature float64 `input:"temperature"`
	TopP        float64 `input:"top_p"`
	TopK        int     `input:"top_k"`
}

// SamplingFields are the sampling inputs, with the kind's default
// max_tokens and temperature.
func SamplingFields(maxTokens int64, temperature float64) []schema.Field {
	return []schema.Field{
		{Name: "max_tokens", Type: schema.Int, Default: maxTokens, Min: schema.AtLeast(1), Doc: "Maximum tokens sampled per completion."},
		{Name: "temperature", Type: schema.Number, Default: temperature, Min: schema.AtLeast(0), Doc: "Sampling temperature; 0 is greedy."},
		{Name: "top_p", Type: schema.Number, Default: 1.0, Min: schema.Above(0), Max: schema.AtMost(1), Doc: "Nucleus sampling threshold."},
		{Name: "top_k", Type: schema.Int, Default: int64(-1), Min: schema.AtLeast(-1), Doc: "Keep the k most likely tokens; -1 keeps all."},
	}
}

// Params returns the sampling parameters (no stop sequences or seed).
func (s Sampling) Params() ports.SamplingParams {
	return ports.SamplingParams{MaxTokens: s.MaxTokens, Temperature: s.Temperature, TopP: s.TopP, TopK: s.TopK}
}

// PolicyLossFns are the loss functions a policy-gradient kind may choose.
var PolicyLossFns = []string{ports.LossImportanceSampling, ports.LossPPO, ports.LossCISPO, ports.LossDRO}

// TrainingOutputs are the outputs of every training kind.
func TrainingOutputs() []schema.Output {
	return []schema.Output{
		{Name: "final_checkpoint", Type: schema.Checkpoint, Doc: "The final training state and sampler weights."},
		{Name: "metrics", Type: schema.MapOf(schema.Number), Doc: "The metrics of the last step."},
	}
}

// RequireModelOrCheckpoint is a schema Check demanding at least one of two
// inputs: a base model name or weights from another stage.
func RequireModelOrCheckpoint(model, checkpoint string) func(map[string]any) []schema.Problem {
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
