package fake

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func init() {
	latency := schema.Field{Name: "latency_ms", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0),
		Doc: "Wait this long (cancellable) in every operation, to make stages slow enough to interrupt."}
	reg := func(port, summary string, cfg []schema.Field, f registry.Factory) {
		registry.Register(registry.Adapter{
			Schema: schema.AdapterSchema{Port: port, Name: Name, Summary: "Test fake: " + summary, Config: cfg, Fake: true},
			New:    f,
		})
	}
	reg(schema.PortTrainingClient, "deterministic trainer that keeps a fingerprint of its updates instead of weights.",
		[]schema.Field{
			latency,
			{Name: "fail_op", Type: schema.String, Default: "", Enum: TrainerOps, Doc: "Fail this operation (e.g. \"forward_backward\", \"optim_step\", \"save_state\") to test failure handling."},
			{Name: "fail_at", Type: schema.Int, Default: int64(1), Min: schema.AtLeast(1), Doc: "Fail the fail_op operation at its N-th call."},
		},
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewTrainer(ms(cfg), cfg.String("fail_op"), cfg.Int("fail_at")), nil
		})
	reg(schema.PortSamplingClient, "deterministic sampler over byte-level tokens.", []schema.Field{latency},
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewSamplingService(ms(cfg)), nil
		})
	reg(schema.PortDatasetStore, "synthetic arithmetic chat rows, whatever the source.", []schema.Field{
		{Name: "rows", Type: schema.Int, Default: int64(64), Min: schema.AtLeast(0), Doc: "Number of rows every dataset has."},
		{Name: "format", Type: schema.String, Default: "messages", Enum: RowFormats, Doc: "Row format of the rows."},
		{Name: "bad_every", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Make every N-th row undecodable; 0 never."},
	}, func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
		return &DatasetStore{Rows: int(cfg.Int("rows")), Format: cfg.String("format"), BadEvery: int(cfg.Int("bad_every"))}, nil
	})
	reg(schema.PortBlobStore, "in-memory blobs, lost at exit.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewBlobStore(), nil
		})
	reg(schema.PortHubClient, "every repository holds README.md and data.jsonl, written under the run directory.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			if env.RunDir == "" {
				return nil, fmt.Errorf("needs a run directory")
			}
			return &HubClient{Dir: filepath.Join(env.RunDir, "fake-hub")}, nil
		})
	reg(schema.PortLLMClient, "replies \"fake reply #N to: ...\".", []schema.Field{
		{Name: "api_key", Type: schema.String, Sensitive: true, Doc: "Ignored; lets tests check that keys never leak."},
	}, func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) { return LLMClient{}, nil })
	reg(schema.PortEmbeddingClient, "unit vectors derived from each text.", []schema.Field{
		{Name: "dim", Type: schema.Int, Default: int64(8), Min: schema.AtLeast(1), Doc: "Vector dimensions."},
	}, func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
		return EmbeddingClient{Dim: int(cfg.Int("dim"))}, nil
	})
	reg(schema.PortVectorStore, "in-memory collections, cosine ranking.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewVectorStore(), nil
		})
	reg(schema.PortMetricsSink, "keeps logged metrics in memory.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return &MetricsSink{}, nil
		})
}

func ms(cfg registry.Config) time.Duration {
	return time.Duration(cfg.Int("latency_ms")) * time.Millisecond
}
