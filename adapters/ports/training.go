package ports

import (
	"context"
	"time"
)

// ModelInput is a sequence of tokens, in chunks.
type ModelInput struct {
	Chunks []Chunk `json:"chunks"`
}

// Chunk is a run of token ids. (Image and audio chunks of the remote
// service are not supported yet.)
type Chunk struct {
	Tokens []int `json:"tokens"`
}

// TokensInput returns a ModelInput holding one chunk.
func TokensInput(tokens []int) ModelInput {
	return ModelInput{Chunks: []Chunk{{Tokens: tokens}}}
}

// Len returns the number of tokens.
func (m ModelInput) Len() int {
	n := 0
	for _, c := range m.Chunks {
		n += len(c.Tokens)
	}
	return n
}

// Tokens returns all tokens, concatenated.
func (m ModelInput) Tokens() []int {
	out := make([]int, 0, m.Len())
	for _, c := range m.Chunks {
		out = append(out, c.Tokens...)
	}
	return out
}

// Tensor dtypes on the wire.
const (
	Float32 = "float32"
	Int64   = "int64"
)

// TensorData is a dense tensor in row-major order. Exactly one of Floats
// and Ints is used, matching DType. Shape nil means 1-D.
type TensorData struct {
	DType  string    `json:"dtype"`
	Shape  []int     `json:"shape,omitempty"`
	Floats []float32 `json:"floats,omitempty"`
	Ints   []int64   `json:"ints,omitempty"`
}

// FloatTensor returns a 1-D float32 tensor.
func FloatTensor(v []float32) TensorData { return TensorData{DType: Float32, Floats: v} }

// IntTensor returns a 1-D int64 tensor.
func IntTensor(v []int64) TensorData { return TensorData{DType: Int64, Ints: v} }

// Len returns the number of elements.
func (t TensorData) Len() int {
	if t.DType == Int64 {
		return len(t.Ints)
	}
	return len(t.Floats)
}

// Loss function names (LossFnType of the training service).
const (
	LossCrossEntropy       = "cross_entropy"
	LossImportanceSampling = "importance_sampling"
	LossPPO                = "ppo"
	LossCISPO              = "cispo"
	LossDRO                = "dro"
)

// Datum is one training example: the input tokens and, aligned with them
// position by position, the loss function's inputs. Position i of
// ModelInput predicts loss_fn_inputs["target_tokens"][i].
//
// cross_entropy reads target_tokens (int64) and weights (float32);
// importance_sampling, ppo and cispo read target_tokens, logprobs (the
// sampler's) and advantages.
type Datum struct {
	ModelInput   ModelInput            `json:"model_input"`
	LossFnInputs map[string]TensorData `json:"loss_fn_inputs"`
}

// ForwardBackwardOutput is the result of forward or forward_backward.
type ForwardBackwardOutput struct {
	// LossFnOutputs has one entry per datum; each holds at least
	// "logprobs": the policy's log-probability of every target token.
	LossFnOutputs []map[string]TensorData `json:"loss_fn_outputs"`
	// Metrics are keyed "name:reduction", e.g. "loss:sum".
	Metrics map[string]float64 `json:"metrics"`
}

// AdamParams configures one optimizer step (AdamW, decoupled weight
// decay). GradClipNorm 0 disables clipping.
type AdamParams struct {
	LearningRate float64 `json:"learning_rate"`
	Beta1        float64 `json:"beta1"`
	Beta2        float64 `json:"beta2"`
	Eps          float64 `json:"eps"`
	WeightDecay  float64 `json:"weight_decay"`
	GradClipNorm float64 `json:"grad_clip_norm"`
}

