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
	"github.com/cookbookc/cookbookc/compiler/ir"
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

// defaultLoRARank is the LoRA rank of the fresh training client that
// scores a base model (evaluate trains nothing, so it has no lora_rank
// input).
const defaultLoRARank = 32

// Config is evaluate's decoded inputs (Schema gives defaults and bounds).
type Config struct {
	Checkpoint    *ports.Checkpoint  `input:"checkpoint"`
	Model         string             `input:"model"`
	Dataset       ir.Dataset         `input:"dataset"`
	Split         string             `input:"split"`
	Renderer      *stage.RendererRef `input:"renderer"`
	NLL           bool               `input:"nll"`
	TrainOn       renderers.TrainOn  `input:"train_on"`
	MaxLength     int                `input:"max_length"`
	Scorer        string             `input:"scorer"`
	AnswerPattern string             `input:"answer_pattern"`
	NumSamples    int                `input:"num_samples"`
	Limit         int                `input:"limit"`
	Seed          int64              `input:"seed"`
	stage.Sampling
}

var kind = stage.Define(&Schema, run)

func init() { stage.Register(kind) }

// Run runs an evaluate stage: its inputs decode into a Config.
func Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) { return kind.Impl.Run(ctx, env) }

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

// run implements the evaluate stage.
func run(ctx context.Context, env *stage.Env, cfg Config) (stage.Outputs, error) {
	ckpt := cfg.Checkpoint
	model, err := chatsetup.TargetModel(ckpt, cfg.Model)
	if err != nil {
		return nil, err
	}
	var scorer *scorers.Scorer
	if cfg.Scorer != scorers.None {
		s, err := scorers.New(cfg.Scorer, cfg.AnswerPattern)
		if err != nil {
			return nil, err
		}
		scorer = s
	}
	if !cfg.NLL && scorer == nil {
		return nil, errors.New("nothing to evaluate: nll = false and scorer = \"none\"")
	}

	r, how, err := chatsetup.Renderer(cfg.Renderer, chatsetup.CheckpointRenderer(ckpt), model)
	if err != nil {
		return nil, err
	}
	ds, err := chatsetup.LoadDataset(ctx, env, cfg.Dataset, data.Options{Roles: r.Roles()})
	if err != nil {
		return nil, err
	}
	split := cfg.Split
	examples, err := ds.Split(split)
	if err != nil {
		return nil, err
	}
	if split == "test" && len(examples) == 0 {
		env.Log.Info("the dataset has no test split; evaluating all rows", "dataset", ds.Name)
		examples, _ = ds.Split("all")
	}
	examples = chatsetup.Limit(examples, cfg.Limit)
	env.Log.Info("evaluate", "model", model, "renderer", how, "split", split, "examples", len(examples))

	metrics := map[string]float64{}
	if cfg.NLL {
		m, err := evalNLL(ctx, env, cfg, model, r, examples)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			metrics[split+"/"+k] = v
		}
	}
	if scorer != nil {
		m, err := evalSamples(ctx, env, cfg, model, r, scorer, examples)
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
func evalNLL(ctx context.Context, env *stage.Env, cfg Config, model string, r renderers.Renderer, examples []data.Example) (map[string]float64, error) {
	start := chatsetup.TrainingStart{BaseModel: model, LoRARank: defaultLoRARank, Seed: cfg.Seed, Renderer: r.Name()}
	if cfg.Checkpoint != nil && cfg.Checkpoint.StatePath != "" {
		start.Checkpoint = cfg.Checkpoint
	}
	tc, info, err := chatsetup.OpenTrainingClient(ctx, env, start)
	if err != nil {
		return nil, err
	}
	defer tc.Close(context.WithoutCancel(ctx))
	tok, r, err := chatsetup.Tokenizer(ctx, env.Ports, info, r)
	if err != nil {
		return nil, err
	}
	maxLength := cfg.MaxLength
	if info.ContextLength > 0 && maxLength > info.ContextLength {
		maxLength = info.ContextLength
	}
	b := &datum.Builder{Renderer: r, Tokenizer: tok, TrainOn: cfg.TrainOn, MaxLength: maxLength, Reduction: datum.Mean}
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
func evalSamples(ctx context.Context, env *stage.Env, cfg Config, model string, r renderers.Renderer, scorer *scorers.Scorer, examples []data.Example) (map[string]float64, error) {
	sampler, info, err := chatsetup.OpenSampler(ctx, env, cfg.Checkpoint, model)
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
	sampling := chatsetup.NewSampleConfig(cfg.Sampling, cfg.NumSamples, cfg.Seed, nil)
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
