package local

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/cookbookc/cookbookc/adapters/local/engine"
	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
	"github.com/cookbookc/cookbookc/adapters/ports"
)

// TrainingClient drives one local model. Every operation is queued and
// executed in submission order on the model's own goroutine; the methods
// return futures at once.
type TrainingClient struct {
	trainer *Trainer
	id      string
	model   *engine.Model[float32]
	q       *queue
	info    ports.ModelInfo
	res     engine.Result
}

// Info implements ports.TrainingClient.
func (c *TrainingClient) Info(ctx context.Context) (ports.ModelInfo, error) { return c.info, nil }

// Forward implements ports.TrainingClient.
func (c *TrainingClient) Forward(ctx context.Context, data []ports.Datum, lossFn string, lossCfg map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return c.fwd(ctx, "forward", data, lossFn, lossCfg, false)
}

// ForwardBackward implements ports.TrainingClient.
func (c *TrainingClient) ForwardBackward(ctx context.Context, data []ports.Datum, lossFn string, lossCfg map[string]float64) ports.Future[ports.ForwardBackwardOutput] {
	return c.fwd(ctx, "forward_backward", data, lossFn, lossCfg, true)
}

func (c *TrainingClient) fwd(ctx context.Context, op string, data []ports.Datum, lossFn string, lossCfg map[string]float64, backward bool) ports.Future[ports.ForwardBackwardOutput] {
	// Convert now, so the caller may reuse its slices after the call.
	loss, err := parseLoss(lossFn, lossCfg)
	var b *engine.Batch
	if err == nil {
		b, err = toBatch(data, loss, lossFn)
	}
	if err != nil {
		return ports.Ready(ports.ForwardBackwardOutput{}, wrap(op)(err))
	}
	return do(c.q, ctx, wrap(op), func(context.Context) (ports.ForwardBackwardOutput, error) {
		var err error
		if backward {
			err = c.model.ForwardBackward(b, loss, &c.res)
		} else {
			err = c.model.Forward(b, loss, &c.res)
		}
		if err != nil {
			return ports.ForwardBackwardOutput{}, err
		}
		return outputs(b, &c.res), nil
	})
}

// OptimStep implements ports.TrainingClient: one AdamW step with the
// gradients accumulated since the last step. Its metrics hold the global
// gradient norm before clipping ("grad_norm:mean").
func (c *TrainingClient) OptimStep(ctx context.Context, p ports.AdamParams) ports.Future[ports.OptimStepResult] {
	return do(c.q, ctx, wrap("optim_step"), func(context.Context) (ports.OptimStepResult, error) {
		norm, err := c.model.OptimStep(engine.AdamParams{LearningRate: p.LearningRate, Beta1: p.Beta1, Beta2: p.Beta2, Eps: p.Eps, WeightDecay: p.WeightDecay, GradClipNorm: p.GradClipNorm})
		if err != nil {
			return ports.OptimStepResult{}, err
		}
		return ports.OptimStepResult{Metrics: map[string]float64{"grad_norm:mean": norm}}, nil
	})
}

func (c *TrainingClient) checkpointName(name string) (string, error) {
	if name == "" {
		return fmt.Sprintf("step-%06d", c.model.Step()), nil
	}
	return name, validName(name)
}

func (c *TrainingClient) save(ctx context.Context, op, kind, name string, withOptimizer bool) ports.Future[string] {
	return do(c.q, ctx, wrap(op), func(context.Context) (string, error) {
		name, err := c.checkpointName(name)
		if err != nil {
			return "", err
		}
		rel := path.Join(c.id, kind, name)
		files := map[string]func(*os.File) error{
			fileWeights: func(f *os.File) error { return c.model.WriteWeights(f) },
			fileInfo: writeJSON(checkpointInfo{Kind: kind, ModelID: c.id, BaseModel: c.info.BaseModel, ModelName: c.model.Cfg.Name,
				LoRARank: c.model.LoRA.Rank, Step: c.model.Step(), StandIn: c.info.StandIn}),
		}
		if withOptimizer {
			files[fileOptimizer] = func(f *os.File) error { return c.model.WriteOptimizer(f) }
		}
		if err := writeDir(filepath.Join(c.trainer.opts.Root, filepath.FromSlash(rel)), files); err != nil {
			return "", fmt.Errorf("save %s: %w", rel, err)
		}
		return Scheme + rel, nil
	})
}

