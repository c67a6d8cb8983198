package fake

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Trainer is the fake training_client: a test fake that keeps, per model,
// a step count and a fingerprint of the applied updates instead of
// weights. Its config can inject a failure (fail_op, fail_at) and a
// per-operation latency (latency_ms) so tests can exercise failure paths
// and interrupt slow stages.
type Trainer struct {
	latency time.Duration
	failOp  string
	failAt  int64

	mu     sync.Mutex
	calls  map[string]int64
	nextID int
	closed bool
}

// NewTrainer returns a fake trainer. failOp names an operation
// ("create_model", "forward_backward", "optim_step", "save_state", ...)
// whose failAt-th call fails; "" never fails.
func NewTrainer(latency time.Duration, failOp string, failAt int64) *Trainer {
	if failAt < 1 {
		failAt = 1
	}
	return &Trainer{latency: latency, failOp: failOp, failAt: failAt, calls: map[string]int64{}}
}

// TrainerOps are the operations fail_op can name ("" fails none): a
// misspelt fail_op would never fire, so the config lists them as an enum.
var TrainerOps = []string{"", "capabilities", "create_model", "load_model", "forward", "forward_backward",
	"optim_step", "save_state", "save_sampler_weights", "load_state", "sampler"}

// ErrInjected is the error of an injected failure.
var ErrInjected = errors.New("injected failure (fake adapter config fail_op)")

// call counts an operation, waits the configured latency, and fails when
// the operation is the configured failure.
func (t *Trainer) call(ctx context.Context, op string) error {
	t.mu.Lock()
	t.calls[op]++
	n := t.calls[op]
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ports.Wrap("training_client", Name, op, errors.New("trainer is closed"))
	}
	if err := sleep(ctx, t.latency); err != nil {
		return ports.Wrap("training_client", Name, op, err)
	}
	if op == t.failOp && n == t.failAt {
		return ports.Wrap("training_client", Name, op, fmt.Errorf("%w at call %d", ErrInjected, n))
	}
	return nil
}

// Capabilities lists two model names; CreateModel accepts any name.
func (t *Trainer) Capabilities(ctx context.Context) (ports.Capabilities, error) {
	if err := t.call(ctx, "capabilities"); err != nil {
		return ports.Capabilities{}, err
	}
	return ports.Capabilities{Models: []ports.ModelCapability{
		{Name: "fake/tiny", ContextLength: 4096}, {Name: "local/tiny", ContextLength: 4096},
	}}, nil
}

// CreateModel starts a model whose fingerprint derives from the base
// model, LoRA rank and seed.
func (t *Trainer) CreateModel(ctx context.Context, req ports.CreateModelRequest) (ports.TrainingClient, error) {
	if err := t.call(ctx, "create_model"); err != nil {
		// Echo the request like real services do, so tests see that
		// whatever an adapter error carries is redacted.
		return nil, fmt.Errorf("creating a model of %q: %w", req.BaseModel, err)
	}
	st := modelState{
		Base: req.BaseModel, Rank: req.LoRA.Rank, Seed: req.LoRA.Seed,
		// A fresh LoRA adapter changes nothing (its B matrix starts at
		// zero), so an untrained model samples like its base model.
		Digest: digestOf("base", req.BaseModel),
	}
	return t.newModel(st), nil
}

// LoadModel restores a model from a path SaveState returned.
func (t *Trainer) LoadModel(ctx context.Context, req ports.LoadModelRequest) (ports.TrainingClient, error) {
	if err := t.call(ctx, "load_model"); err != nil {
		return nil, err
	}
	st, err := parseStatePath(req.Path)
	if err != nil {
		return nil, ports.Wrap("training_client", Name, "load_model", err)
	}
	return t.newModel(st), nil
}

// Close marks the trainer closed; later calls fail.
func (t *Trainer) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	return nil
}

func (t *Trainer) newModel(st modelState) *Model {
	t.mu.Lock()
	t.nextID++
	id := fmt.Sprintf("fake-model-%d", t.nextID)
	t.mu.Unlock()
	return &Model{trainer: t, id: id, st: st}
}

// modelState is everything a fake model is: what a checkpoint path holds.
type modelState struct {
	Base    string
	Rank    int
	Seed    int64
	Step    int
	Digest  [32]byte // fingerprint of the weights
	pending []byte   // fingerprint of gradients accumulated since the last optim step
}

