package tinker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// SamplingService is the sampling_client adapter: it opens sampling
// sessions on base models or saved sampler weights.
type SamplingService struct {
	svc *service
}

// NewSamplingService returns a SamplingService for cfg. It contacts the
// service only on first use.
func NewSamplingService(cfg Config, log Logger) (*SamplingService, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	svc, err := newService(cfg, log, schema.PortSamplingClient)
	if err != nil {
		return nil, err
	}
	return &SamplingService{svc: svc}, nil
}

// NewSampler implements ports.SamplingService (create_sampling_session).
func (ss *SamplingService) NewSampler(ctx context.Context, spec ports.SamplerSpec) (ports.Sampler, error) {
	s, err := ss.newSampler(ctx, spec)
	return s, ss.svc.wrap("create_sampling_session", err)
}

// newSampler sends exactly one of model_path and base_model, as the
// service requires: the saved weights when the spec names them (its base
// model then only describes them), else the base model.
func (ss *SamplingService) newSampler(ctx context.Context, spec ports.SamplerSpec) (ports.Sampler, error) {
	if spec.BaseModel == "" && spec.ModelPath == "" {
		return nil, errors.New("give a base model or a sampler weights path")
	}
	if spec.ModelPath != "" {
		if _, _, _, err := tinkerPath(spec.ModelPath); err != nil {
			return nil, err
		}
	}
	sessionID, _, err := ss.svc.session(ctx)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"session_id": sessionID, "sampling_session_seq_id": ss.svc.nextSamplingSeq(), "type": "create_sampling_session"}
	if spec.ModelPath != "" {
		body["model_path"] = spec.ModelPath
	} else {
		body["base_model"] = spec.BaseModel
	}
	resp, err := ss.svc.tr.postJSON(ctx, "create_sampling_session", body, ss.svc.cfg.RequestTimeout)
	if err != nil {
		return nil, err
	}
	v, err := decode[struct {
		ID string `json:"sampling_session_id"`
	}](resp, "create_sampling_session")
	if err != nil {
		return nil, err
	}
	if v.ID == "" {
		return nil, errors.New("create_sampling_session: the answer has no sampling_session_id")
	}
	return newSampler(ss.svc, v.ID, ports.ModelInfo{}), nil
}

// Close implements ports.SamplingService.
func (ss *SamplingService) Close() error {
	ss.svc.close()
	return nil
}

// sampler samples from one sampling session.
type sampler struct {
	svc *service
	id  string

	mu      sync.Mutex
	info    ports.ModelInfo
	haveInf bool
	nextSeq int
}

func newSampler(svc *service, id string, info ports.ModelInfo) *sampler {
	s := &sampler{svc: svc, id: id}
	if info.BaseModel != "" {
		info.ModelID = id
		s.info, s.haveInf = info, true
	}
	return s
}

// Info implements ports.Sampler (GET /samplers/{id}).
func (s *sampler) Info(ctx context.Context) (ports.ModelInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.haveInf {
		return s.info, nil
	}
	resp, err := s.svc.tr.call(ctx, &request{Method: http.MethodGet, Path: "samplers/" + url.PathEscape(s.id), Timeout: s.svc.cfg.RequestTimeout}, false)
	if err != nil {
		return ports.ModelInfo{}, s.svc.wrap("get_sampler", err)
	}
	v, err := decode[struct {
		BaseModel   string `json:"base_model"`
		ModelPath   string `json:"model_path"`
		TokenizerID string `json:"tokenizer_id"`
	}](resp, "samplers")
	if err != nil {
		return ports.ModelInfo{}, s.svc.wrap("get_sampler", err)
	}
	info := ports.ModelInfo{ModelID: s.id, BaseModel: v.BaseModel, TokenizerID: v.TokenizerID}
	if info.TokenizerID == "" {
		info.TokenizerID = knownTokenizer(s.svc.cfg.BaseURL, v.BaseModel)
	}
	if caps, err := s.svc.capabilities(ctx); err == nil {
		for _, m := range caps.Models {
			if m.Name == info.BaseModel {
				info.ContextLength = m.ContextLength
			}
		}
	}
	s.info, s.haveInf = info, true
	return info, nil
}

// maxSampleAttempts bounds re-submissions of a sample request after its
// future expired or its polling gave up (the SDK's RetryHandler).
const maxSampleAttempts = 4

