package tinker

import (
	"context"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port: schema.PortTrainingClient, Name: "tinker",
			Summary: "The remote Tinker training service: LoRA training with pipelined, retried, idempotent requests.",
			Config:  configFields(),
		},
		New: func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			c, err := parseConfig(cfg, env.Getenv)
			if err != nil {
				return nil, err
			}
			return NewTrainer(c, env.Logger)
		},
		Preflight: preflight,
	})
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port: schema.PortSamplingClient, Name: "tinker",
			Summary: "Sampling on the remote Tinker service (base models or saved sampler weights).",
			Config:  configFields(),
		},
		New: func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			c, err := parseConfig(cfg, env.Getenv)
			if err != nil {
				return nil, err
			}
			return NewSamplingService(c, env.Logger)
		},
		Preflight: preflight,
	})
}

// preflight checks the config and credentials before a run starts:
// parseConfig has no side effects (a credential command is only run
// later, when a request needs it).
func preflight(cfg registry.Config, env registry.Env) error {
	_, err := parseConfig(cfg, env.Getenv)
	return err
}
