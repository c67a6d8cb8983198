package tinker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// Trainer is the training_client adapter: it creates and loads trainable
// models on the service.
type Trainer struct {
	svc *service

	mu      sync.Mutex
	clients []*trainingClient
}

// NewTrainer returns a Trainer for cfg. It checks the configuration and
// the credential's form but contacts the service only on first use.
func NewTrainer(cfg Config, log Logger) (*Trainer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	svc, err := newService(cfg, log, schema.PortTrainingClient)
	if err != nil {
		return nil, err
	}
	return &Trainer{svc: svc}, nil
}

// Capabilities implements ports.Trainer (GET /get_server_capabilities).
func (t *Trainer) Capabilities(ctx context.Context) (ports.Capabilities, error) {
	caps, err := t.svc.capabilities(ctx)
	return caps, t.svc.wrap("get_server_capabilities", err)
}

// CreateModel implements ports.Trainer: create_model with a LoRA config,
// then get_info.
func (t *Trainer) CreateModel(ctx context.Context, req ports.CreateModelRequest) (ports.TrainingClient, error) {
	tc, err := t.createModel(ctx, req.BaseModel, req.LoRA, req.Metadata)
	if err != nil {
		return nil, t.svc.wrap("create_model", err)
	}
	return tc, nil
}

func (t *Trainer) createModel(ctx context.Context, baseModel string, lora ports.LoRAConfig, meta map[string]string) (*trainingClient, error) {
	if baseModel == "" {
		return nil, errors.New("no base model")
	}
	if lora.Rank <= 0 {
		return nil, errors.New("the service trains LoRA adapters only; lora_rank must be positive")
	}
	if !lora.TrainAttn && !lora.TrainMLP && !lora.TrainUnembed {
		return nil, errors.New("LoRA config trains nothing: enable attention, MLP or unembedding")
	}
	sessionID, _, err := t.svc.session(ctx)
	if err != nil {
		return nil, err
	}
	seed := lora.Seed
	body := map[string]any{
		"session_id":   sessionID,
		"model_seq_id": t.svc.nextModelSeq(),
		"base_model":   baseModel,
		"lora_config":  jsonLoRA{Rank: lora.Rank, Seed: &seed, TrainUnembed: lora.TrainUnembed, TrainMLP: lora.TrainMLP, TrainAttn: lora.TrainAttn},
		"type":         "create_model",
	}
	if len(meta) > 0 {
		body["user_metadata"] = meta
	}
	r, err := t.svc.submitAwait(ctx, "create_model", body, typeCreateModel)
	if err != nil {
		return nil, err
	}
	defer r.done()
	created, err := decode[struct {
		ModelID string `json:"model_id"`
	}](r.resp, "create_model")
	if err != nil {
		return nil, err
	}
	if created.ModelID == "" {
		return nil, errors.New("create_model: the answer has no model_id")
	}
	return t.track(newTrainingClient(t.svc, created.ModelID, baseModel, 1)), nil
}

func (t *Trainer) track(tc *trainingClient) *trainingClient {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clients = append(t.clients, tc)
	return tc
}

// LoadModel implements ports.Trainer: a model initialised from a saved
// training state. With the service flag create_model_via_load_weights it
// is one load_weights request; otherwise weights_info, create_model with
// the checkpoint's LoRA config, and load_weights.
func (t *Trainer) LoadModel(ctx context.Context, req ports.LoadModelRequest) (ports.TrainingClient, error) {
	tc, err := t.loadModel(ctx, req)
	if err != nil {
		return nil, t.svc.wrap("load_model", err)
	}
	return tc, nil
}

