// Package sft implements the supervised_train stage kind: supervised
// fine-tuning on a chat dataset with the cross_entropy loss, following
// tinker-cookbook's supervised.train (../shared/reference/cookbook-semantics.md §3) without its
// resume bug. The loop itself is in trainloop; this file turns the
// stage's inputs into datums and a training client, and handles resume.
package sft

import (
	"context"
	"errors"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/chatsetup"
	"github.com/cookbookc/cookbookc/stdlib/data"
	"github.com/cookbookc/cookbookc/stdlib/datum"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/trainloop"
)

// Kind is the stage kind's catalog name.
const Kind = "supervised_train"

// Config is supervised_train's decoded inputs (Schema gives defaults and
// bounds).
type Config struct {
	Model          string             `input:"model"`
	Dataset        ir.Dataset         `input:"dataset"`
	Renderer       *stage.RendererRef `input:"renderer"`
	TrainOn        renderers.TrainOn  `input:"train_on"`
	LearningRate   float64            `input:"learning_rate"`
	LRSchedule     string             `input:"lr_schedule"`
	WarmupSteps    int                `input:"warmup_steps"`
	NumEpochs      int                `input:"num_epochs"`
	BatchSize      int                `input:"batch_size"`
	MaxLength      int                `input:"max_length"`
	Reduction      datum.Reduction    `input:"reduction"`
	LoRARank       int                `input:"lora_rank"`
	SubmitAhead    int                `input:"submit_ahead"`
	LoadCheckpoint *ports.Checkpoint  `input:"load_checkpoint"`
	Seed           int64              `input:"seed"`
	stage.Cadence
	stage.Adam
}

var kind = stage.Define(&Schema, run)

func init() { stage.Register(kind) }

// Run runs a supervised_train stage: its inputs decode into a Config.
func Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) { return kind.Impl.Run(ctx, env) }

// loopConfig is the training loop's part of the config.
func (c Config) loopConfig(renderer string) trainloop.Config {
	return trainloop.Config{
		LearningRate: c.LearningRate,
		Schedule:     c.LRSchedule,
		WarmupSteps:  c.WarmupSteps,
		NumEpochs:    c.NumEpochs,
		BatchSize:    c.BatchSize,
		MaxSteps:     c.MaxSteps,
		SaveEvery:    c.SaveEvery,
		EvalEvery:    c.EvalEvery,
		SubmitAhead:  c.SubmitAhead,
		TTL:          c.TTL(),
		ShuffleSeed:  c.Dataset.ShuffleSeed,
		Adam:         c.Adam.Params(),
		Renderer:     renderer,
	}
}

