// Package datum turns rendered conversations into training data
// (../shared/reference/cookbook-semantics.md §3.1): tokens with per-token weights are truncated
// to max_length, shifted into (input, target) pairs with the weights
// aligned to the targets, and reduced ("mean" makes every example's
// weights sum to 1; "none" keeps 0/1 token weights).
package datum

import (
	"errors"
	"fmt"
	"math"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// Reduction says how an example's weights are normalised.
type Reduction string

// The reductions.
const (
	// Mean divides the weights by their sum: a token-mean loss per
	// example, so long and short examples count equally.
	Mean Reduction = "mean"
	// None keeps 0/1 weights: a token-sum loss.
	None Reduction = "none"
)

// Reductions lists the reductions: the enum of the reduction input.
var Reductions = []string{string(Mean), string(None)}

// ParseReduction validates a reduction name ("" means mean).
func ParseReduction(s string) (Reduction, error) {
	switch Reduction(s) {
	case "", Mean:
		return Mean, nil
	case None:
		return None, nil
	}
	return "", fmt.Errorf("unknown reduction %q (want mean or none)", s)
}

// ErrNoLossTokens means an example has no token with positive weight left
// after truncation, so it would teach nothing.
var ErrNoLossTokens = errors.New("no trained tokens left")

// Build makes a cross_entropy Datum from a full token sequence and its
// per-token weights: truncate to maxLength tokens (from the end), then
// input = tokens[:-1], target = tokens[1:], and the weight of target t
// is the weight of token t+1. It returns ErrNoLossTokens (wrapped) when
// fewer than two tokens or no positive weight remain.
func Build(tokens []int, weights []float32, maxLength int, red Reduction) (ports.Datum, error) {
	if len(tokens) != len(weights) {
		return ports.Datum{}, fmt.Errorf("datum: %d tokens but %d weights", len(tokens), len(weights))
	}
	if maxLength > 0 && len(tokens) > maxLength {
		tokens, weights = tokens[:maxLength], weights[:maxLength]
	}
	if len(tokens) < 2 {
		return ports.Datum{}, fmt.Errorf("%w: the example has %d token(s) after truncation", ErrNoLossTokens, len(tokens))
	}
	n := len(tokens) - 1
	input := make([]int, n)
	copy(input, tokens[:n])
	targets := make([]int64, n)
	w := make([]float32, n)
	var sum float64
	for i := 0; i < n; i++ {
		targets[i] = int64(tokens[i+1])
		w[i] = weights[i+1]
		if w[i] < 0 || math.IsNaN(float64(w[i])) || math.IsInf(float64(w[i]), 0) {
			return ports.Datum{}, fmt.Errorf("datum: invalid weight %v at token %d", w[i], i+1)
		}
		sum += float64(w[i])
	}
	if sum == 0 {
		return ports.Datum{}, fmt.Errorf("%w: all %d target weights are 0", ErrNoLossTokens, n)
	}
	if red == Mean {
		for i := range w {
			w[i] = float32(float64(w[i]) / sum)
		}
	}
	return ports.Datum{
		ModelInput: ports.TokensInput(input),
		LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor(targets),
			"weights":       ports.FloatTensor(w),
		},
	}, nil
}

// Builder renders and tokenizes conversations into datums.
type Builder struct {
	Renderer  renderers.Renderer
	Tokenizer tokenizer.Tokenizer
	TrainOn   renderers.TrainOn
	MaxLength int
	Reduction Reduction
}

// Conversation returns the datums of one conversation (formats without
// the extension property may split it into several examples). empty
// counts examples dropped because truncation left them nothing to train
// on. Rendering errors are returned as is; callers name the row.
func (b *Builder) Conversation(msgs []chat.Message) (datums []ports.Datum, empty int, err error) {
	examples, err := b.Renderer.Supervised(msgs, b.TrainOn)
	if err != nil {
		return nil, 0, err
	}
	for _, segs := range examples {
		// Build keeps the first MaxLength tokens; encode no more.
		ids, weights, err := renderers.EncodeFirst(b.Tokenizer, segs, b.MaxLength)
		if err != nil {
			return nil, 0, err
		}
		d, err := Build(ids, weights, b.MaxLength, b.Reduction)
		if errors.Is(err, ErrNoLossTokens) {
			empty++
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		datums = append(datums, d)
	}
	return datums, empty, nil
}

// Weights returns a datum's target weights.
func Weights(d ports.Datum) []float32 { return d.LossFnInputs["weights"].Floats }

// Targets returns a datum's target tokens.
func Targets(d ports.Datum) []int64 { return d.LossFnInputs["target_tokens"].Ints }
