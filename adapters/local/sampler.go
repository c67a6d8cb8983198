package local

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/cookbookc/cookbookc/adapters/local/engine"
	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
	"github.com/cookbookc/cookbookc/adapters/ports"
)

func wrapS(op string) func(error) error {
	return func(err error) error { return ports.Wrap("sampling_client", Name, op, err) }
}

// SamplingService is the local sampling_client adapter.
type SamplingService struct {
	opts Options
	n    atomic.Int64
}

// NewSamplingService returns a service that loads sampler weights from
// under opts.Root (the training adapter's root in the same run).
func NewSamplingService(opts Options) (*SamplingService, error) {
	if opts.Root == "" {
		return nil, errors.New("no checkpoint root directory")
	}
	return &SamplingService{opts: opts}, nil
}

// NewSampler implements ports.SamplingService: spec.ModelPath (a
// local:// path saved by the training adapter, sampler weights or
// training state) or else spec.BaseModel (the base model's deterministic
// weights, on a stand-in for remote names).
func (s *SamplingService) NewSampler(ctx context.Context, spec ports.SamplerSpec) (ports.Sampler, error) {
	// An unused pool holds no goroutines: nothing to close on errors.
	pool := kern.NewPool(s.opts.Threads)
	id := fmt.Sprintf("sampler-%d", s.n.Add(1)-1)
	if spec.ModelPath != "" {
		dir, err := resolvePath(s.opts.Root, spec.ModelPath)
		if err != nil {
			return nil, wrapS("new_sampler")(err)
		}
		info, err := readInfo(dir)
		if err != nil {
			return nil, wrapS("new_sampler")(fmt.Errorf("%s: %w", spec.ModelPath, err))
		}
		buf, err := os.ReadFile(filepath.Join(dir, fileWeights))
		if err != nil {
			return nil, wrapS("new_sampler")(err)
		}
		m, err := engine.LoadWeights[float32](buf, pool)
		if err != nil {
			return nil, wrapS("new_sampler")(fmt.Errorf("%s: %w", spec.ModelPath, err))
		}
		return newSampler(m, ports.ModelInfo{ModelID: id, BaseModel: info.BaseModel, TokenizerID: ports.ByteTokenizerID,
			IsLoRA: m.LoRA.Rank > 0, LoRARank: m.LoRA.Rank, ContextLength: m.Cfg.Context, StandIn: info.StandIn}), nil
	}
	cfg, standIn, err := engine.Resolve(spec.BaseModel)
	if err != nil {
		return nil, wrapS("new_sampler")(err)
	}
	m, err := engine.New[float32](cfg, engine.LoRA{}, pool)
	if err != nil {
		return nil, wrapS("new_sampler")(err)
	}
	return newSampler(m, ports.ModelInfo{ModelID: id, BaseModel: spec.BaseModel, TokenizerID: ports.ByteTokenizerID,
		ContextLength: cfg.Context, StandIn: standIn}), nil
}

// Close implements ports.SamplingService.
func (s *SamplingService) Close() error { return nil }

// Sampler generates from one local model. Requests run one at a time in
// submission order on the sampler's worker goroutine, which exists only
// while requests are pending.
type Sampler struct {
	model *engine.Model[float32]
	info  ports.ModelInfo
	q     *queue
	// requests counts requests, to derive a seed for unseeded ones so a
	// run is reproducible.
	requests atomic.Uint64
}

// newSampler serves m. The port gives samplers no Close, so a sampler
// holds goroutines only while it has requests: its queue's worker exits
// when the queue drains, after stopping the model's kernel threads (they
// restart with the next request). An unused sampler is plain garbage.
func newSampler(m *engine.Model[float32], info ports.ModelInfo) *Sampler {
	return &Sampler{model: m, info: info, q: newQueue(m.Pool().Close)}
}

// Info implements ports.Sampler.
func (s *Sampler) Info(ctx context.Context) (ports.ModelInfo, error) { return s.info, nil }

// Sample implements ports.Sampler. Logprobs are those of the distribution
// each token was drawn from: the model's own at temperature 1 without
// top-k/top-p and for greedy decoding (temperature 0), otherwise the
// tempered, truncated and renormalised distribution.
func (s *Sampler) Sample(ctx context.Context, req ports.SampleRequest) ports.Future[ports.SampleResponse] {
	p := req.Params
	gp := engine.GenerateParams{NumSamples: req.NumSamples, MaxTokens: p.MaxTokens, Temperature: p.Temperature,
		TopK: p.TopK, TopP: p.TopP, PromptLogprobs: req.PromptLogprobs, TopKPromptLogprobs: req.TopKPromptLogprobs}
	n := s.requests.Add(1) - 1
	if p.Seed != nil {
		gp.Seed = uint64(*p.Seed)
	} else {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", s.info.ModelID, n)
		gp.Seed = h.Sum64()
	}
	if gp.NumSamples == 0 {
		gp.NumSamples = 1
	}
	for _, t := range p.StopTokens {
		if !tokenID(int64(t)) {
			return ports.Ready(ports.SampleResponse{}, wrapS("sample")(fmt.Errorf("stop token %d is not a token id", t)))
		}
		gp.StopTokens = append(gp.StopTokens, int32(t))
	}
	for _, str := range p.StopStrings {
		gp.StopStrings = append(gp.StopStrings, []byte(str))
	}
	prompt := make([]int32, 0, req.Prompt.Len())
	for i, t := range req.Prompt.Tokens() {
		if !tokenID(int64(t)) {
			return ports.Ready(ports.SampleResponse{}, wrapS("sample")(fmt.Errorf("prompt token %d at position %d is not a token id", t, i)))
		}
		prompt = append(prompt, int32(t))
	}
	return do(s.q, ctx, wrapS("sample"), func(ctx context.Context) (ports.SampleResponse, error) {
		r, err := s.model.Generate(ctx, prompt, gp)
		if err != nil {
			return ports.SampleResponse{}, err
		}
		var resp ports.SampleResponse
		for _, g := range r.Samples {
			seq := ports.SampledSequence{Tokens: make([]int, len(g.Tokens)), Logprobs: g.Logprobs, StopReason: g.StopReason}
			for i, t := range g.Tokens {
				seq.Tokens[i] = int(t)
			}
			resp.Sequences = append(resp.Sequences, seq)
		}
		resp.PromptLogprobs = r.PromptLogprobs
		if r.TopKPromptLogprobs != nil {
			resp.TopKPromptLogprobs = make([][]ports.TokenLogprob, len(r.TopKPromptLogprobs))
			for i, row := range r.TopKPromptLogprobs {
				for _, tl := range row {
					resp.TopKPromptLogprobs[i] = append(resp.TopKPromptLogprobs[i], ports.TokenLogprob{Token: int(tl.Token), Logprob: tl.Logprob})
				}
			}
		}
		return resp, nil
	})
}