// OptimStepResult is the result of an optimizer step.
type OptimStepResult struct {
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// LoRAConfig configures the trainable adapter of a model. Rank 0 means
// full fine-tuning (supported by the local backend only).
type LoRAConfig struct {
	Rank         int   `json:"rank"`
	Seed         int64 `json:"seed"`
	TrainUnembed bool  `json:"train_unembed"`
	TrainMLP     bool  `json:"train_mlp"`
	TrainAttn    bool  `json:"train_attn"`
}

// DefaultLoRA returns a LoRA config of the given rank training attention,
// MLP and unembedding, as the service's SDK does by default.
func DefaultLoRA(rank int, seed int64) LoRAConfig {
	return LoRAConfig{Rank: rank, Seed: seed, TrainUnembed: true, TrainMLP: true, TrainAttn: true}
}

// CreateModelRequest asks for a new trainable model.
type CreateModelRequest struct {
	BaseModel string
	LoRA      LoRAConfig
	// Metadata is attached to the run on the service (recipe, renderer).
	Metadata map[string]string
}

// LoadModelRequest asks for a trainable model initialised from a saved
// training state (a path returned by SaveState).
type LoadModelRequest struct {
	Path          string
	WithOptimizer bool
	Metadata      map[string]string
}

// ModelInfo describes a trainable or sampling model.
type ModelInfo struct {
	ModelID   string `json:"model_id"`
	BaseModel string `json:"base_model"`
	// TokenizerID names the tokenizer: a Hugging Face repo id for real
	// models, or ByteTokenizerID for byte-level models.
	TokenizerID string `json:"tokenizer_id"`
	IsLoRA      bool   `json:"is_lora"`
	LoRARank    int    `json:"lora_rank,omitempty"`
	// ContextLength is the maximum sequence length (0 if unknown).
	ContextLength int `json:"context_length,omitempty"`
	// StandIn is set when the adapter runs a different model than the
	// one asked for (the local backend standing in for a remote model),
	// with a sentence saying so. Stages print it in their first lines.
	StandIn string `json:"stand_in,omitempty"`
}

// ByteTokenizerID is the TokenizerID of byte-level models: 256 byte
// tokens followed by the renderer's special tokens, in the order the
// renderer lists them.
const ByteTokenizerID = "cookbookc/byte-level"

// SaveOptions configures a checkpoint save.
type SaveOptions struct {
	// TTL is how long the service keeps the checkpoint; 0 keeps it
	// forever.
	TTL time.Duration
}

// Capabilities describes what a training service offers.
type Capabilities struct {
	Models []ModelCapability `json:"models"`
}

// ModelCapability is one base model a service can train or sample.
type ModelCapability struct {
	Name          string `json:"name"`
	ContextLength int    `json:"context_length,omitempty"`
}

// Trainer is the training_client port: it creates trainable models.
type Trainer interface {
	Capabilities(ctx context.Context) (Capabilities, error)
	CreateModel(ctx context.Context, req CreateModelRequest) (TrainingClient, error)
	LoadModel(ctx context.Context, req LoadModelRequest) (TrainingClient, error)
	// Close releases the adapter (sessions, heartbeats, connections).
	Close() error
}

// TrainingClient drives one trainable model. Operations are executed in
// the order they are submitted; each returns once submitted.
type TrainingClient interface {
	Info(ctx context.Context) (ModelInfo, error)

	// Forward computes the loss and per-token logprobs without gradients.
	Forward(ctx context.Context, data []Datum, lossFn string, lossCfg map[string]float64) Future[ForwardBackwardOutput]
	// ForwardBackward computes the loss and accumulates its gradient; the
	// gradient is applied and cleared by the next OptimStep.
	ForwardBackward(ctx context.Context, data []Datum, lossFn string, lossCfg map[string]float64) Future[ForwardBackwardOutput]
	OptimStep(ctx context.Context, params AdamParams) Future[OptimStepResult]

	// SaveState saves weights and optimizer state under name and returns
	// a path (tinker://..., local://...) LoadModel/LoadState accept.
	SaveState(ctx context.Context, name string, opts SaveOptions) Future[string]
	// SaveSamplerWeights saves weights for sampling and returns a path a
	// SamplingService accepts.
	SaveSamplerWeights(ctx context.Context, name string, opts SaveOptions) Future[string]
	// LoadState replaces the weights (and the optimizer state when
	// withOptimizer) with a saved state.
	LoadState(ctx context.Context, path string, withOptimizer bool) Future[struct{}]

	// Sampler returns a sampler over the current weights (an ephemeral
	// sampler-weights save on the remote service).
	Sampler(ctx context.Context) (Sampler, error)

	// Close releases the model.
	Close(ctx context.Context) error
}

// ByteVocabSize is the vocabulary size of byte-level models: 256 byte
// tokens (ids 0-255) plus 256 slots for special tokens (ids 256-511).
const ByteVocabSize = 512
