// Package evaluate implements the evaluate stage kind: the weighted mean
// NLL of a checkpoint (or base model) on a dataset split, and
// sampling-based evaluation that generates answers with the checkpoint's
// sampler weights and grades them with a scorer. Every sample and its
// score is written to <stage dir>/samples.jsonl.
package evaluate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/chatsetup"
	"github.com/cookbookc/cookbookc/stdlib/data"
	"github.com/cookbookc/cookbookc/stdlib/datum"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/scorers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/trainloop"
)

// Kind is the stage kind's catalog name.
const Kind = "evaluate"

// SamplesFile is the file in the stage directory holding every sample.
const SamplesFile = "samples.jsonl"

// nllChunk is the number of datums per forward call.
const nllChunk = 64

func init() { stage.Register(stage.Kind{Schema: &Schema, Impl: stage.Func(Run)}) }

// sampleRecord is one line of samples.jsonl.
type sampleRecord struct {
	Row         string  `json:"row"`
	Index       int     `json:"index"`
	Sample      int     `json:"sample"`
	Prompt      string  `json:"prompt"`
	Reference   string  `json:"reference"`
	Response    string  `json:"response"`
	Extracted   string  `json:"extracted"`
	Score       float64 `json:"score"`
	StopReason  string  `json:"stop_reason"`
	Termination string  `json:"termination"`
	NumTokens   int     `json:"num_tokens"`
}

// Run implements the evaluate stage.
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
	scorerName := in.String("scorer")
	var scorer *scorers.Scorer
	if scorerName != "" && scorerName != scorers.None {
		s, err := scorers.New(scorerName, in.String("answer_pattern"))
		if err != nil {
			return nil, err
		}
		scorer = s
	}
	doNLL := !in.Has("nll") || in.Bool("nll")
	if !doNLL && scorer == nil {
		return nil, errors.New("nothing to evaluate: nll = false and scorer = \"none\"")
	}

	ds, err := chatsetup.LoadDataset(ctx, env, dsIn, data.Options{})
	if err != nil {
		return nil, err
	}
	split := in.String("split")
	if split == "" {
		split = "test"
	}
	examples, err := ds.Split(split)
	if err != nil {
		return nil, err
	}
	if split == "test" && len(examples) == 0 {
		env.Log.Info("the dataset has no test split; evaluating all rows", "dataset", ds.Name)
		examples, _ = ds.Split("all")
	}
	examples = chatsetup.Limit(examples, in)
	r, how, err := chatsetup.Renderer(in, chatsetup.CheckpointRenderer(ckpt), model)
	if err != nil {
		return nil, err
	}
	env.Log.Info("evaluate", "model", model, "renderer", how, "split", split, "examples", len(examples))

	metrics := map[string]float64{}
	if doNLL {
		m, err := evalNLL(ctx, env, ckpt, model, r, examples)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			metrics[split+"/"+k] = v
		}
	}
	if scorer != nil {
		m, err := evalSamples(ctx, env, ckpt, model, r, scorer, examples)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			metrics[split+"/"+k] = v
		}
	}
	step := 0
	if ckpt != nil {
		step = ckpt.Step
	}
	if env.Resume {
		if err := env.Metrics.TruncateFrom(0); err != nil {
			return nil, err
		}
	}
	rec := map[string]any{}
	for k, v := range metrics {
		rec[k] = v
	}
	if err := env.Metrics.Write(step, rec); err != nil {
		return nil, err
	}
	for k, v := range metrics {
		env.Log.Info("metric", "name", k, "value", v)
	}
	return stage.Outputs{"metrics": metrics}, nil
}

