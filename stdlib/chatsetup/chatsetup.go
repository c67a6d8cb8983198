// Package chatsetup is what the chat stage kinds (supervised_train,
// evaluate, sample, and the kinds to come) share, so that no stage kind
// imports another's package: choosing the renderer (the recipe's, else the
// checkpoint's, else the model's recommended one), loading the tokenizer
// the model's info names, turning conversations into datums with errors
// that name the dataset row, and splitting conversations into a prompt and
// a reference answer.
package chatsetup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/data"
	"github.com/cookbookc/cookbookc/stdlib/datum"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// Renderer picks and builds a stage's renderer: the recipe's renderer
// input (ref) when set, else the renderer the checkpoint was trained
// with, else the model's recommended renderer. It returns the renderer
// and a sentence saying how it was chosen.
func Renderer(ref *stage.RendererRef, checkpointRenderer, model string) (renderers.Renderer, string, error) {
	if ref != nil {
		if ref.Custom != nil {
			r, err := renderers.FromIR(ref.Custom)
			if err != nil {
				return nil, "", fmt.Errorf("renderer %s: %w", ref.Name, err)
			}
			return r, fmt.Sprintf("renderer %s (declared in the recipe)", ref.Name), nil
		}
		r, err := renderers.Get(ref.Name)
		if err != nil {
			return nil, "", err
		}
		return r, "renderer " + ref.Name, nil
	}
	if checkpointRenderer != "" {
		r, err := renderers.Get(checkpointRenderer)
		if err != nil {
			return nil, "", fmt.Errorf("the checkpoint's renderer: %w", err)
		}
		return r, fmt.Sprintf("renderer %s (the checkpoint's)", checkpointRenderer), nil
	}
	name, listed := renderers.RecommendedName(model)
	r, err := renderers.Get(name)
	if err != nil {
		return nil, "", err
	}
	how := "recommended for " + model
	if !listed {
		how = "the default for models the table does not list"
	}
	return r, fmt.Sprintf("renderer %s (%s)", name, how), nil
}

// Tokenizer loads the tokenizer a model's info names, else the base
// model's (byte-level with the renderer's special tokens for byte-level
// models, else the hub tokenizer, gated models through their ungated
// copies (tokenizer.RepoForModel); the hub port is only opened then) and
// returns it with r as
// it renders for that tokenizer (renderers.ForTokenizer: role_colon starts
// with the tokenizer's BOS when it has one). Use the returned renderer
// from then on.
func Tokenizer(ctx context.Context, p stage.Ports, info ports.ModelInfo, r renderers.Renderer) (tokenizer.Tokenizer, renderers.Renderer, error) {
	id := info.TokenizerID
	if id == "" {
		id = info.BaseModel
	}
	var hub ports.HubClient
	if id != ports.ByteTokenizerID {
		h, err := p.Hub(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("tokenizer %s: %w", id, err)
		}
		hub = h
	}
	tok, err := tokenizer.Load(ctx, hub, id, r.SpecialTokens())
	if err != nil {
		return nil, nil, err
	}
	bound, err := renderers.ForTokenizer(r, tok)
	if err != nil {
		return nil, nil, err
	}
	return tok, bound, nil
}

// AnnounceStandIn logs, prominently, that the adapter runs a stand-in
// for the requested model.
func AnnounceStandIn(log *slog.Logger, info ports.ModelInfo) {
	if info.StandIn != "" {
		log.Warn("STAND-IN MODEL: " + info.StandIn)
	}
}

// TokenBytes returns a function giving the UTF-8 length of a token's
// text (0 for special tokens), memoised; it feeds the bits-per-byte
// metrics.
func TokenBytes(tok tokenizer.Tokenizer) func(int) int {
	cache := map[int]int{}
	return func(id int) int {
		if n, ok := cache[id]; ok {
			return n
		}
		n := 0
		if !tok.IsSpecial(id) {
			n = len(tok.Decode([]int{id}))
		}
		cache[id] = n
		return n
	}
}

// Datums builds the datums of examples. Rendering errors name the row
// (file:line). empty counts examples left without trained tokens by
// truncation; they are dropped.
func Datums(ctx context.Context, b *datum.Builder, examples []data.Example) (out []ports.Datum, empty int, err error) {
	for i, ex := range examples {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		ds, e, err := b.Conversation(ex.Messages)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", ex.Where(), err)
		}
		empty += e
		out = append(out, ds...)
	}
	return out, empty, nil
}

// ErrNoTrainedTokens is returned when max_length leaves nothing to train.
var ErrNoTrainedTokens = errors.New("no example has trained tokens")