// run implements the supervised_train stage.
func run(ctx context.Context, env *stage.Env, cfg Config) (stage.Outputs, error) {
	model := cfg.Model
	if model == "" && cfg.LoadCheckpoint != nil {
		model = cfg.LoadCheckpoint.BaseModel
	}
	if model == "" {
		return nil, errors.New("model is empty and load_checkpoint names no base model")
	}
	r, how, err := chatsetup.Renderer(cfg.Renderer, chatsetup.CheckpointRenderer(cfg.LoadCheckpoint), model)
	if err != nil {
		return nil, err
	}
	// Read and convert every row before any model is created: a bad
	// dataset must fail before the run costs anything. Rows must use the
	// renderer's roles.
	ds, err := chatsetup.LoadDataset(ctx, env, cfg.Dataset, data.Options{Roles: r.Roles()})
	if err != nil {
		return nil, err
	}

	var resumeRec *stage.CheckpointRecord
	if env.Resume {
		rec, ok, err := env.Checkpoints.LastWithState()
		if err != nil {
			return nil, fmt.Errorf("cannot resume: %w", err)
		}
		if ok {
			resumeRec = &rec
		}
	}
	loop := cfg.loopConfig(r.Name())
	if resumeRec != nil && resumeRec.Renderer != "" && resumeRec.Renderer != r.Name() {
		return nil, fmt.Errorf("cannot resume: checkpoint %s was trained with renderer %s, the stage now uses %s", resumeRec.Name, resumeRec.Renderer, r.Name())
	}
	if resumeRec != nil && resumeRec.Final {
		env.Log.Info("training already finished in an earlier attempt; reusing its final checkpoint")
		return finishedOutputs(env, model, cfg.LoRARank, *resumeRec)
	}

	start := chatsetup.TrainingStart{BaseModel: model, LoRARank: cfg.LoRARank, Seed: cfg.Seed, Renderer: r.Name(), Checkpoint: cfg.LoadCheckpoint}
	if resumeRec != nil {
		start.ResumeFrom = resumeRec.StatePath
		env.Log.Info("resuming from checkpoint", "name", resumeRec.Name, "step", resumeRec.Step, "state_path", start.ResumeFrom)
	} else if cfg.LoadCheckpoint != nil {
		env.Log.Info("starting from checkpoint weights (fresh optimizer)", "state_path", cfg.LoadCheckpoint.StatePath)
	}
	tc, info, err := chatsetup.OpenTrainingClient(ctx, env, start)
	if err != nil {
		return nil, err
	}
	defer tc.Close(context.WithoutCancel(ctx))
	env.Log.Info("supervised_train", "model", model, "renderer", how, "train_on", string(cfg.TrainOn), "tokenizer", info.TokenizerID)

	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	maxLength := cfg.MaxLength
	if info.ContextLength > 0 && maxLength > info.ContextLength {
		env.Log.Warn("max_length exceeds the model's context length; using the context length", "max_length", maxLength, "context_length", info.ContextLength)
		maxLength = info.ContextLength
	}
	b := &datum.Builder{Renderer: r, Tokenizer: tok, TrainOn: cfg.TrainOn, MaxLength: maxLength, Reduction: cfg.Reduction}
	train, empty, err := chatsetup.Datums(ctx, b, ds.Train)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", ds.Name, err)
	}
	if err := chatsetup.CheckNotAllEmpty(env.Log, "training", len(train), empty, maxLength); err != nil {
		return nil, err
	}
	test, emptyTest, err := chatsetup.Datums(ctx, b, ds.Test)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", ds.Name, err)
	}
	if err := chatsetup.CheckNotAllEmpty(env.Log, "test", len(test), emptyTest, maxLength); err != nil {
		return nil, err
	}
	nb, total, err := trainloop.Plan(loop, len(train))
	if err != nil {
		return nil, err
	}
	env.Log.Info("plan", "train_examples", len(train), "test_examples", len(test), "batches_per_epoch", nb, "steps", total)

	first := 0
	if resumeRec != nil {
		pos, err := trainloop.FromRecord(*resumeRec, nb)
		if err != nil {
			return nil, err
		}
		first = pos.Step
	}
	if env.Resume {
		// Drop what the interrupted attempt logged after its checkpoint;
		// those steps are trained again from the saved state.
		if err := env.Metrics.TruncateFrom(first); err != nil {
			return nil, err
		}
	}
	res, err := trainloop.Run(ctx, tc, loop, trainloop.Data{Train: train, Test: test, TokenBytes: chatsetup.TokenBytes(tok)},
		trainloop.Env{Log: env.Log, Metrics: env.Metrics, Checkpoints: env.Checkpoints, Progress: env.Progress}, first)
	if err != nil {
		return nil, err
	}
	return stage.Outputs{
		"final_checkpoint": ports.Checkpoint{
			StatePath: res.StatePath, SamplerPath: res.SamplerPath, BaseModel: model,
			Renderer: r.Name(), LoRARank: cfg.LoRARank, Step: res.Steps,
		},
		"metrics": res.Metrics,
	}, nil
}

// finishedOutputs rebuilds the outputs of a stage whose final checkpoint
// was already recorded, exactly as the finished run returned them.
func finishedOutputs(env *stage.Env, model string, loraRank int, rec stage.CheckpointRecord) (stage.Outputs, error) {
	recs, err := env.Metrics.Records()
	if err != nil {
		return nil, err
	}
	return stage.Outputs{
		"final_checkpoint": ports.Checkpoint{StatePath: rec.StatePath, SamplerPath: rec.SamplerPath, BaseModel: model, Renderer: rec.Renderer, LoRARank: loraRank, Step: rec.Step},
		"metrics":          trainloop.OutputMetrics(recs, rec.Step),
	}, nil
}
