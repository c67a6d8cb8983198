package fake

import (
	"context"
	"encoding/binary"
	"math"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// SamplingService is the fake sampling_client: a test fake whose samplers
// produce deterministic byte-level tokens from the weights fingerprint,
// the prompt, the seed and the sample index.
type SamplingService struct {
	latency time.Duration

	mu     sync.Mutex
	closed bool
}

// NewSamplingService returns a fake sampling service.
func NewSamplingService(latency time.Duration) *SamplingService {
	return &SamplingService{latency: latency}
}

// NewSampler accepts a base model name or a fake:// sampler path.
func (s *SamplingService) NewSampler(ctx context.Context, spec ports.SamplerSpec) (ports.Sampler, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, ports.Wrap("sampling_client", Name, "new_sampler", errClosed)
	}
	base, digest, err := samplerDigest(spec)
	if err != nil {
		return nil, ports.Wrap("sampling_client", Name, "new_sampler", err)
	}
	return &Sampler{base: base, digest: digest, latency: s.latency}, nil
}

// Close marks the service closed.
func (s *SamplingService) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Sampler is a fake sampler over one weights fingerprint.
type Sampler struct {
	base    string
	digest  [32]byte
	latency time.Duration
}

// Info describes a byte-level model.
func (s *Sampler) Info(context.Context) (ports.ModelInfo, error) {
	return ports.ModelInfo{ModelID: "fake-sampler", BaseModel: s.base, TokenizerID: ports.ByteTokenizerID, ContextLength: 4096}, nil
}

// Sample returns NumSamples sequences. Each has a deterministic length in
// [1, MaxTokens]; a sequence shorter than MaxTokens ends with the first
// stop token or stop string and has StopReason "stop". Tokens are
// lowercase letters and spaces, so rendered samples are readable.
func (s *Sampler) Sample(ctx context.Context, req ports.SampleRequest) ports.Future[ports.SampleResponse] {
	if err := sleep(ctx, s.latency); err != nil {
		return ports.Ready(ports.SampleResponse{}, ports.Wrap("sampling_client", Name, "sample", err))
	}
	prompt := req.Prompt.Tokens()
	seed := digestSeed(s.digest)
	for _, t := range prompt {
		seed = mix(seed ^ uint64(t))
	}
	if req.Params.Seed != nil {
		seed = mix(seed ^ uint64(*req.Params.Seed))
	}
	n := max(req.NumSamples, 1)
	maxTokens := max(req.Params.MaxTokens, 1)
	var resp ports.SampleResponse
	for i := 0; i < n; i++ {
		h := mix(seed + uint64(i))
		length := 1 + int(h%uint64(maxTokens))
		seq := ports.SampledSequence{StopReason: ports.StopReasonLength}
		for j := 0; j < length; j++ {
			h = mix(h)
			tok := int('a' + h%27)
			if tok == 'a'+26 {
				tok = ' '
			}
			seq.Tokens = append(seq.Tokens, tok)
		}
		if length < maxTokens {
			switch {
			case len(req.Params.StopTokens) > 0:
				seq.Tokens = append(seq.Tokens, req.Params.StopTokens[0])
				seq.StopReason = ports.StopReasonStop
			case len(req.Params.StopStrings) > 0:
				for _, b := range []byte(req.Params.StopStrings[0]) {
					seq.Tokens = append(seq.Tokens, int(b))
				}
				seq.StopReason = ports.StopReasonStop
			}
		}
		for range seq.Tokens {
			h = mix(h)
			seq.Logprobs = append(seq.Logprobs, float32(round6(-0.01-3*unit(h))))
		}
		resp.Sequences = append(resp.Sequences, seq)
	}
	if req.PromptLogprobs || req.TopKPromptLogprobs > 0 {
		resp.PromptLogprobs = make([]float32, len(prompt))
		if req.TopKPromptLogprobs > 0 {
			resp.TopKPromptLogprobs = make([][]ports.TokenLogprob, len(prompt))
		}
		for pos, tok := range prompt {
			if pos == 0 {
				resp.PromptLogprobs[0] = float32(math.NaN())
				continue
			}
			resp.PromptLogprobs[pos] = logprob(digestSeed(s.digest), 0, int64(tok), pos)
			for k := 0; k < req.TopKPromptLogprobs; k++ {
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], uint64(pos*131+k))
				alt := int(mix(binary.LittleEndian.Uint64(b[:])^digestSeed(s.digest)) % 256)
				resp.TopKPromptLogprobs[pos] = append(resp.TopKPromptLogprobs[pos],
					ports.TokenLogprob{Token: alt, Logprob: float32(round6(-0.1 * float64(k+1)))})
			}
		}
	}
	return ports.Ready(resp, nil)
}