// Sample implements ports.Sampler (asample + retrieve_future). Each
// attempt takes the sampler's next seq_id; HTTP-level retries of one
// attempt (429 backpressure, 5xx) reuse it.
func (s *sampler) Sample(ctx context.Context, req ports.SampleRequest) ports.Future[ports.SampleResponse] {
	params, err := toJSONSamplingParams(req.Params)
	if err != nil {
		return ports.Ready(ports.SampleResponse{}, s.svc.wrap("sample", err))
	}
	prompt, err := toJSONInput(req.Prompt)
	if err != nil {
		return ports.Ready(ports.SampleResponse{}, s.svc.wrap("sample", err))
	}
	n := max(req.NumSamples, 1)
	return ports.Go(func() (ports.SampleResponse, error) {
		out, err := s.sample(ctx, prompt, params, n, req)
		return out, s.svc.wrap("sample", err)
	})
}

func (s *sampler) sample(ctx context.Context, prompt jsonModelInput, params jsonSamplingParams, n int, req ports.SampleRequest) (ports.SampleResponse, error) {
	_, flags, err := s.svc.session(ctx)
	if err != nil {
		return ports.SampleResponse{}, err
	}
	select {
	case s.svc.sampleSem <- struct{}{}:
		defer func() { <-s.svc.sampleSem }()
	case <-ctx.Done():
		return ports.SampleResponse{}, ctx.Err()
	}
	proto := s.svc.useProto()
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		seq := s.nextSeq
		s.nextSeq++
		s.mu.Unlock()
		body := map[string]any{
			"num_samples": n, "prompt": prompt, "sampling_params": params,
			"sampling_session_id": s.id, "seq_id": seq,
			"topk_prompt_logprobs": req.TopKPromptLogprobs, "type": "sample",
		}
		if req.PromptLogprobs {
			body["prompt_logprobs"] = true
		}
		data, err := json.Marshal(body)
		if err != nil {
			return ports.SampleResponse{}, err
		}
		pe := &pending{svc: s.svc, reqType: typeSample, wantProto: proto, req: &request{
			Method: http.MethodPost, Path: "asample", Body: data,
			Header: map[string]string{"X-Tinker-Sampling-Backpressure": "1"},
		}}
		err = pe.send(ctx)
		var r result
		if err == nil {
			r, err = s.svc.await(ctx, pe.sr.RequestID, typeSample, proto, pe.rtt)
		}
		if err == nil {
			defer r.done()
			return decodeSample(r, n)
		}
		if ctx.Err() != nil || flags.SampleNoRetries || attempt+1 >= maxSampleAttempts || !resubmittable(err) {
			return ports.SampleResponse{}, err
		}
		s.svc.log.Debug("tinker: re-submitting sample request", "attempt", attempt+1, "reason", s.svc.red.redact(err.Error()))
		if err := sleep(ctx, s.svc.cfg.Retry.backoff(attempt)); err != nil {
			return ports.SampleResponse{}, err
		}
	}
}

// resubmittable reports whether a failed sample attempt is worth a new
// attempt: an expired future or a transient failure that outlasted the
// request-level retries.
func resubmittable(err error) bool {
	var rf *RequestFailedError
	var se *StatusError
	switch {
	case errors.Is(err, errExpired):
		return true
	case errors.As(err, &rf):
		return rf.Category != "user"
	case errors.As(err, &se):
		return se.Status == http.StatusRequestTimeout || se.Status == http.StatusTooManyRequests || se.Status >= 500
	}
	return errors.Is(err, errRetriesExhausted)
}

func decodeSample(r result, n int) (ports.SampleResponse, error) {
	var out ports.SampleResponse
	var err error
	if r.isProto() {
		out, err = wire.DecodeSampleResponse(r.resp.Body)
	} else {
		out, err = decodeJSONSampleResponse(r.resp.Body)
	}
	if err != nil {
		return out, err
	}
	if len(out.Sequences) != n {
		return out, fmt.Errorf("asked for %d samples, got %d", n, len(out.Sequences))
	}
	return out, nil
}

// Tokenizer ids learned from get_info, per service and base model, so a
// sampler on a base model the process has trained reports the same
// tokenizer the training client did.
var (
	tokMu      sync.Mutex
	tokenizers = map[[2]string]string{}
)

func rememberTokenizer(baseURL, baseModel, tokenizerID string) {
	if baseModel == "" || tokenizerID == "" {
		return
	}
	tokMu.Lock()
	defer tokMu.Unlock()
	tokenizers[[2]string{baseURL, baseModel}] = tokenizerID
}

// knownTokenizer returns the tokenizer learned for baseModel, else the
// base model's name (a Hugging Face repo id).
func knownTokenizer(baseURL, baseModel string) string {
	tokMu.Lock()
	defer tokMu.Unlock()
	if t, ok := tokenizers[[2]string{baseURL, baseModel}]; ok {
		return t
	}
	return baseModel
}