// Model is the fake TrainingClient. Operations run synchronously at
// submission, in submission order, and return resolved futures.
type Model struct {
	trainer *Trainer
	id      string

	mu sync.Mutex
	st modelState
}

// Info describes the model as a byte-level model.
func (m *Model) Info(ctx context.Context) (ports.ModelInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return ports.ModelInfo{
		ModelID: m.id, BaseModel: m.st.Base, TokenizerID: ports.ByteTokenizerID,
		IsLoRA: m.st.Rank > 0, LoRARank: m.st.Rank, ContextLength: 4096,
	}, nil
}

// logprob is the fake policy's log-probability of token at position pos:
// in [-2.05, -0.05), shrinking towards 0 as steps are taken so that a
// training loss goes down.
func logprob(seed uint64, step int, token int64, pos int) float32 {
	u := unit(mix(seed ^ mix(uint64(token)+0x100*uint64(pos))))
	return float32(round6(-(0.05 + 2*u) / (1 + 0.05*float64(step))))
}

func (m *Model) forward(ctx context.Context, op string, data []ports.Datum, lossFn string, backward bool) (ports.ForwardBackwardOutput, error) {
	if err := m.trainer.call(ctx, op); err != nil {
		return ports.ForwardBackwardOutput{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	seed := digestSeed(m.st.Digest)
	out := ports.ForwardBackwardOutput{Metrics: map[string]float64{}}
	var loss float64
	h := sha256.New()
	h.Write(m.st.pending)
	fmt.Fprintf(h, "%s|", lossFn)
	for i, d := range data {
		targets, ok := d.LossFnInputs["target_tokens"]
		if !ok {
			return ports.ForwardBackwardOutput{}, ports.Wrap("training_client", Name, op, fmt.Errorf("datum %d has no target_tokens", i))
		}
		if targets.Len() != d.ModelInput.Len() {
			return ports.ForwardBackwardOutput{}, ports.Wrap("training_client", Name, op,
				fmt.Errorf("datum %d: %d target tokens for %d input tokens", i, targets.Len(), d.ModelInput.Len()))
		}
		weights := d.LossFnInputs["weights"]
		adv := d.LossFnInputs["advantages"]
		old := d.LossFnInputs["logprobs"]
		lps := make([]float32, targets.Len())
		for pos := range lps {
			tok := targets.Ints[pos]
			lp := logprob(seed, m.st.Step, tok, pos)
			lps[pos] = lp
			switch lossFn {
			case ports.LossCrossEntropy:
				w := float32(1)
				if pos < len(weights.Floats) {
					w = weights.Floats[pos]
				}
				loss += float64(-lp * w)
			default: // policy-gradient losses: -advantage * ratio
				a, o := float32(0), lp
				if pos < len(adv.Floats) {
					a = adv.Floats[pos]
				}
				if pos < len(old.Floats) {
					o = old.Floats[pos]
				}
				loss += -float64(a) * math.Exp(float64(lp-o))
			}
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], uint64(tok))
			h.Write(b[:])
		}
		for _, w := range weights.Floats {
			binary.Write(h, binary.LittleEndian, w)
		}
		for _, a := range adv.Floats {
			binary.Write(h, binary.LittleEndian, a)
		}
		out.LossFnOutputs = append(out.LossFnOutputs, map[string]ports.TensorData{"logprobs": ports.FloatTensor(lps)})
	}
	out.Metrics["loss:sum"] = round6(loss)
	if backward {
		m.st.pending = h.Sum(nil)
	}
	return out, nil
}

// Forward returns per-token logprobs and loss:sum without touching the
// accumulated gradient.
func (m *Model) Forward(ctx context.Context, data []ports.Datum, lossFn string, _ map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return ports.Ready(m.forward(ctx, "forward", data, lossFn, false))
}

// ForwardBackward is Forward plus folding the batch into the pending
// gradient fingerprint.
func (m *Model) ForwardBackward(ctx context.Context, data []ports.Datum, lossFn string, _ map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return ports.Ready(m.forward(ctx, "forward_backward", data, lossFn, true))
}

