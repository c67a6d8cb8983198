package local

import (
	"context"
	"path/filepath"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func configFields(training bool) []schema.Field {
	f := []schema.Field{
		{Name: "root", Type: schema.String, Default: "", Doc: "Checkpoint directory that local:// paths are relative to; empty means <run dir>/local."},
		{Name: "threads", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Worker threads per model for the matrix kernels; 0 uses every core."},
	}
	if training {
		f = append(f, schema.Field{Name: "lora_alpha", Type: schema.Number, Default: 32.0, Min: schema.Above(0), Doc: "LoRA alpha: adapter outputs are scaled by lora_alpha / lora_rank."})
	}
	return f
}

func options(cfg registry.Config, env registry.Env) Options {
	root := cfg.String("root")
	if root == "" {
		root = filepath.Join(env.RunDir, "local")
	}
	return Options{Root: root, Threads: int(cfg.Int("threads")), LoRAAlpha: cfg.Float("lora_alpha"), Logger: env.Logger}
}

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{Port: schema.PortTrainingClient, Name: Name, Config: configFields(true),
			Summary: "Trains a real byte-level transformer in this process (local/tiny, local/small; remote names run on a stand-in)."},
		New: func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewTrainer(options(cfg, env))
		},
	})
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{Port: schema.PortSamplingClient, Name: Name, Config: configFields(false),
			Summary: "Samples from local models: base models by name or local:// weights saved by the local training adapter."},
		New: func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewSamplingService(options(cfg, env))
		},
	})
}