// SaveState implements ports.TrainingClient: weights and optimizer state
// under <root>/<model-id>/weights/<name>, returned as local://<model-id>/weights/<name>.
// An empty name becomes "step-NNNNNN".
func (c *TrainingClient) SaveState(ctx context.Context, name string, opts ports.SaveOptions) ports.Future[string] {
	return c.save(ctx, "save_state", kindState, name, true)
}

// SaveSamplerWeights implements ports.TrainingClient: weights under
// <root>/<model-id>/sampler_weights/<name>.
func (c *TrainingClient) SaveSamplerWeights(ctx context.Context, name string, opts ports.SaveOptions) ports.Future[string] {
	return c.save(ctx, "save_sampler_weights", kindSampler, name, false)
}

// LoadState implements ports.TrainingClient. Without the optimizer, the
// AdamW state restarts from zero. Accumulated gradients are cleared. The
// checkpoint is read in full before it replaces anything, so a load that
// fails leaves the model as it was.
func (c *TrainingClient) LoadState(ctx context.Context, p string, withOptimizer bool) ports.Future[struct{}] {
	return do(c.q, ctx, wrap("load_state"), func(context.Context) (struct{}, error) {
		dir, err := resolvePath(c.trainer.opts.Root, p)
		if err != nil {
			return struct{}{}, err
		}
		buf, err := os.ReadFile(filepath.Join(dir, fileWeights))
		if err != nil {
			return struct{}{}, err
		}
		m, err := engine.LoadWeights[float32](buf, c.model.Pool())
		if err != nil {
			return struct{}{}, fmt.Errorf("%s: %w", p, err)
		}
		// Same architecture and adapter layout; the checkpoint's own
		// alpha (the scale its adapter was trained with) is kept.
		ml, cl := m.LoRA, c.model.LoRA
		if m.Cfg != c.model.Cfg || ml.Rank != cl.Rank || ml.Attn != cl.Attn || ml.MLP != cl.MLP || ml.Unembed != cl.Unembed {
			return struct{}{}, fmt.Errorf("%s is a checkpoint of %s (lora rank %d), this model is %s (lora rank %d)", p, m.Cfg.Name, m.LoRA.Rank, c.model.Cfg.Name, c.model.LoRA.Rank)
		}
		if withOptimizer {
			if err := loadOptimizer(m, dir); err != nil {
				return struct{}{}, fmt.Errorf("%s: %w", p, err)
			}
		}
		m.MaxChunkTokens = c.model.MaxChunkTokens
		c.model = m // operations run on the queue's worker only
		return struct{}{}, nil
	})
}

// Sampler implements ports.TrainingClient: a sampler over a snapshot of
// the current weights (taken after every operation submitted before).
func (c *TrainingClient) Sampler(ctx context.Context) (ports.Sampler, error) {
	f := do(c.q, ctx, wrap("sampler"), func(context.Context) (*engine.Model[float32], error) {
		return c.model.Clone(kern.NewPool(c.trainer.opts.Threads)), nil
	})
	m, err := f.Await(ctx)
	if err != nil {
		return nil, err
	}
	info := c.info
	info.ModelID = c.id + ":sampler"
	return newSampler(m, info), nil
}

// Close implements ports.TrainingClient: queued operations finish, then
// the model's threads stop.
func (c *TrainingClient) Close(ctx context.Context) error {
	if err := c.q.close(ctx); err != nil {
		return wrap("close")(err)
	}
	c.model.Pool().Close()
	return nil
}
