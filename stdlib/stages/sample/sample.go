// Package sample implements the sample stage kind: it generates
// completions for the prompts of a dataset with a checkpoint's sampler
// weights (or a base model) and writes them to <stage dir>/samples.jsonl.
package sample

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

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

func init() { stage.Register(stage.Kind{Schema: &Schema, Impl: stage.Func(Run)}) }

// record is one line of samples.jsonl: a prompt and its completions.
type record struct {
	Row         string                 `json:"row"`
	Prompt      []chat.Message         `json:"prompt"`
	Reference   string                 `json:"reference,omitempty"`
	Completions []chatsetup.Completion `json:"completions"`
}

// Run implements the sample stage.
func Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) {
	in := env.Inputs
	dsIn, ok := in.Dataset("dataset")
	if !ok {
		return nil, errors.New("input dataset is not set")
	}
	ckpt, model, err := chatsetup.Target(in)
	if err != nil {
		return nil, err
	}
	ds, err := chatsetup.LoadDataset(ctx, env, dsIn, data.Options{PromptOnly: true})
	if err != nil {
		return nil, err
	}
	examples, _ := ds.Split("all")
	examples = chatsetup.Limit(examples, in)
	r, how, err := chatsetup.Renderer(in, chatsetup.CheckpointRenderer(ckpt), model)
	if err != nil {
		return nil, err
	}
	sampler, info, err := chatsetup.OpenSampler(ctx, env, ckpt, model)
	if err != nil {
		return nil, err
	}
	env.Log.Info("sample", "model", model, "renderer", how, "prompts", len(examples))
	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	var stops []string
	if in.Has("stop") {
		if err := in.Decode("stop", &stops); err != nil {
			return nil, err
		}
	}
	prompts := make([][]chat.Message, len(examples))
	refs := make([]string, len(examples))
	for i, ex := range examples {
		prompts[i], refs[i], _ = chatsetup.PromptAndReference(ex.Messages)
		if len(prompts[i]) == 0 {
			return nil, fmt.Errorf("%s: the conversation has no prompt before its assistant message", ex.Where())
		}
	}
	cfg := chatsetup.SampleConfigFrom(in, stops)
	if env.Progress != nil {
		env.Progress.Start(len(prompts), "prompts")
	}
	gens, err := chatsetup.Generate(ctx, sampler, r, tok, prompts, cfg)
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
