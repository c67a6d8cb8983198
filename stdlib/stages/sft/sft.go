// Package sft implements the supervised_train stage kind: supervised
// fine-tuning on a chat dataset with the cross_entropy loss, following
// tinker-cookbook's supervised.train (cookbook-semantics §3) without its
// resume bug. The loop itself is in trainloop; this file turns the
// stage's inputs into datums and a training client, and handles resume.
package sft

import (
	"context"
	"errors"
	"fmt"
	"time"

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

func init() { stage.Register(stage.Kind{Schema: &Schema, Impl: stage.Func(Run)}) }

// config is the decoded stage inputs.
type config struct {
	model     string
	dataset   ir.Dataset
	trainOn   renderers.TrainOn
	maxLength int
	reduction datum.Reduction
	loraRank  int
	seed      int64
	load      *ports.Checkpoint
	loop      trainloop.Config
}

func parseConfig(in *stage.Inputs) (config, error) {
	var c config
	var ok bool
	if c.dataset, ok = in.Dataset("dataset"); !ok {
		return c, errors.New("input dataset is not set")
	}
	c.model = in.String("model")
	if ck, ok := in.Checkpoint("load_checkpoint"); ok {
		c.load = &ck
		if c.model == "" {
			c.model = ck.BaseModel
		}
	}
	if c.model == "" {
		return c, errors.New("set model (a base model name) or load_checkpoint")
	}
	c.trainOn = renderers.TrainOn(orDefault(in.String("train_on"), string(renderers.AllAssistantMessages)))
	c.maxLength = int(in.Int("max_length"))
	var err error
	if c.reduction, err = datum.ParseReduction(in.String("reduction")); err != nil {
		return c, err
	}
	c.loraRank = int(in.Int("lora_rank"))
	c.seed = in.Int("seed")
	c.loop = trainloop.Config{
		LearningRate: in.Float("learning_rate"),
		Schedule:     orDefault(in.String("lr_schedule"), "linear"),
		WarmupSteps:  int(in.Int("warmup_steps")),
		NumEpochs:    int(in.Int("num_epochs")),
		BatchSize:    int(in.Int("batch_size")),
		MaxSteps:     int(in.Int("max_steps")),
		SaveEvery:    int(in.Int("save_every")),
		EvalEvery:    int(in.Int("eval_every")),
		SubmitAhead:  int(in.Int("submit_ahead")),
		TTL:          time.Duration(in.Int("ttl_seconds")) * time.Second,
		ShuffleSeed:  c.dataset.ShuffleSeed,
		Adam: ports.AdamParams{
			Beta1: in.Float("adam_beta1"), Beta2: in.Float("adam_beta2"), Eps: in.Float("adam_eps"),
			WeightDecay: in.Float("weight_decay"), GradClipNorm: in.Float("grad_clip_norm"),
		},
	}
	if c.loop.LearningRate <= 0 {
		return c, fmt.Errorf("learning_rate must be > 0, got %v", c.loop.LearningRate)
	}
	if c.maxLength < 2 {
		return c, fmt.Errorf("max_length must be >= 2, got %d", c.maxLength)
	}
	return c, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Run implements the supervised_train stage.
func Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) {
	cfg, err := parseConfig(env.Inputs)
	if err != nil {
		return nil, err
	}
	// Read and convert every row before any model is created: a bad
	// dataset must fail before the run costs anything.
	ds, err := chatsetup.LoadDataset(ctx, env, cfg.dataset, data.Options{})
	if err != nil {
		return nil, err
	}

	var resumeRec map[string]any
	if env.Resume {
		resumeRec, _ = env.Checkpoints.Last("state_path")
	}
	checkpointRenderer := ""
	if cfg.load != nil {
		checkpointRenderer = cfg.load.Renderer
	}
	r, how, err := chatsetup.Renderer(env.Inputs, checkpointRenderer, cfg.model)
	if err != nil {
		return nil, err
	}
	cfg.loop.Renderer = r.Name()
	if resumeRec != nil {
		if prev, _ := resumeRec["renderer"].(string); prev != "" && prev != r.Name() {
			return nil, fmt.Errorf("cannot resume: checkpoint %v was trained with renderer %s, the stage now uses %s", resumeRec["name"], prev, r.Name())
		}
	}
	if resumeRec != nil && resumeRec["final"] == true {
		env.Log.Info("training already finished in an earlier attempt; reusing its final checkpoint")
		return finishedOutputs(env, cfg, resumeRec)
	}

	trainer, err := env.Ports.Trainer(ctx)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{"renderer": r.Name(), "stage": env.Stage.ID}
	if env.Plan != nil {
		meta["recipe"] = env.Plan.Experiment
	}
	var tc ports.TrainingClient
	switch {
	case resumeRec != nil:
		path, _ := resumeRec["state_path"].(string)
		env.Log.Info("resuming from checkpoint", "name", resumeRec["name"], "step", resumeRec["step"], "state_path", path)
		tc, err = trainer.LoadModel(ctx, ports.LoadModelRequest{Path: path, WithOptimizer: true, Metadata: meta})
	case cfg.load != nil:
		env.Log.Info("starting from checkpoint weights (fresh optimizer)", "state_path", cfg.load.StatePath)
		tc, err = trainer.LoadModel(ctx, ports.LoadModelRequest{Path: cfg.load.StatePath, Metadata: meta})
	default:
		tc, err = trainer.CreateModel(ctx, ports.CreateModelRequest{BaseModel: cfg.model, LoRA: ports.DefaultLoRA(cfg.loraRank, cfg.seed), Metadata: meta})
	}
	if err != nil {
		return nil, err
	}
	defer tc.Close(context.WithoutCancel(ctx))
	info, err := tc.Info(ctx)
	if err != nil {
		return nil, err
	}
	chatsetup.AnnounceStandIn(env.Log, info)
	env.Log.Info("supervised_train", "model", cfg.model, "renderer", how, "train_on", string(cfg.trainOn), "tokenizer", info.TokenizerID)

	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	maxLength := cfg.maxLength
	if info.ContextLength > 0 && maxLength > info.ContextLength {
		env.Log.Warn("max_length exceeds the model's context length; using the context length", "max_length", maxLength, "context_length", info.ContextLength)
		maxLength = info.ContextLength
	}
	b := &datum.Builder{Renderer: r, Tokenizer: tok, TrainOn: cfg.trainOn, MaxLength: maxLength, Reduction: cfg.reduction}
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
	nb, total, err := trainloop.Plan(cfg.loop, len(train))
	if err != nil {
		return nil, err
	}
	env.Log.Info("plan", "train_examples", len(train), "test_examples", len(test), "batches_per_epoch", nb, "steps", total)

	start := 0
	if resumeRec != nil {
		pos, err := trainloop.FromRecord(resumeRec, nb)
		if err != nil {
			return nil, err
		}
		start = pos.Step
	}
	if env.Resume {
		// Drop what the interrupted attempt logged after its checkpoint;
		// those steps are trained again from the saved state.
		if err := env.Metrics.TruncateFrom(start); err != nil {
			return nil, err
		}
	}
	res, err := trainloop.Run(ctx, tc, cfg.loop, trainloop.Data{Train: train, Test: test, TokenBytes: chatsetup.TokenBytes(tok)},
		trainloop.Env{Log: env.Log, Metrics: env.Metrics, Checkpoints: env.Checkpoints, Progress: env.Progress}, start)
	if err != nil {
		return nil, err
	}
	return stage.Outputs{
		"final_checkpoint": ports.Checkpoint{
			StatePath: res.StatePath, SamplerPath: res.SamplerPath, BaseModel: cfg.model,
			Renderer: r.Name(), LoRARank: cfg.loraRank, Step: res.Steps,
		},
		"metrics": res.Metrics,
	}, nil
}

// finishedOutputs rebuilds the outputs of a stage whose final checkpoint
// was already recorded, exactly as the finished run returned them.
func finishedOutputs(env *stage.Env, cfg config, rec map[string]any) (stage.Outputs, error) {
	recs, err := env.Metrics.Records()
	if err != nil {
		return nil, err
	}
	state, _ := rec["state_path"].(string)
	sampler, _ := rec["sampler_path"].(string)
	step, _ := trainloop.Number(rec["step"])
	name, _ := rec["renderer"].(string)
	return stage.Outputs{
		"final_checkpoint": ports.Checkpoint{StatePath: state, SamplerPath: sampler, BaseModel: cfg.model, Renderer: name, LoRARank: cfg.loraRank, Step: int(step)},
		"metrics":          trainloop.OutputMetrics(recs, int(step)),
	}, nil
}
