// Package sample implements the sample stage kind: it generates
// completions for the prompts of a dataset with a checkpoint's sampler
// weights (or a base model) and writes them to <stage dir>/samples.jsonl.
package sample

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/chatsetup"
	"github.com/cookbookc/cookbookc/stdlib/data"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Kind is the stage kind's catalog name.
const Kind = "sample"

// SamplesFile is the file in the stage directory holding the completions.
const SamplesFile = "samples.jsonl"

// Config is sample's decoded inputs (Schema gives defaults and bounds).
type Config struct {
	Checkpoint *ports.Checkpoint  `input:"checkpoint"`
	Model      string             `input:"model"`
	Dataset    ir.Dataset         `input:"dataset"`
	Renderer   *stage.RendererRef `input:"renderer"`
	NumSamples int                `input:"num_samples"`
	Stop       []string           `input:"stop"`
	Limit      int                `input:"limit"`
	Seed       int64              `input:"seed"`
	stage.Sampling
}

var kind = stage.Define(&Schema, run)

func init() { stage.Register(kind) }

// Run runs a sample stage: its inputs decode into a Config.
func Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) { return kind.Impl.Run(ctx, env) }

// record is one line of samples.jsonl: a prompt and its completions.
type record struct {
	Row         string                 `json:"row"`
	Prompt      []chat.Message         `json:"prompt"`
	Reference   string                 `json:"reference,omitempty"`
	Completions []chatsetup.Completion `json:"completions"`
}

// run implements the sample stage.
func run(ctx context.Context, env *stage.Env, cfg Config) (stage.Outputs, error) {
	ckpt := cfg.Checkpoint
	model, err := chatsetup.TargetModel(ckpt, cfg.Model)
	if err != nil {
		return nil, err
	}
	r, how, err := chatsetup.Renderer(cfg.Renderer, chatsetup.CheckpointRenderer(ckpt), model)
	if err != nil {
		return nil, err
	}
	ds, err := chatsetup.LoadDataset(ctx, env, cfg.Dataset, data.Options{PromptOnly: true, Roles: r.Roles()})
	if err != nil {
		return nil, err
	}
	examples, _ := ds.Split("all")
	examples = chatsetup.Limit(examples, cfg.Limit)
	sampler, info, err := chatsetup.OpenSampler(ctx, env, ckpt, model)
	if err != nil {
		return nil, err
	}
	env.Log.Info("sample", "model", model, "renderer", how, "prompts", len(examples))
	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	prompts := make([][]chat.Message, len(examples))
	refs := make([]string, len(examples))
	for i, ex := range examples {
		prompts[i], refs[i], _ = chatsetup.PromptAndReference(ex.Messages)
		if len(prompts[i]) == 0 {
			return nil, fmt.Errorf("%s: the conversation has no prompt before its assistant message", ex.Where())
		}
	}
	sampling := chatsetup.NewSampleConfig(cfg.Sampling, cfg.NumSamples, cfg.Seed, cfg.Stop)
	if env.Progress != nil {
		env.Progress.Start(len(prompts), "prompts")
	}
	gens, err := chatsetup.Generate(ctx, sampler, r, tok, prompts, sampling)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	count := 0
	for i, comps := range gens {
		if err := enc.Encode(record{Row: examples[i].Where(), Prompt: prompts[i], Reference: refs[i], Completions: comps}); err != nil {
			return nil, err
		}
		count += len(comps)
	}
	if env.Progress != nil {
		env.Progress.Update(len(prompts), nil)
	}
	path := filepath.Join(env.Dir, SamplesFile)
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return nil, err // names the file
	}
	return stage.Outputs{"samples": path, "count": count}, nil
}
