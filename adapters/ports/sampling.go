package ports

import (
	"context"
	"fmt"
)

// SamplingParams configures generation.
type SamplingParams struct {
	MaxTokens   int     `json:"max_tokens"`
	Temperature float64 `json:"temperature"`
	// TopK keeps the k most likely tokens; -1 (or 0) keeps all.
	TopK int `json:"top_k"`
	// TopP is the nucleus threshold in (0, 1].
	TopP float64 `json:"top_p"`
	// Seed makes sampling reproducible when set.
	Seed *int64 `json:"seed,omitempty"`
	// StopStrings and StopTokens end generation; the stop sequence is
	// included in the returned tokens.
	StopStrings []string `json:"stop_strings,omitempty"`
	StopTokens  []int    `json:"stop_tokens,omitempty"`
}

// SampleRequest asks for completions of one prompt.
type SampleRequest struct {
	Prompt     ModelInput
	NumSamples int
	Params     SamplingParams
	// PromptLogprobs asks for the logprob of every prompt token.
	PromptLogprobs bool
	// TopKPromptLogprobs asks for the k most likely tokens at every
	// prompt position (0 for none).
	TopKPromptLogprobs int
}

// Stop reasons of a sampled sequence.
const (
	StopReasonStop   = "stop"   // a stop sequence or token was produced
	StopReasonLength = "length" // max_tokens was reached
)

// SampledSequence is one completion.
type SampledSequence struct {
	Tokens     []int     `json:"tokens"`
	Logprobs   []float32 `json:"logprobs"`
	StopReason string    `json:"stop_reason"`
}

// TokenLogprob is a token and its log-probability.
type TokenLogprob struct {
	Token   int     `json:"token"`
	Logprob float32 `json:"logprob"`
}

// SampleResponse holds the completions of a SampleRequest.
type SampleResponse struct {
	Sequences []SampledSequence `json:"sequences"`
	// PromptLogprobs has one entry per prompt token; entry 0 has no
	// context and is NaN.
	PromptLogprobs []float32 `json:"prompt_logprobs,omitempty"`
	// TopKPromptLogprobs has one list per prompt token (nil at 0).
	TopKPromptLogprobs [][]TokenLogprob `json:"topk_prompt_logprobs,omitempty"`
}

// SamplerSpec selects the weights a sampler serves: a sampler-weights
// path saved by a TrainingClient when ModelPath is set, else the base
// model. BaseModel may accompany ModelPath (the model the weights were
// trained from, as a checkpoint records it); it then selects nothing.
type SamplerSpec struct {
	BaseModel string
	ModelPath string
}

// SamplingService is the sampling_client port.
type SamplingService interface {
	NewSampler(ctx context.Context, spec SamplerSpec) (Sampler, error)
	Close() error
}

// Sampler generates from one set of weights.
type Sampler interface {
	Info(ctx context.Context) (ModelInfo, error)
	Sample(ctx context.Context, req SampleRequest) Future[SampleResponse]
}

// ComputeLogprobs returns the logprob of every token of prompt under s
// (entry 0 is NaN), by sampling one token with prompt logprobs.
func ComputeLogprobs(ctx context.Context, s Sampler, prompt ModelInput) ([]float32, error) {
	resp, err := s.Sample(ctx, SampleRequest{
		Prompt: prompt, NumSamples: 1, PromptLogprobs: true,
		Params: SamplingParams{MaxTokens: 1, Temperature: 1, TopK: -1, TopP: 1},
	}).Await(ctx)
	if err != nil {
		return nil, err
	}
	if len(resp.PromptLogprobs) != prompt.Len() {
		return nil, fmt.Errorf("compute_logprobs: got %d prompt logprobs for %d tokens", len(resp.PromptLogprobs), prompt.Len())
	}
	return resp.PromptLogprobs, nil
}