// OptimStep folds the pending gradient and the Adam parameters into the
// weights fingerprint and advances the step.
func (m *Model) OptimStep(ctx context.Context, p ports.AdamParams) ports.Future[ports.OptimStepResult] {
	if err := m.trainer.call(ctx, "optim_step"); err != nil {
		return ports.Ready(ports.OptimStepResult{}, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.st.Digest = digestOf(hex.EncodeToString(m.st.Digest[:]), hex.EncodeToString(m.st.pending),
		strconv.FormatFloat(p.LearningRate, 'g', -1, 64), strconv.FormatFloat(p.WeightDecay, 'g', -1, 64))
	m.st.pending = nil
	m.st.Step++
	return ports.Ready(ports.OptimStepResult{Metrics: map[string]float64{"optim/lr": p.LearningRate}}, nil)
}

// SaveState returns a fake:// path that encodes the whole model state.
func (m *Model) SaveState(ctx context.Context, name string, _ ports.SaveOptions) ports.Future[string] {
	if err := m.trainer.call(ctx, "save_state"); err != nil {
		return ports.Ready("", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return ports.Ready(statePath("state", name, m.st), nil)
}

// SaveSamplerWeights returns a fake:// sampler path the fake sampling
// service accepts.
func (m *Model) SaveSamplerWeights(ctx context.Context, name string, _ ports.SaveOptions) ports.Future[string] {
	if err := m.trainer.call(ctx, "save_sampler_weights"); err != nil {
		return ports.Ready("", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return ports.Ready(statePath("sampler", name, m.st), nil)
}

// LoadState replaces the model state with a saved one.
func (m *Model) LoadState(ctx context.Context, path string, _ bool) ports.Future[struct{}] {
	if err := m.trainer.call(ctx, "load_state"); err != nil {
		return ports.Ready(struct{}{}, err)
	}
	st, err := parseStatePath(path)
	if err != nil {
		return ports.Ready(struct{}{}, ports.Wrap("training_client", Name, "load_state", err))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.st = st
	return ports.Ready(struct{}{}, nil)
}

// Sampler returns a fake sampler over the current weights.
func (m *Model) Sampler(ctx context.Context) (ports.Sampler, error) {
	if err := m.trainer.call(ctx, "sampler"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return &Sampler{base: m.st.Base, digest: m.st.Digest}, nil
}

// Close releases nothing.
func (m *Model) Close(context.Context) error { return nil }

func statePath(kind, name string, st modelState) string {
	q := url.Values{}
	q.Set("base", st.Base)
	q.Set("rank", strconv.Itoa(st.Rank))
	q.Set("seed", strconv.FormatInt(st.Seed, 10))
	q.Set("step", strconv.Itoa(st.Step))
	q.Set("digest", hex.EncodeToString(st.Digest[:]))
	return "fake://" + kind + "/" + url.PathEscape(name) + "?" + q.Encode()
}

func parseStatePath(path string) (modelState, error) {
	u, err := url.Parse(path)
	if err != nil || u.Scheme != "fake" || (u.Host != "state" && u.Host != "sampler") {
		return modelState{}, fmt.Errorf("%q is not a checkpoint path of the fake trainer", path)
	}
	q := u.Query()
	var st modelState
	st.Base = q.Get("base")
	rank, err1 := strconv.Atoi(q.Get("rank"))
	seed, err2 := strconv.ParseInt(q.Get("seed"), 10, 64)
	step, err3 := strconv.Atoi(q.Get("step"))
	d, err4 := hex.DecodeString(q.Get("digest"))
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(d) != 32 {
		return modelState{}, fmt.Errorf("malformed fake checkpoint path %q", path)
	}
	st.Rank, st.Seed, st.Step = rank, seed, step
	copy(st.Digest[:], d)
	return st, nil
}

// samplerDigest returns the fingerprint a SamplerSpec designates.
func samplerDigest(spec ports.SamplerSpec) (string, [32]byte, error) {
	if spec.ModelPath == "" {
		return spec.BaseModel, digestOf("base", spec.BaseModel), nil
	}
	st, err := parseStatePath(spec.ModelPath)
	if err != nil {
		return "", [32]byte{}, err
	}
	if !strings.HasPrefix(spec.ModelPath, "fake://") {
		return "", [32]byte{}, fmt.Errorf("not a fake path: %q", spec.ModelPath)
	}
	return st.Base, st.Digest, nil
}
