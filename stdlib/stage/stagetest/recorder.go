package stagetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Recorder is a test-only Trainer whose "weights" are the list of batches
// applied by optim_step, each batch written as the first input token of
// each of its datums. Operations run in submission order on a worker
// goroutine, like a real service, so pipelining is exercised. Forward
// returns logprobs that depend only on the number of steps applied, so
// metrics are a deterministic function of the training state.
type Recorder struct {
	mu     sync.Mutex
	saved  map[string][]string // path -> applied batches
	Models []*RecordingClient
	// Info is returned by every client's Info.
	Info ports.ModelInfo
	// OnOptimStep, if set, is called (on the worker) after each optim
	// step with the number of steps the client has applied.
	OnOptimStep func(applied int)
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{saved: map[string][]string{}, Info: ports.ModelInfo{BaseModel: "test/model", TokenizerID: ports.ByteTokenizerID}}
}

// Capabilities implements ports.Trainer.
func (r *Recorder) Capabilities(context.Context) (ports.Capabilities, error) {
	return ports.Capabilities{}, nil
}

// CreateModel implements ports.Trainer.
func (r *Recorder) CreateModel(_ context.Context, req ports.CreateModelRequest) (ports.TrainingClient, error) {
	return r.newClient(nil, req.BaseModel), nil
}

// LoadModel implements ports.Trainer.
func (r *Recorder) LoadModel(_ context.Context, req ports.LoadModelRequest) (ports.TrainingClient, error) {
	r.mu.Lock()
	state, ok := r.saved[req.Path]
	r.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no saved state %q", req.Path)
	}
	return r.newClient(state, "loaded"), nil
}

// Close implements ports.Trainer.
func (r *Recorder) Close() error { return nil }

func (r *Recorder) newClient(state []string, base string) *RecordingClient {
	c := &RecordingClient{r: r, applied: slices.Clone(state), work: make(chan func(), 1024), base: base}
	go func() {
		for f := range c.work {
			f()
		}
	}()
	r.mu.Lock()
	r.Models = append(r.Models, c)
	r.mu.Unlock()
	return c
}

// RecordingClient is one model of a Recorder (test-only).
type RecordingClient struct {
	r       *Recorder
	base    string
	mu      sync.Mutex
	applied []string
	grad    []string // batches since the last optim step
	work    chan func()
	// Forwards counts forward calls (evaluations).
	Forwards int
}

// Applied returns the batches the client's weights have seen, in order.
func (c *RecordingClient) Applied() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.applied)
}

func submit[T any](c *RecordingClient, fn func() (T, error)) ports.Future[T] {
	p := ports.NewPromise[T]()
	c.work <- func() { p.Resolve(fn()) }
	return p
}

func fingerprint(data []ports.Datum) string {
	s := ""
	for i, d := range data {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(d.ModelInput.Chunks[0].Tokens[0])
	}
	return s
}

func (c *RecordingClient) output(data []ports.Datum) ports.ForwardBackwardOutput {
	lp := float32(-1 / (1 + 0.25*float64(len(c.applied))))
	var out ports.ForwardBackwardOutput
	for _, d := range data {
		n := d.LossFnInputs["target_tokens"].Len()
		v := make([]float32, n)
		for i := range v {
			v[i] = lp * float32(1+math.Mod(float64(i), 3)/10)
		}
		out.LossFnOutputs = append(out.LossFnOutputs, map[string]ports.TensorData{"logprobs": ports.FloatTensor(v)})
	}
	return out
}

// Info implements ports.TrainingClient.
func (c *RecordingClient) Info(context.Context) (ports.ModelInfo, error) { return c.r.Info, nil }

// Forward implements ports.TrainingClient.
func (c *RecordingClient) Forward(_ context.Context, data []ports.Datum, _ string, _ map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return submit(c, func() (ports.ForwardBackwardOutput, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.Forwards++
		return c.output(data), nil
	})
}

// ForwardBackward implements ports.TrainingClient.
func (c *RecordingClient) ForwardBackward(_ context.Context, data []ports.Datum, _ string, _ map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return submit(c, func() (ports.ForwardBackwardOutput, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.grad = append(c.grad, fingerprint(data))
		return c.output(data), nil
	})
}

// OptimStep implements ports.TrainingClient.
func (c *RecordingClient) OptimStep(_ context.Context, p ports.AdamParams) ports.Future[ports.OptimStepResult] {
	return submit(c, func() (ports.OptimStepResult, error) {
		c.mu.Lock()
		c.applied = append(c.applied, c.grad...)
		c.grad = nil
		n := len(c.applied)
		c.mu.Unlock()
		if c.r.OnOptimStep != nil {
			c.r.OnOptimStep(n)
		}
		return ports.OptimStepResult{Metrics: map[string]float64{"optim/lr_seen": p.LearningRate}}, nil
	})
}

func (c *RecordingClient) save(kind, name string) ports.Future[string] {
	return submit(c, func() (string, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		path := fmt.Sprintf("mem://%s/%s/%d", kind, name, len(c.r.saved))
		c.r.mu.Lock()
		c.r.saved[path] = slices.Clone(c.applied)
		c.r.mu.Unlock()
		return path, nil
	})
}

// SaveState implements ports.TrainingClient.
func (c *RecordingClient) SaveState(_ context.Context, name string, _ ports.SaveOptions) ports.Future[string] {
	return c.save("state", name)
}

// SaveSamplerWeights implements ports.TrainingClient.
func (c *RecordingClient) SaveSamplerWeights(_ context.Context, name string, _ ports.SaveOptions) ports.Future[string] {
	return c.save("sampler", name)
}

// LoadState implements ports.TrainingClient.
func (c *RecordingClient) LoadState(_ context.Context, path string, _ bool) ports.Future[struct{}] {
	return submit(c, func() (struct{}, error) {
		c.r.mu.Lock()
		state, ok := c.r.saved[path]
		c.r.mu.Unlock()
		if !ok {
			return struct{}{}, fmt.Errorf("no saved state %q", path)
		}
		c.mu.Lock()
		c.applied = slices.Clone(state)
		c.mu.Unlock()
		return struct{}{}, nil
	})
}

// Sampler implements ports.TrainingClient.
func (c *RecordingClient) Sampler(context.Context) (ports.Sampler, error) {
	return nil, fmt.Errorf("the recording client does not sample")
}

// Close implements ports.TrainingClient.
func (c *RecordingClient) Close(context.Context) error { return nil }

// SavedState returns the batches a saved path holds.
func (r *Recorder) SavedState(path string) ([]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.saved[path]
	return slices.Clone(s), ok
}
