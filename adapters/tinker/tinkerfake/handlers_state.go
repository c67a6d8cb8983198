package tinkerfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
)

func (s *Server) save(p *in, key, ep string) reply {
	p.typeIs(ep)
	id, seq := p.str("model_id"), p.integer("seq_id")
	name := p.optStr("path")
	var ttl int64
	if p.has("ttl_seconds") {
		ttl = int64(p.integer("ttl_seconds"))
	}
	overwrite := false
	if p.has("overwrite") {
		overwrite = p.boolean("overwrite")
	}
	samplingSeq, ephemeral := 0, false
	if ep == "save_weights_for_sampler" && p.has("sampling_session_seq_id") {
		samplingSeq, ephemeral = p.integer("sampling_session_seq_id"), true
	}
	if p.err != nil {
		return reply{}
	}
	if name == "" && !ephemeral {
		return errReply(400, "%s needs a path (name) or a sampling_session_seq_id", ep)
	}
	if strings.Contains(name, "/") {
		return errReply(400, "checkpoint name %q contains '/'", name)
	}
	kind, dir := "training", "weights"
	if ep == "save_weights_for_sampler" {
		kind, dir = "sampler", "sampler_weights"
	}
	path := fmt.Sprintf("tinker://%s/%s/%s", id, dir, name)
	s.mu.Lock()
	if _, exists := s.checkpoints[path]; exists && name != "" && !overwrite {
		if m, ok := s.models[id]; !ok || m.bySeq[seq] == nil || m.bySeq[seq].key != key {
			s.mu.Unlock()
			return errReply(409, "checkpoint %s exists", path)
		}
	}
	s.mu.Unlock()
	return s.modelSubmit(id, seq, key, ep, ep, 0, func(m *model) (opResult, AppliedOp) {
		if ephemeral {
			sid := fmt.Sprintf("%s:sample:%d", m.session, samplingSeq)
			s.samplers[sid] = &samplerState{id: sid, baseModel: m.w.BaseModel, w: m.w, seqs: map[int]*submission{}}
			return opResult{json: map[string]string{"sampling_session_id": sid}}, AppliedOp{}
		}
		s.checkpoints[path] = &checkpoint{path: path, kind: kind, model: m.id, name: name, w: m.w, created: time.Now(), ttl: ttl}
		return opResult{json: map[string]string{"path": path, "type": ep}}, AppliedOp{Path: path}
	})
}

func (s *Server) loadWeights(p *in, key string) reply {
	p.typeIs("load_weights")
	path := p.str("path")
	optimizer := p.boolean("optimizer")
	if p.has("user_metadata") {
		p.object("user_metadata")
	}
	if p.err != nil {
		return reply{}
	}
	if p.has("session_id") {
		return s.createViaLoad(p, key, path, optimizer)
	}
	id, seq := p.str("model_id"), p.integer("seq_id")
	if p.err != nil {
		return reply{}
	}
	return s.modelSubmit(id, seq, key, "load_weights", "load_weights", 0, func(m *model) (opResult, AppliedOp) {
		cp, ok := s.checkpoints[path]
		if !ok || cp.kind != "training" {
			return opResult{errMsg: "no training checkpoint " + path, category: "user"}, AppliedOp{}
		}
		if cp.w.BaseModel != m.w.BaseModel || cp.w.Rank != m.w.Rank {
			return opResult{errMsg: "checkpoint " + path + " does not match the model's base model and rank", category: "user"}, AppliedOp{}
		}
		adam := 0
		if optimizer {
			adam = cp.w.AdamSteps
		}
		m.w.Updates, m.w.AdamSteps, m.grad = cp.w.Updates, adam, 0
		return opResult{json: map[string]string{"path": path, "model_id": m.id, "type": "load_weights"}}, AppliedOp{Path: path}
	})
}

