package tinkerfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
)

// route dispatches a request that passed auth and fault injection.
func (s *Server) route(r *http.Request, ep string, body []byte) reply {
	if r.Method == http.MethodGet {
		switch ep {
		case "healthz":
			return jsonReply(200, map[string]string{"status": "ok"})
		case "get_server_capabilities":
			return s.capabilities()
		case "samplers":
			return s.getSampler(strings.TrimPrefix(r.URL.Path, "/api/v1/samplers/"))
		case "training_runs", "checkpoints":
			return s.listCheckpoints(r)
		}
		return errReply(404, "no GET endpoint %s", r.URL.Path)
	}
	if r.Method != http.MethodPost {
		return errReply(405, "method %s not allowed", r.Method)
	}
	key := r.Header.Get("X-Idempotency-Key")
	if ep == "forward_backward" && strings.HasPrefix(r.Header.Get("Content-Type"), wire.ContentType) {
		req, err := wire.DecodeForwardBackwardRequest(body)
		if err != nil {
			return errReply(400, "bad protobuf body: %v", err)
		}
		if req.SeqID < 1 {
			return errReply(400, "seq_id %d out of range", req.SeqID)
		}
		return s.fwdBwd(req, key, ep)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return errReply(415, "Content-Type %q", r.Header.Get("Content-Type"))
	}
	p, err := parseObject(body)
	if err != nil {
		return errReply(400, "%v", err)
	}
	var rep reply
	switch ep {
	case "client/config":
		p.str("sdk_version")
		rep = s.flags()
	case "auth/token":
		rep = s.issueJWT()
	case "create_session":
		rep = s.createSession(p)
	case "session_heartbeat":
		rep = s.heartbeat(p)
	case "create_model":
		rep = s.createModel(p, key)
	case "get_info":
		rep = s.getInfo(p)
	case "weights_info":
		rep = s.weightsInfo(p)
	case "forward_backward", "forward":
		rep = s.jsonFwdBwd(p, key, ep)
	case "optim_step":
		rep = s.optimStep(p, key)
	case "save_weights", "save_weights_for_sampler":
		rep = s.save(p, key, ep)
	case "load_weights":
		rep = s.loadWeights(p, key)
	case "unload_model":
		rep = s.unloadModel(p, key)
	case "create_sampling_session":
		rep = s.createSamplingSession(p)
	case "asample":
		rep = s.asample(p, key, r.Header.Get("X-Tinker-Sampling-Backpressure"))
	case "retrieve_future":
		return s.retrieve(r, p)
	default:
		return errReply(404, "no endpoint %s", r.URL.Path)
	}
	if p.err != nil {
		return errReply(400, "%s: %v", ep, p.err)
	}
	return rep
}

