package chatsetup

import (
	"context"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// Completion is one sampled, parsed response.
type Completion struct {
	Text        string `json:"text"`
	Thinking    string `json:"thinking,omitempty"`
	StopReason  string `json:"stop_reason"`
	Termination string `json:"termination"`
	NumTokens   int    `json:"num_tokens"`
}

// SampleConfig is how Generate samples.
type SampleConfig struct {
	Params ports.SamplingParams
	// NumSamples is the number of completions per prompt.
	NumSamples int
	// ExtraStops are stop strings besides the renderer's.
	ExtraStops []string
	// Seed, when set, gives prompt i the seed Seed+i, so results do not
	// depend on the order requests complete in.
	Seed *int64
	// InFlight bounds concurrent sample requests (default 16).
	InFlight int
}

// StopParams returns the renderer's stop sequences as sampling params:
// special tokens as token ids, strings as strings.
func StopParams(r renderers.Renderer, tok tokenizer.Tokenizer, extra []string) (tokens []int, strs []string, err error) {
	stop := r.Stop()
	for _, s := range stop.Tokens {
		id, ok := tok.SpecialID(s)
		if !ok {
			return nil, nil, fmt.Errorf("renderer %s stops on %q, which tokenizer %s lacks", r.Name(), s, tok.ID())
		}
		tokens = append(tokens, id)
	}
	strs = append(append(strs, stop.Strings...), extra...)
	return tokens, strs, nil
}

// Generate samples completions of every prompt with the renderer's
// generation prompt and stop sequences, and parses each response. Result
// i belongs to prompts[i].
func Generate(ctx context.Context, s ports.Sampler, r renderers.Renderer, tok tokenizer.Tokenizer, prompts [][]chat.Message, cfg SampleConfig) ([][]Completion, error) {
	stopTokens, stopStrings, err := StopParams(r, tok, cfg.ExtraStops)
	if err != nil {
		return nil, err
	}
	inFlight := cfg.InFlight
	if inFlight <= 0 {
		inFlight = 16
	}
	type req struct {
		i   int
		fut ports.Future[ports.SampleResponse]
	}
	out := make([][]Completion, len(prompts))
	var queue []req
	await := func(q req) error {
		resp, err := q.fut.Await(ctx)
		if err != nil {
			return fmt.Errorf("prompt %d: sample: %w", q.i, err)
		}
		for _, seq := range resp.Sequences {
			msg, term := r.ParseResponse(tok.DecodePieces(seq.Tokens))
			out[q.i] = append(out[q.i], Completion{
				Text: msg.Content.Text(), Thinking: msg.Content.Thinking(),
				StopReason: seq.StopReason, Termination: string(term), NumTokens: len(seq.Tokens),
			})
		}
		return nil
	}
	for i, p := range prompts {
		segs, err := r.GenerationPrompt(p)
		if err != nil {
			return nil, fmt.Errorf("prompt %d: %w", i, err)
		}
		ids, _, err := renderers.Encode(tok, segs)
		if err != nil {
			return nil, fmt.Errorf("prompt %d: %w", i, err)
		}
		params := cfg.Params
		params.StopTokens = append(append([]int(nil), params.StopTokens...), stopTokens...)
		params.StopStrings = append(append([]string(nil), params.StopStrings...), stopStrings...)
		if cfg.Seed != nil {
			seed := *cfg.Seed + int64(i)
			params.Seed = &seed
		}
		n := max(cfg.NumSamples, 1)
		queue = append(queue, req{i, s.Sample(ctx, ports.SampleRequest{Prompt: ports.TokensInput(ids), NumSamples: n, Params: params})})
		if len(queue) >= inFlight {
			if err := await(queue[0]); err != nil {
				return nil, err
			}
			queue = queue[1:]
		}
	}
	for _, q := range queue {
		if err := await(q); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NewSampleConfig is how a stage samples: its sampling inputs (the
// stage.Sampling group), num_samples completions per prompt, extra stop
// strings, and prompt i seeded with seed+i.
func NewSampleConfig(p stage.Sampling, numSamples int, seed int64, extraStops []string) SampleConfig {
	return SampleConfig{Params: p.Params(), NumSamples: numSamples, ExtraStops: extraStops, Seed: &seed}
}

// OpenSampler opens a sampler over the checkpoint's sampler weights (when
// ckpt is non-nil) or the base model, and announces a local stand-in.
func OpenSampler(ctx context.Context, env *stage.Env, ckpt *ports.Checkpoint, model string) (ports.Sampler, ports.ModelInfo, error) {
	svc, err := env.Ports.Sampling(ctx)
	if err != nil {
		return nil, ports.ModelInfo{}, err
	}
	spec := ports.SamplerSpec{BaseModel: model}
	if ckpt != nil {
		spec.ModelPath = ckpt.SamplerPath
	}
	sampler, err := svc.NewSampler(ctx, spec)
	if err != nil {
		return nil, ports.ModelInfo{}, err
	}
	info, err := sampler.Info(ctx)
	if err != nil {
		return nil, ports.ModelInfo{}, err
	}
	AnnounceStandIn(env.Log, info)
	return sampler, info, nil
}