// evalNLL computes nll and bpb with forward passes of a training client
// holding the checkpoint's (or the base model's) weights.
func evalNLL(ctx context.Context, env *stage.Env, ckpt *ports.Checkpoint, model string, r renderers.Renderer, examples []data.Example) (map[string]float64, error) {
	trainer, err := env.Ports.Trainer(ctx)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{"renderer": r.Name(), "stage": env.Stage.ID}
	var tc ports.TrainingClient
	if ckpt != nil && ckpt.StatePath != "" {
		tc, err = trainer.LoadModel(ctx, ports.LoadModelRequest{Path: ckpt.StatePath, Metadata: meta})
	} else {
		tc, err = trainer.CreateModel(ctx, ports.CreateModelRequest{BaseModel: model, LoRA: ports.DefaultLoRA(32, env.Inputs.Int("seed")), Metadata: meta})
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
	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	maxLength := int(env.Inputs.Int("max_length"))
	if info.ContextLength > 0 && (maxLength <= 0 || maxLength > info.ContextLength) {
		maxLength = info.ContextLength
	}
	trainOn := renderers.TrainOn(env.Inputs.String("train_on"))
	if trainOn == "" {
		trainOn = renderers.AllAssistantMessages
	}
	b := &datum.Builder{Renderer: r, Tokenizer: tok, TrainOn: trainOn, MaxLength: maxLength, Reduction: datum.Mean}
	datums, empty, err := chatsetup.Datums(ctx, b, examples)
	if err != nil {
		return nil, err
	}
	if err := chatsetup.CheckNotAllEmpty(env.Log, "evaluation", len(datums), empty, maxLength); err != nil {
		return nil, err
	}
	m, err := trainloop.EvalNLL(ctx, tc, datums, nllChunk, chatsetup.TokenBytes(tok), "x")
	if err != nil {
		return nil, err
	}
	return map[string]float64{"nll": m["x/nll"], "bpb": m["x/bpb"], "num_examples": float64(len(datums))}, nil
}

// evalSamples generates answers with the checkpoint's sampler weights,
// grades them and writes samples.jsonl.
func evalSamples(ctx context.Context, env *stage.Env, ckpt *ports.Checkpoint, model string, r renderers.Renderer, scorer *scorers.Scorer, examples []data.Example) (map[string]float64, error) {
	sampler, info, err := chatsetup.OpenSampler(ctx, env, ckpt, model)
	if err != nil {
		return nil, err
	}
	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	var prompts [][]chat.Message
	var refs []string
	var rows []data.Example
	for _, ex := range examples {
		p, ref, ok := chatsetup.PromptAndReference(ex.Messages)
		if !ok {
			continue // nothing to grade against
		}
		prompts, refs, rows = append(prompts, p), append(refs, ref), append(rows, ex)
	}
	if len(prompts) == 0 {
		return nil, errors.New("no example ends with an assistant message to grade against")
	}
	cfg := chatsetup.SampleConfigFrom(env.Inputs, nil)
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
	var total, n, truncated, tokens float64
	for i, comps := range gens {
		for j, c := range comps {
			res := scorer.Score(c.Text, refs[i])
			rec := sampleRecord{
				Row: rows[i].Where(), Index: i, Sample: j, Prompt: lastUserText(prompts[i]), Reference: refs[i],
				Response: c.Text, Extracted: res.Extracted, Score: res.Score,
				StopReason: c.StopReason, Termination: c.Termination, NumTokens: c.NumTokens,
			}
			if err := enc.Encode(rec); err != nil {
				return nil, err
			}
			total += res.Score
			n++
			tokens += float64(c.NumTokens)
			if c.StopReason == ports.StopReasonLength {
				truncated++
			}
		}
	}
	if env.Progress != nil {
		env.Progress.Update(len(prompts), nil)
	}
	path := filepath.Join(env.Dir, SamplesFile)
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return nil, err // names the file
	}
	if n == 0 {
		return nil, errors.New("the sampler returned no completions")
	}
	return map[string]float64{
		"accuracy":             total / n,
		"num_samples":          n,
		"mean_response_tokens": tokens / n,
		"truncated_frac":       truncated / n,
	}, nil
}

// lastUserText is the text of the prompt's last user message, for
// samples.jsonl.
func lastUserText(msgs []chat.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return msgs[i].Content.Text()
		}
	}
	return ""
}