func (s *Server) flags() reply {
	return jsonReply(200, map[string]any{
		"pjwt_auth_enabled":             s.opts.JWT,
		"proto_write_fwdbwd":            s.opts.Proto,
		"proto_compress_fwdbwd":         s.opts.Compress,
		"create_model_via_load_weights": s.opts.CreateViaLoad,
		"fwdbwd_max_chunk_len":          max(s.opts.MaxChunkLen, 1024*boolInt(s.opts.MaxChunkLen == 0)),
		"fwdbwd_max_chunk_bytes_count":  max(s.opts.MaxChunkBytes, 5_000_000*boolInt(s.opts.MaxChunkBytes == 0)),
		"parallel_fwdbwd_chunks":        true,
		"an_unknown_future_flag":        "clients ignore unknown keys",
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// issueJWT answers auth/token with a JWT-shaped token carrying exp.
func (s *Server) issueJWT() reply {
	if !s.opts.JWT {
		return errReply(404, "JWT auth is not enabled")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp := time.Now().Add(s.opts.JWTLifetime)
	enc := base64.RawURLEncoding
	tok := enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(fmt.Sprintf(`{"exp":%d,"sub":"fake","n":%d}`, exp.Unix(), s.nextID))) + "." +
		enc.EncodeToString([]byte(s.newID("sig")))
	s.jwts[tok] = exp
	return jsonReply(200, map[string]string{"jwt": tok})
}

func (s *Server) capabilities() reply {
	models := s.opts.Models
	if len(models) == 0 {
		models = append(models, DefaultModel)
	}
	list := make([]map[string]any, len(models))
	for i, m := range models {
		list[i] = map[string]any{"model_name": m.Name, "max_context_length": m.ContextLength}
	}
	return jsonReply(200, map[string]any{"supported_models": list})
}

func (s *Server) createSession(p *in) reply {
	p.typeIs("create_session")
	p.str("sdk_version")
	if tags, ok := p.m["tags"].([]any); !ok {
		p.fail("tags must be a list")
	} else {
		for _, t := range tags {
			if _, ok := t.(string); !ok {
				p.fail("tags must be strings")
			}
		}
	}
	p.optStr("project_id")
	if p.err != nil {
		return reply{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID("sess")
	s.sessions[id] = &session{id: id}
	return jsonReply(200, map[string]any{"type": "create_session", "session_id": id, "info_message": "fake service: nothing is trained"})
}

func (s *Server) heartbeat(p *in) reply {
	p.typeIs("session_heartbeat")
	id := p.str("session_id")
	if p.err != nil {
		return reply{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[id]
	if !ok {
		return errReply(404, "unknown session")
	}
	ss.heartbeats++
	return jsonReply(200, map[string]string{"type": "session_heartbeat"})
}

// submitted answers a submit with its future's id.
func submitted(f *future, modelID string) reply {
	body := map[string]string{"request_id": f.id}
	if modelID != "" {
		body["model_id"] = modelID
	}
	return jsonReply(200, body)
}

// replayed answers a re-sent submit (same idempotency key): the same
// future, or a new one for the same result when it expired. Nothing is
// applied again.
func (s *Server) replayed(sub *submission, modelID string) reply {
	if sub.future.expired {
		sub.future = s.newFuture(sub.op, sub.ep, true)
	}
	return submitted(sub.future, modelID)
}

// sessionSubmit runs a session-level submit (not seq-ordered), deduped by
// idempotency key.
func (s *Server) sessionSubmit(key, ep string, exec func() opResult) reply {
	if sub, ok := s.byKey[key]; ok && key != "" {
		return s.replayed(sub, "")
	}
	op := newOp()
	sub := &submission{key: key, op: op, ep: ep}
	sub.future = s.newFuture(op, ep, false)
	if key != "" {
		s.byKey[key] = sub
	}
	op.complete(exec())
	return submitted(sub.future, "")
}

func (s *Server) createModel(p *in, key string) reply {
	p.typeIs("create_model")
	sessID := p.str("session_id")
	seq := p.integer("model_seq_id")
	base := p.str("base_model")
	lora := p.object("lora_config")
	rank := lora.integer("rank")
	unembed, mlp, attn := lora.boolean("train_unembed"), lora.boolean("train_mlp"), lora.boolean("train_attn")
	if lora.has("seed") {
		lora.integer("seed")
	}
	if p.has("user_metadata") {
		p.object("user_metadata")
	}
	if lora.err != nil {
		p.fail("lora_config: %v", lora.err)
	}
	if p.err != nil {
		return reply{}
	}
	if rank <= 0 || !(unembed || mlp || attn) {
		return errReply(400, "lora_config: rank must be positive and one of train_unembed/train_mlp/train_attn true")
	}
	if !s.modelSupported(base) {
		return errReply(400, "base model %q is not supported", base)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub, ok := s.byKey[key]; ok && key != "" {
		return s.replayed(sub, "")
	}
	sess, ok := s.sessions[sessID]
	if !ok {
		return errReply(404, "unknown session")
	}
	if seq != sess.nextModel {
		return errReply(400, "model_seq_id %d out of order: expected %d", seq, sess.nextModel)
	}
	sess.nextModel++
	m := s.addModel(sessID, seq, weights{BaseModel: base, Rank: rank})
	return s.sessionSubmit(key, "create_model", func() opResult {
		return opResult{json: map[string]string{"model_id": m.id, "type": "create_model"}}
	})
}

func (s *Server) modelSupported(base string) bool {
	if len(s.opts.Models) == 0 {
		return base != ""
	}
	for _, m := range s.opts.Models {
		if m.Name == base {
			return true
		}
	}
	return false
}

// addModel registers a model whose next seq_id is 1 and starts its
// executor, under s.mu.
func (s *Server) addModel(sessID string, seq int, w weights) *model {
	m := &model{id: fmt.Sprintf("%s:train:%d", sessID, seq), session: sessID, w: w, nextSeq: 1,
		bySeq: map[int]*submission{}, jobs: make(chan modelJob, 1<<14)}
	s.models[m.id] = m
	go s.runModel(m)
	return m
}

func (s *Server) getInfo(p *in) reply {
	p.typeIs("get_info")
	id := p.str("model_id")
	if p.err != nil {
		return reply{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.models[id]
	if !ok {
		return errReply(404, "unknown model %s", id)
	}
	return jsonReply(200, map[string]any{
		"type": "get_info", "model_id": id, "is_lora": true, "lora_rank": m.w.Rank, "model_name": m.w.BaseModel,
		"model_data": map[string]string{"arch": "fake", "model_name": m.w.BaseModel, "tokenizer_id": s.tokenizerID(m.w.BaseModel)},
	})
}

// tokenizerID is what get_info reports for a model: Options.TokenizerID,
// else the base model's own repository, as the real service does.
func (s *Server) tokenizerID(baseModel string) string {
	if s.opts.TokenizerID != "" {
		return s.opts.TokenizerID
	}
	return baseModel
}

func (s *Server) weightsInfo(p *in) reply {
	path := p.str("tinker_path")
	if p.err != nil {
		return reply{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp, ok := s.checkpoints[path]
	if !ok {
		return errReply(404, "no checkpoint %s", path)
	}
	return jsonReply(200, map[string]any{"base_model": cp.w.BaseModel, "is_lora": true, "lora_rank": cp.w.Rank,
		"train_unembed": true, "train_mlp": true, "train_attn": true})
}

func (s *Server) jsonFwdBwd(p *in, key, ep string) reply {
	req := wire.ForwardBackwardRequest{ModelID: p.str("model_id"), SeqID: int32(p.integer("seq_id")), ForwardOnly: ep == "forward"}
	field := "forward_backward_input"
	if ep == "forward" {
		field = "forward_input"
	}
	input := p.object(field)
	req.LossFn = input.str("loss_fn")
	var err error
	if req.Data, err = datums(input.m["data"]); err != nil {
		input.fail("%v", err)
	}
	if input.has("loss_fn_config") {
		if req.LossFnConfig, err = floatMap(input.m["loss_fn_config"]); err != nil {
			input.fail("loss_fn_config: %v", err)
		}
	}
	if input.err != nil {
		p.fail("%s: %v", field, input.err)
	}
	if p.err != nil {
		return reply{}
	}
	if req.SeqID < 1 {
		return errReply(400, "seq_id %d out of range", req.SeqID)
	}
	return s.fwdBwd(req, key, ep)
}

func (s *Server) fwdBwd(req wire.ForwardBackwardRequest, key, ep string) reply {
	if err := checkFwdBwd(req, s.opts.MaxChunkLen); err != nil {
		return errReply(400, "%s: %v", ep, err)
	}
	kind := ep
	if req.ForwardOnly {
		kind = "forward"
	}
	digest := DatumsDigest(req.Data)
	return s.modelSubmit(req.ModelID, int(req.SeqID), key, ep, kind, s.opts.ForwardBackwardCompute, func(m *model) (opResult, AppliedOp) {
		out, grad := forwardBackward(req, m.w.Updates)
		m.grad += grad
		return opResult{fwd: &out}, AppliedOp{DataDigest: digest, NumDatums: len(req.Data), LossFn: req.LossFn}
	})
}

// modelSubmit accepts a seq-ordered model operation: a re-sent request
// (same idempotency key) maps to its first submission; a seq_id that is
// not the next one is rejected. exec runs on the model's executor.
func (s *Server) modelSubmit(modelID string, seq int, key, ep, kind string, compute time.Duration, exec func(m *model) (opResult, AppliedOp)) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.models[modelID]
	if !ok {
		return errReply(404, "unknown model %s", modelID)
	}
	if prev, ok := m.bySeq[seq]; ok {
		if key != "" && prev.key == key {
			return s.replayed(prev, modelID)
		}
		return errReply(409, "seq_id %d of %s was already received", seq, modelID)
	}
	if m.unloaded {
		return errReply(400, "model %s is unloaded", modelID)
	}
	if seq != m.nextSeq {
		return errReply(400, "seq_id %d out of order for %s: expected %d", seq, modelID, m.nextSeq)
	}
	m.nextSeq++
	op := newOp()
	sub := &submission{key: key, op: op, ep: ep}
	sub.future = s.newFuture(op, ep, false)
	m.bySeq[seq] = sub
	m.jobs <- modelJob{seq: seq, kind: kind, compute: compute, op: op, exec: func(m *model) opResult {
		res, applied := exec(m)
		if res.errMsg == "" {
			applied.ModelID, applied.SeqID, applied.Type, applied.Updates = m.id, seq, kind, m.w.Updates
			s.applied = append(s.applied, applied)
		}
		return res
	}}
	return submitted(sub.future, modelID)
}

func (s *Server) optimStep(p *in, key string) reply {
	p.typeIs("optim_step")
	id, seq := p.str("model_id"), p.integer("seq_id")
	adam := p.object("adam_params")
	lr := adam.num("learning_rate")
	b1, b2, eps := adam.num("beta1"), adam.num("beta2"), adam.num("eps")
	adam.num("weight_decay")
	adam.num("grad_clip_norm")
	if adam.err != nil {
		p.fail("adam_params: %v", adam.err)
	}
	if p.err != nil {
		return reply{}
	}
	if lr < 0 || b1 < 0 || b1 >= 1 || b2 < 0 || b2 >= 1 || eps <= 0 {
		return errReply(400, "adam_params out of range")
	}
	return s.modelSubmit(id, seq, key, "optim_step", "optim_step", s.opts.OptimCompute, func(m *model) (opResult, AppliedOp) {
		grad := m.grad
		m.grad = 0
		m.w.Updates++
		m.w.AdamSteps++
		return opResult{json: map[string]any{"metrics": map[string]float64{"grad_mass:sum": grad}}}, AppliedOp{LearningRate: lr}
	})
}