// createViaLoad creates a model from a checkpoint in one request (flag
// create_model_via_load_weights); the load is the model's seq 0.
func (s *Server) createViaLoad(p *in, key, path string, optimizer bool) reply {
	sessID, seq := p.str("session_id"), p.integer("model_seq_id")
	if p.err != nil {
		return reply{}
	}
	if !s.opts.CreateViaLoad {
		return errReply(400, "create-via-load is not enabled")
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
	cp, ok := s.checkpoints[path]
	if !ok || cp.kind != "training" {
		return errReply(404, "no training checkpoint %s", path)
	}
	if seq != sess.nextModel {
		return errReply(400, "model_seq_id %d out of order: expected %d", seq, sess.nextModel)
	}
	sess.nextModel++
	w := cp.w
	if !optimizer {
		w.AdamSteps = 0
	}
	m := s.addModel(sessID, seq, w)
	s.applied = append(s.applied, AppliedOp{ModelID: m.id, SeqID: 0, Type: "load_weights", Path: path, Updates: w.Updates})
	return s.sessionSubmit(key, "load_weights", func() opResult {
		return opResult{json: map[string]string{"model_id": m.id, "path": path, "type": "load_weights"}}
	})
}

func (s *Server) unloadModel(p *in, key string) reply {
	p.typeIs("unload_model")
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
	m.unloaded = true
	return s.sessionSubmit(key, "unload_model", func() opResult {
		return opResult{json: map[string]string{"model_id": id, "type": "unload_model"}}
	})
}

func (s *Server) createSamplingSession(p *in) reply {
	p.typeIs("create_sampling_session")
	sessID := p.str("session_id")
	seq := p.integer("sampling_session_seq_id")
	base, path := p.optStr("base_model"), p.optStr("model_path")
	if p.err != nil {
		return reply{}
	}
	if (base == "") == (path == "") {
		return errReply(400, "give base_model or model_path")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[sessID]; !ok {
		return errReply(404, "unknown session")
	}
	st := &samplerState{id: fmt.Sprintf("%s:sample:%d", sessID, seq), baseModel: base, modelPath: path, seqs: map[int]*submission{}}
	if _, taken := s.samplers[st.id]; taken {
		return errReply(400, "sampling_session_seq_id %d already used", seq)
	}
	if path != "" {
		cp, ok := s.checkpoints[path]
		if !ok || cp.kind != "sampler" {
			return errReply(404, "no sampler checkpoint %s", path)
		}
		st.baseModel, st.w = cp.w.BaseModel, cp.w
	} else if !s.modelSupported(base) {
		return errReply(400, "base model %q is not supported", base)
	}
	s.samplers[st.id] = st
	return jsonReply(200, map[string]string{"type": "create_sampling_session", "sampling_session_id": st.id})
}

func (s *Server) getSampler(id string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.samplers[id]
	if !ok {
		return errReply(404, "unknown sampler %s", id)
	}
	body := map[string]string{"sampler_id": id, "base_model": st.baseModel}
	if st.modelPath != "" {
		body["model_path"] = st.modelPath
	}
	return jsonReply(200, body)
}

func (s *Server) asample(p *in, key, backpressure string) reply {
	p.typeIs("sample")
	id, seq := p.str("sampling_session_id"), p.integer("seq_id")
	req := samplingRequest{n: p.integer("num_samples"), topK: p.integer("topk_prompt_logprobs"), maxTokens: 16, stopTokens: map[int]bool{}}
	var err error
	if req.prompt, err = modelInput(p.m["prompt"]); err != nil {
		p.fail("prompt: %v", err)
	}
	if p.has("prompt_logprobs") {
		req.promptLP = p.boolean("prompt_logprobs")
	}
	sp := p.object("sampling_params")
	sp.num("temperature")
	sp.integer("top_k")
	sp.num("top_p")
	if sp.has("max_tokens") {
		req.maxTokens = sp.integer("max_tokens")
	}
	if sp.has("seed") {
		req.seed = int64(sp.integer("seed"))
	}
	if stop, ok := sp.m["stop"].([]any); ok {
		for _, x := range stop {
			switch v := x.(type) {
			case string:
				req.stopStrings = append(req.stopStrings, v)
			case json.Number:
				n, _ := v.Int64()
				req.stopTokens[int(n)] = true
			}
		}
	} else if sp.has("stop") {
		sp.fail("stop must be a list")
	}
	if sp.err != nil {
		p.fail("sampling_params: %v", sp.err)
	}
	if p.err != nil {
		return reply{}
	}
	if backpressure != "1" {
		return errReply(400, "asample needs X-Tinker-Sampling-Backpressure: 1")
	}
	if req.n < 1 || req.maxTokens < 1 {
		return errReply(400, "num_samples and max_tokens must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.samplers[id]
	if !ok {
		return errReply(404, "unknown sampling session %s", id)
	}
	if prev, ok := st.seqs[seq]; ok {
		if key != "" && prev.key == key {
			return s.replayed(prev, "")
		}
		return errReply(409, "seq_id %d of %s was already received", seq, id)
	}
	op := newOp()
	sub := &submission{key: key, op: op, ep: "asample"}
	sub.future = s.newFuture(op, "asample", false)
	st.seqs[seq] = sub
	w, compute := st.w, s.opts.SampleCompute
	go func() {
		time.Sleep(compute)
		out := sample(req, w)
		op.complete(opResult{sample: &out})
	}()
	return submitted(sub.future, "")
}

// retrieve answers retrieve_future: a long poll of PollHold, then the
// result, try_again, complete_metadata, an error object, or 410.
func (s *Server) retrieve(r *http.Request, p *in) reply {
	id := p.str("request_id")
	metaOnly := p.boolean("allow_metadata_only")
	if p.err != nil {
		return errReply(400, "retrieve_future: %v", p.err)
	}
	s.mu.Lock()
	f, ok := s.futures[id]
	s.mu.Unlock()
	if !ok {
		return errReply(404, "unknown request %s", id)
	}
	tryAgain := jsonReply(200, map[string]string{"type": "try_again", "request_id": id, "queue_state": "active"})
	select {
	case <-f.op.done:
	case <-time.After(s.opts.PollHold):
		return tryAgain
	case <-r.Context().Done():
		return tryAgain
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case f.expired:
		return errReply(410, "promise %s expired", id)
	case f.expireOnDone:
		f.expired, f.expireOnDone = true, false
		return errReply(410, "promise %s expired", id)
	case f.tryAgainLeft > 0:
		f.tryAgainLeft--
		return tryAgain
	}
	res := f.op.res
	if res.errMsg != "" {
		return jsonReply(200, map[string]string{"error": res.errMsg, "category": res.category})
	}
	wantProto := strings.Contains(r.Header.Get("Accept"), wire.ContentType)
	var rep reply
	switch {
	case res.fwd != nil && wantProto:
		b, err := wire.EncodeForwardBackwardOutput(*res.fwd, "tinker.fake:ArrayRecord")
		if err != nil {
			return errReply(500, "encoding: %v", err)
		}
		rep = reply{status: 200, body: b, ctype: wire.ContentType}
	case res.fwd != nil:
		rep = jsonReply(200, jsonFwdBwd(*res.fwd))
	case res.sample != nil && wantProto:
		rep = reply{status: 200, body: wire.EncodeSampleResponse(*res.sample), ctype: wire.ContentType}
	case res.sample != nil:
		rep = jsonReply(200, jsonSample(*res.sample))
	default:
		rep = jsonReply(200, res.json)
	}
	if metaOnly && s.opts.OversizeBytes > 0 && len(rep.body) > s.opts.OversizeBytes && !f.metaSent {
		f.metaSent = true
		return jsonReply(200, map[string]any{"status": "complete_metadata", "response_payload_size": len(rep.body)})
	}
	return rep
}

// listCheckpoints answers GET /training_runs/{id}/checkpoints and GET
// /checkpoints.
func (s *Server) listCheckpoints(r *http.Request) reply {
	rest := strings.TrimPrefix(r.URL.Path, "/api/v1/")
	run := ""
	if strings.HasPrefix(rest, "training_runs/") {
		parts := strings.Split(strings.TrimPrefix(rest, "training_runs/"), "/")
		if len(parts) != 2 || parts[1] != "checkpoints" {
			return errReply(404, "no endpoint %s", r.URL.Path)
		}
		run = parts[0]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.models[run]; run != "" && !ok {
		return errReply(404, "unknown training run %s", run)
	}
	var cps []*checkpoint
	for _, cp := range s.checkpoints {
		if run == "" || cp.model == run {
			cps = append(cps, cp)
		}
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].path < cps[j].path })
	list := []map[string]any{}
	for _, cp := range cps {
		item := map[string]any{"checkpoint_id": cp.kind + "/" + cp.name, "checkpoint_type": cp.kind,
			"time": cp.created.UTC().Format(time.RFC3339Nano), "tinker_path": cp.path, "public": false, "size_bytes": 1024}
		if cp.ttl > 0 {
			item["expires_at"] = cp.created.Add(time.Duration(cp.ttl) * time.Second).UTC().Format(time.RFC3339Nano)
		}
		list = append(list, item)
	}
	return jsonReply(200, map[string]any{"checkpoints": list, "cursor": map[string]int{"offset": 0, "limit": len(list), "total_count": len(list)}})
}