// CheckNotAllEmpty turns "every example was truncated to nothing" into
// an error naming max_length, and logs how many were dropped otherwise.
func CheckNotAllEmpty(log *slog.Logger, split string, kept, empty, maxLength int) error {
	if kept == 0 && empty > 0 {
		return fmt.Errorf("%w: max_length = %d truncates all %d %s examples to nothing (no trained tokens left); raise max_length", ErrNoTrainedTokens, maxLength, empty, split)
	}
	if empty > 0 {
		log.Warn("dropped examples without trained tokens", "split", split, "dropped", empty, "kept", kept, "max_length", maxLength)
	}
	return nil
}

// PromptAndReference splits a conversation for sampling: the prompt is
// every message before the final assistant message, and the reference
// answer that message's text. A conversation that does not end with an
// assistant message is all prompt, with no reference.
func PromptAndReference(msgs []chat.Message) (prompt []chat.Message, reference string, hasReference bool) {
	if n := len(msgs); n > 0 && msgs[n-1].Role == "assistant" {
		return msgs[:n-1], msgs[n-1].Content.Text(), true
	}
	return msgs, "", false
}

// CheckpointRenderer returns the renderer a checkpoint was trained with
// ("" for no checkpoint), for Renderer.
func CheckpointRenderer(ckpt *ports.Checkpoint) string {
	if ckpt == nil {
		return ""
	}
	return ckpt.Renderer
}

// Limit applies a stage's limit input (0 keeps every example).
func Limit(examples []data.Example, n int) []data.Example {
	if n > 0 && n < len(examples) {
		return examples[:n]
	}
	return examples
}

// LoadDataset reads a dataset through the stage's dataset_store port,
// relative paths resolved against the recipe directory, and reports the
// bad rows it skipped under skip_bad_rows.
func LoadDataset(ctx context.Context, env *stage.Env, d ir.Dataset, opts data.Options) (*data.Dataset, error) {
	store, err := env.Ports.Datasets(ctx)
	if err != nil {
		return nil, err
	}
	baseDir := ""
	if env.Plan != nil {
		baseDir = env.Plan.BaseDir
	}
	ds, err := data.Load(ctx, store, d, baseDir, opts)
	if err != nil {
		return nil, err
	}
	if ds.Skipped > 0 {
		env.Log.Warn(fmt.Sprintf("dataset %q: skipped %d bad row(s) (skip_bad_rows = true); first: %v", ds.Name, ds.Skipped, ds.FirstSkipped))
	}
	return ds, nil
}

// TargetModel is the base model a sampling or evaluating stage works on:
// its checkpoint's (when ckpt is set and names one), else its model input.
// The compiler guarantees that one of the two inputs is set, not that
// either names a model.
func TargetModel(ckpt *ports.Checkpoint, model string) (string, error) {
	if ckpt != nil && ckpt.BaseModel != "" {
		model = ckpt.BaseModel
	}
	if model == "" {
		return "", errors.New("neither the checkpoint nor the model input names a base model")
	}
	return model, nil
}

// TrainingStart says where a training client's weights come from: the
// state a resumed stage saved (ResumeFrom, with its optimizer state), else
// a checkpoint's weights with a fresh optimizer (Checkpoint), else the base
// model with a fresh LoRA of LoRARank seeded by Seed.
type TrainingStart struct {
	ResumeFrom string
	Checkpoint *ports.Checkpoint
	BaseModel  string
	LoRARank   int
	Seed       int64
	// Renderer is recorded in the client's metadata.
	Renderer string
}

// OpenTrainingClient creates or loads a training client as start says,
// through the stage's training_client port, tagged with the renderer, the
// stage and the experiment, and returns it with its model info (a local
// stand-in is announced). The caller closes it.
func OpenTrainingClient(ctx context.Context, env *stage.Env, start TrainingStart) (ports.TrainingClient, ports.ModelInfo, error) {
	trainer, err := env.Ports.Trainer(ctx)
	if err != nil {
		return nil, ports.ModelInfo{}, err
	}
	meta := map[string]string{"renderer": start.Renderer}
	if env.Stage != nil {
		meta["stage"] = env.Stage.ID
	}
	if env.Plan != nil {
		meta["recipe"] = env.Plan.Experiment
	}
	var tc ports.TrainingClient
	switch {
	case start.ResumeFrom != "":
		tc, err = trainer.LoadModel(ctx, ports.LoadModelRequest{Path: start.ResumeFrom, WithOptimizer: true, Metadata: meta})
	case start.Checkpoint != nil:
		tc, err = trainer.LoadModel(ctx, ports.LoadModelRequest{Path: start.Checkpoint.StatePath, Metadata: meta})
	default:
		tc, err = trainer.CreateModel(ctx, ports.CreateModelRequest{BaseModel: start.BaseModel, LoRA: ports.DefaultLoRA(start.LoRARank, start.Seed), Metadata: meta})
	}
	if err != nil {
		return nil, ports.ModelInfo{}, err
	}
	info, err := tc.Info(ctx)
	if err != nil {
		tc.Close(context.WithoutCancel(ctx))
		return nil, ports.ModelInfo{}, err
	}
	AnnounceStandIn(env.Log, info)
	return tc, info, nil
}
