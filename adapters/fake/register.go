package fake

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/catalog"
)

func init() {
	latency := catalog.Field{Name: "latency_ms", Type: catalog.Int, Default: int64(0), Min: catalog.AtLeast(0),
		Doc: "Wait this long (cancellable) in every operation, to make stages slow enough to interrupt."}
	reg := func(port, summary string, cfg []catalog.Field, f registry.Factory) {
		registry.Register(registry.Adapter{
			Schema: catalog.AdapterSchema{Port: port, Name: Name, Summary: "Test fake: " + summary, Config: cfg, Fake: true},
			New:    f,
		})
	}
	reg(catalog.PortTrainingClient, "deterministic trainer that keeps a fingerprint of its updates instead of weights.",
		[]catalog.Field{
			latency,
			{Name: "fail_op", Type: catalog.String, Default: "", Enum: TrainerOps, Doc: "Fail this operation (e.g. \"forward_backward\", \"optim_step\", \"save_state\") to test failure handling."},
			{Name: "fail_at", Type: catalog.Int, Default: int64(1), Min: catalog.AtLeast(1), Doc: "Fail the fail_op operation at its N-th call."},
		},
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewTrainer(ms(cfg), cfg.String("fail_op"), cfg.Int("fail_at")), nil
		})
	reg(catalog.PortSamplingClient, "deterministic sampler over byte-level tokens.", []catalog.Field{latency},
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewSamplingService(ms(cfg)), nil
		})
	reg(catalog.PortDatasetStore, "synthetic arithmetic chat rows, whatever the source.", []catalog.Field{
		{Name: "rows", Type: catalog.Int, Default: int64(64), Min: catalog.AtLeast(0), Doc: "Number of rows every dataset has."},
		{Name: "format", Type: catalog.String, Default: "messages", Enum: RowFormats, Doc: "Row format of the rows."},
		{Name: "bad_every", Type: catalog.Int, Default: int64(0), Min: catalog.AtLeast(0), Doc: "Make every N-th row undecodable; 0 never."},
	}, func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
		return &DatasetStore{Rows: int(cfg.Int("rows")), Format: cfg.String("format"), BadEvery: int(cfg.Int("bad_every"))}, nil
	})
	reg(catalog.PortBlobStore, "in-memory blobs, lost at exit.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewBlobStore(), nil
		})
	reg(catalog.PortHubClient, "every repository holds README.md and data.jsonl, written under the run directory.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			if env.RunDir == "" {
				return nil, fmt.Errorf("needs a run directory")
			}
			return &HubClient{Dir: filepath.Join(env.RunDir, "fake-hub")}, nil
		})
	reg(catalog.PortLLMClient, "replies \"fake reply #N to: ...\".", []catalog.Field{
		{Name: "api_key", Type: catalog.String, Sensitive: true, Doc: "Ignored; lets tests check that keys never leak."},
	}, func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) { return LLMClient{}, nil })
	reg(catalog.PortEmbeddingClient, "unit vectors derived from each text.", []catalog.Field{
		{Name: "dim", Type: catalog.Int, Default: int64(8), Min: catalog.AtLeast(1), Doc: "Vector dimensions."},
	}, func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
		return EmbeddingClient{Dim: int(cfg.Int("dim"))}, nil
	})
	reg(catalog.PortVectorStore, "in-memory collections, cosine ranking.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return NewVectorStore(), nil
		})
	reg(catalog.PortMetricsSink, "keeps logged metrics in memory.", nil,
		func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return &MetricsSink{}, nil
		})
}

func ms(cfg registry.Config) time.Duration {
	return time.Duration(cfg.Int("latency_ms")) * time.Millisecond
}
