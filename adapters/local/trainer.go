package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/local/engine"
	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Name is the adapter name for both ports.
const Name = "local"

// Options configures the local adapters.
type Options struct {
	// Root is the checkpoint directory; local:// paths are relative to it.
	Root string
	// Threads is the number of worker threads per model (0: every core).
	Threads int
	// LoRAAlpha scales adapters by alpha/rank.
	LoRAAlpha float64
	Logger    *slog.Logger
}

// Trainer is the local training_client adapter: it trains real models in
// this process.
type Trainer struct {
	opts Options
	mu   sync.Mutex
}

// NewTrainer returns a Trainer storing checkpoints under opts.Root.
func NewTrainer(opts Options) (*Trainer, error) {
	if opts.Root == "" {
		return nil, errors.New("no checkpoint root directory")
	}
	if opts.LoRAAlpha == 0 {
		opts.LoRAAlpha = 32
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Trainer{opts: opts}, nil
}

func wrap(op string) func(error) error {
	return func(err error) error { return ports.Wrap("training_client", Name, op, err) }
}

// Capabilities lists the built-in local models.
func (t *Trainer) Capabilities(ctx context.Context) (ports.Capabilities, error) {
	var caps ports.Capabilities
	for _, n := range engine.Names() {
		cfg, _, _ := engine.Resolve(n)
		caps.Models = append(caps.Models, ports.ModelCapability{Name: n, ContextLength: cfg.Context})
	}
	return caps, nil
}

// newModelID reserves a directory under the root for a new model: the
// local model's short name and the first free number ("tiny-0").
func (t *Trainer) newModelID(cfg engine.Config) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := os.MkdirAll(t.opts.Root, 0o755); err != nil {
		return "", err
	}
	short := cfg.Name[strings.LastIndex(cfg.Name, "/")+1:]
	for n := 0; ; n++ {
		id := fmt.Sprintf("%s-%d", short, n)
		err := os.Mkdir(filepath.Join(t.opts.Root, id), 0o755)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
}

func (t *Trainer) engineLoRA(l ports.LoRAConfig) engine.LoRA {
	out := engine.LoRA{Rank: l.Rank, Alpha: t.opts.LoRAAlpha, Seed: uint64(l.Seed), Attn: l.TrainAttn, MLP: l.TrainMLP, Unembed: l.TrainUnembed}
	if l.Rank > 0 && !l.TrainAttn && !l.TrainMLP && !l.TrainUnembed {
		// The zero value of the flags means the service's default: all.
		out.Attn, out.MLP, out.Unembed = true, true, true
	}
	return out
}

// CreateModel starts a model with fresh weights: the base model's
// deterministic initialisation plus new LoRA adapters (or full
// fine-tuning when the rank is 0).
func (t *Trainer) CreateModel(ctx context.Context, req ports.CreateModelRequest) (ports.TrainingClient, error) {
	cfg, standIn, err := engine.Resolve(req.BaseModel)
	if err != nil {
		return nil, wrap("create_model")(err)
	}
	if req.LoRA.Rank < 0 {
		return nil, wrap("create_model")(fmt.Errorf("lora rank %d is negative", req.LoRA.Rank))
	}
	pool := kern.NewPool(t.opts.Threads)
	m, err := engine.New[float32](cfg, t.engineLoRA(req.LoRA), pool)
	if err != nil {
		return nil, wrap("create_model")(err)
	}
	return t.start(req.BaseModel, standIn, m)
}

// LoadModel starts a model from a training state saved by SaveState
// (weights, and the optimizer state when req.WithOptimizer).
func (t *Trainer) LoadModel(ctx context.Context, req ports.LoadModelRequest) (ports.TrainingClient, error) {
	dir, err := resolvePath(t.opts.Root, req.Path)
	if err != nil {
		return nil, wrap("load_model")(err)
	}
	info, err := readInfo(dir)
	if err != nil {
		return nil, wrap("load_model")(err)
	}
	buf, err := os.ReadFile(filepath.Join(dir, fileWeights))
	if err != nil {
		return nil, wrap("load_model")(err)
	}
	pool := kern.NewPool(t.opts.Threads)
	m, err := engine.LoadWeights[float32](buf, pool)
	if err == nil && req.WithOptimizer {
		err = loadOptimizer(m, dir)
	}
	if err != nil {
		return nil, wrap("load_model")(fmt.Errorf("%s: %w", req.Path, err))
	}
	_, standIn, _ := engine.Resolve(info.BaseModel)
	return t.start(info.BaseModel, standIn, m)
}

func loadOptimizer(m *engine.Model[float32], dir string) error {
	buf, err := os.ReadFile(filepath.Join(dir, fileOptimizer))
	if err != nil {
		return fmt.Errorf("optimizer state: %w", err)
	}
	return m.LoadOptimizer(buf)
}

func (t *Trainer) start(baseModel, standIn string, m *engine.Model[float32]) (*TrainingClient, error) {
	id, err := t.newModelID(m.Cfg)
	if err != nil {
		return nil, wrap("create_model")(err)
	}
	c := &TrainingClient{trainer: t, id: id, model: m, q: newQueue(nil), info: ports.ModelInfo{
		ModelID: id, BaseModel: baseModel, TokenizerID: ports.ByteTokenizerID,
		IsLoRA: m.LoRA.Rank > 0, LoRARank: m.LoRA.Rank, ContextLength: m.Cfg.Context, StandIn: standIn,
	}}
	t.opts.Logger.Info("local model ready", "model_id", id, "config", m.Cfg.Name, "params", m.Cfg.NumParams(),
		"lora_rank", m.LoRA.Rank, "threads", m.Pool().Threads(), "simd", kern.Accelerated())
	return c, nil
}

// Close implements ports.Trainer; models are closed by their clients.
func (t *Trainer) Close() error { return nil }
