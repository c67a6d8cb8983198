package stagetest

import (
	"context"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// ScriptedSampling is a test-only sampling_client whose samplers answer
// each prompt with Answer(prompt tokens) followed by Suffix, as token
// ids. It records the specs and requests it served.
type ScriptedSampling struct {
	Answer func(prompt []int) []int
	Info   ports.ModelInfo
	mu     sync.Mutex
	Specs  []ports.SamplerSpec
	Reqs   []ports.SampleRequest
}

// NewSampler implements ports.SamplingService.
func (s *ScriptedSampling) NewSampler(_ context.Context, spec ports.SamplerSpec) (ports.Sampler, error) {
	s.mu.Lock()
	s.Specs = append(s.Specs, spec)
	s.mu.Unlock()
	return scriptedSampler{s}, nil
}

// Close implements ports.SamplingService.
func (s *ScriptedSampling) Close() error { return nil }

type scriptedSampler struct{ s *ScriptedSampling }

func (p scriptedSampler) Info(context.Context) (ports.ModelInfo, error) { return p.s.Info, nil }

func (p scriptedSampler) Sample(_ context.Context, req ports.SampleRequest) ports.Future[ports.SampleResponse] {
	p.s.mu.Lock()
	p.s.Reqs = append(p.s.Reqs, req)
	p.s.mu.Unlock()
	var resp ports.SampleResponse
	for range max(req.NumSamples, 1) {
		toks := p.s.Answer(req.Prompt.Tokens())
		reason := ports.StopReasonStop
		if len(toks) > req.Params.MaxTokens {
			toks, reason = toks[:req.Params.MaxTokens], ports.StopReasonLength
		}
		resp.Sequences = append(resp.Sequences, ports.SampledSequence{Tokens: toks, Logprobs: make([]float32, len(toks)), StopReason: reason})
	}
	return ports.Ready(resp, nil)
}