func (t *Trainer) loadModel(ctx context.Context, req ports.LoadModelRequest) (*trainingClient, error) {
	if _, kind, _, err := tinkerPath(req.Path); err != nil {
		return nil, err
	} else if kind != "weights" {
		return nil, fmt.Errorf("%s holds sampler weights; a training state (tinker://<run>/weights/<name>) is needed", req.Path)
	}
	sessionID, flags, err := t.svc.session(ctx)
	if err != nil {
		return nil, err
	}
	if flags.CreateModelViaLoad {
		info, err := t.svc.weightsInfo(ctx, req.Path)
		if err != nil {
			return nil, err
		}
		seq := t.svc.nextModelSeq()
		body := map[string]any{
			"session_id": sessionID, "model_seq_id": seq, "path": req.Path,
			"optimizer": req.WithOptimizer, "type": "load_weights",
		}
		if len(req.Metadata) > 0 {
			body["user_metadata"] = req.Metadata
		}
		r, err := t.svc.submitAwait(ctx, "load_weights", body, typeLoadWeights)
		if err != nil {
			return nil, err
		}
		defer r.done()
		loaded, err := decode[struct {
			ModelID string `json:"model_id"`
		}](r.resp, "load_weights")
		if err != nil {
			return nil, err
		}
		// The load was the model's first request (seq 0). Older answers
		// omit the id; it then follows the session's naming rule.
		modelID := loaded.ModelID
		if modelID == "" {
			modelID = fmt.Sprintf("%s:train:%d", sessionID, seq)
		}
		return t.track(newTrainingClient(t.svc, modelID, info.BaseModel, 1)), nil
	}
	info, err := t.svc.weightsInfo(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	if !info.IsLoRA || info.LoRARank <= 0 {
		return nil, fmt.Errorf("%s is not a LoRA checkpoint", req.Path)
	}
	lora := ports.LoRAConfig{Rank: info.LoRARank, TrainUnembed: boolOr(info.TrainUnembed, true), TrainMLP: boolOr(info.TrainMLP, true), TrainAttn: boolOr(info.TrainAttn, true)}
	tc, err := t.createModel(ctx, info.BaseModel, lora, req.Metadata)
	if err != nil {
		return nil, err
	}
	if _, err := tc.LoadState(ctx, req.Path, req.WithOptimizer).Await(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// Close implements ports.Trainer: it ends the heartbeat and stops the
// models' submission queues from taking new operations. Models that were
// not closed are not unloaded; the service expires them with the session.
func (t *Trainer) Close() error {
	t.mu.Lock()
	for _, tc := range t.clients {
		tc.q.shutdown()
	}
	t.mu.Unlock()
	t.svc.close()
	return nil
}

// trainingClient drives one model. Every training op takes the next
// seq_id and goes through the model's opQueue.
type trainingClient struct {
	svc       *service
	modelID   string
	baseModel string
	q         *opQueue

	infoMu sync.Mutex
	info   *ports.ModelInfo

	closeOnce sync.Once
	closeErr  error
}

func newTrainingClient(svc *service, modelID, baseModel string, nextSeq int) *trainingClient {
	return &trainingClient{svc: svc, modelID: modelID, baseModel: baseModel, q: newOpQueue(nextSeq)}
}

// ModelID returns the service's id of the model (also its training run id).
func (tc *trainingClient) ModelID() string { return tc.modelID }

// Info implements ports.TrainingClient (POST /get_info).
func (tc *trainingClient) Info(ctx context.Context) (ports.ModelInfo, error) {
	tc.infoMu.Lock()
	defer tc.infoMu.Unlock()
	if tc.info != nil {
		return *tc.info, nil
	}
	info, err := tc.svc.getInfo(ctx, tc.modelID)
	if err != nil {
		return ports.ModelInfo{}, tc.svc.wrap("get_info", err)
	}
	if info.BaseModel == "" {
		info.BaseModel = tc.baseModel
	}
	tc.info = &info
	return info, nil
}

// ForwardBackward implements ports.TrainingClient.
func (tc *trainingClient) ForwardBackward(ctx context.Context, data []ports.Datum, lossFn string, lossCfg map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return tc.fwdBwd(ctx, data, lossFn, lossCfg, false)
}

// Forward implements ports.TrainingClient: JSON services get /forward,
// protobuf services forward_backward with forward_only set.
func (tc *trainingClient) Forward(ctx context.Context, data []ports.Datum, lossFn string, lossCfg map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return tc.fwdBwd(ctx, data, lossFn, lossCfg, true)
}

func (tc *trainingClient) fwdBwd(ctx context.Context, data []ports.Datum, lossFn string, lossCfg map[string]float64, forwardOnly bool) ports.Future[ports.ForwardBackwardOutput] {
	op, reqType := "forward_backward", typeForwardBackward
	if forwardOnly {
		op, reqType = "forward", typeForward
	}
	_, flags, err := tc.svc.session(ctx)
	if err != nil {
		return ports.Ready(ports.ForwardBackwardOutput{}, tc.svc.wrap(op, err))
	}
	call, err := newFwdBwdCall(tc.modelID, data, lossFn, lossCfg, forwardOnly, flags, tc.svc.useProto())
	if err != nil {
		return ports.Ready(ports.ForwardBackwardOutput{}, tc.svc.wrap(op, err))
	}
	return tc.submitFwdBwd(ctx, call, op, reqType)
}

// OptimStep implements ports.TrainingClient.
func (tc *trainingClient) OptimStep(ctx context.Context, params ports.AdamParams) ports.Future[ports.OptimStepResult] {
	for _, f := range []struct {
		name string
		v    float64
	}{{"learning_rate", params.LearningRate}, {"beta1", params.Beta1}, {"beta2", params.Beta2}, {"eps", params.Eps},
		{"weight_decay", params.WeightDecay}, {"grad_clip_norm", params.GradClipNorm}} {
		if err := finite("adam_params."+f.name, f.v); err != nil {
			return ports.Ready(ports.OptimStepResult{}, tc.svc.wrap("optim_step", err))
		}
	}
	adam := jsonAdam(params)
	return submitOp(ctx, tc, "optim_step", typeOptimStep, "", func(seq int) (any, error) {
		return map[string]any{"adam_params": adam, "model_id": tc.modelID, "seq_id": seq, "type": "optim_step"}, nil
	}, func(r result) (ports.OptimStepResult, error) {
		v, err := decode[struct {
			Metrics map[string]float64 `json:"metrics"`
		}](r.resp, "optim_step")
		return ports.OptimStepResult{Metrics: v.Metrics}, err
	})
}

// SaveState implements ports.TrainingClient (save_weights).
func (tc *trainingClient) SaveState(ctx context.Context, name string, opts ports.SaveOptions) ports.Future[string] {
	return tc.save(ctx, "save_weights", typeSaveWeights, "weights", name, opts)
}

// SaveSamplerWeights implements ports.TrainingClient
// (save_weights_for_sampler with a name).
func (tc *trainingClient) SaveSamplerWeights(ctx context.Context, name string, opts ports.SaveOptions) ports.Future[string] {
	return tc.save(ctx, "save_weights_for_sampler", typeSaveWeightsForSampler, "sampler_weights", name, opts)
}

func (tc *trainingClient) save(ctx context.Context, op, reqType, kind, name string, opts ports.SaveOptions) ports.Future[string] {
	if name == "" || strings.ContainsAny(name, "/ ") {
		return ports.Ready("", tc.svc.wrap(op, fmt.Errorf("checkpoint name %q must be non-empty without '/' or spaces", name)))
	}
	saved := fmt.Sprintf("tinker://%s/%s/%s", tc.modelID, kind, name)
	return submitOp(ctx, tc, op, reqType, saved, func(seq int) (any, error) {
		body := map[string]any{"model_id": tc.modelID, "path": name, "seq_id": seq, "type": op}
		if op == "save_weights" {
			body["overwrite"] = false
		}
		if opts.TTL > 0 {
			body["ttl_seconds"] = int64(opts.TTL.Seconds())
		}
		return body, nil
	}, func(r result) (string, error) {
		v, err := decode[struct {
			Path string `json:"path"`
		}](r.resp, op)
		if err == nil && v.Path == "" {
			err = fmt.Errorf("%s: the answer has no path", op)
		}
		return v.Path, err
	})
}

// LoadState implements ports.TrainingClient (load_weights).
func (tc *trainingClient) LoadState(ctx context.Context, path string, withOptimizer bool) ports.Future[struct{}] {
	if _, kind, _, err := tinkerPath(path); err != nil || kind != "weights" {
		if err == nil {
			err = fmt.Errorf("%s holds sampler weights, not a training state", path)
		}
		return ports.Ready(struct{}{}, tc.svc.wrap("load_weights", err))
	}
	return submitOp(ctx, tc, "load_weights", typeLoadWeights, "", func(seq int) (any, error) {
		return map[string]any{"model_id": tc.modelID, "seq_id": seq, "path": path, "optimizer": withOptimizer, "type": "load_weights"}, nil
	}, func(result) (struct{}, error) { return struct{}{}, nil })
}

// Sampler implements ports.TrainingClient: an unnamed
// save_weights_for_sampler that opens a sampling session on the current
// weights.
func (tc *trainingClient) Sampler(ctx context.Context) (ports.Sampler, error) {
	if _, _, err := tc.svc.session(ctx); err != nil {
		return nil, tc.svc.wrap("sampler", err)
	}
	samplingSeq := tc.svc.nextSamplingSeq()
	id, err := submitOp(ctx, tc, "save_weights_for_sampler", typeSaveWeightsForSampler, "", func(seq int) (any, error) {
		return map[string]any{"model_id": tc.modelID, "seq_id": seq, "sampling_session_seq_id": samplingSeq, "type": "save_weights_for_sampler"}, nil
	}, func(r result) (string, error) {
		v, err := decode[struct {
			ID string `json:"sampling_session_id"`
		}](r.resp, "save_weights_for_sampler")
		if err == nil && v.ID == "" {
			err = errors.New("save_weights_for_sampler: the answer has no sampling_session_id")
		}
		return v.ID, err
	}).Await(ctx)
	if err != nil {
		return nil, err
	}
	info, err := tc.Info(ctx)
	if err != nil {
		return nil, err
	}
	return newSampler(tc.svc, id, info), nil
}

// Close implements ports.TrainingClient: it waits until every queued
// operation is submitted (or ctx ends, leaving the model loaded), then
// unloads the model.
func (tc *trainingClient) Close(ctx context.Context) error {
	tc.closeOnce.Do(func() {
		if err := tc.q.close(ctx); err != nil {
			tc.closeErr = tc.svc.wrap("unload_model", err)
			return
		}
		r, err := tc.svc.submitAwait(ctx, "unload_model", map[string]any{"model_id": tc.modelID, "type": "unload_model"}, typeUnloadModel)
		if err == nil {
			r.done()
		}
		tc.closeErr = tc.svc.wrap("unload_model", err)
	})
	return tc.closeErr
}

// submitOp queues a one-seq_id JSON operation and returns its future.
// savedPath is set for named saves (see pending.savedPath).
func submitOp[T any](ctx context.Context, tc *trainingClient, op, reqType, savedPath string, body func(seq int) (any, error), dec func(result) (T, error)) ports.Future[T] {
	p := ports.NewPromise[T]()
	var zero T
	fail := func(err error) { p.Resolve(zero, tc.svc.wrap(op, err)) }
	tc.q.enqueue(1, func(seq int) error {
		b, err := body(seq)
		if err != nil {
			return err
		}
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		pe := &pending{svc: tc.svc, req: &request{Method: http.MethodPost, Path: op, Body: data}, reqType: reqType, savedPath: savedPath}
		if err := pe.send(ctx); err != nil {
			return fmt.Errorf("seq_id %d: %w", seq, err)
		}
		go func() {
			r, err := pe.await(ctx)
			if err != nil {
				fail(fmt.Errorf("seq_id %d: %w", seq, err))
				return
			}
			defer r.done()
			v, err := dec(r)
			if err != nil {
				fail(err)
				return
			}
			p.Resolve(v, nil)
		}()
		return nil
	}, fail)
	return p
}
