package engine

import (
	"math"
	"strings"
	"testing"
)

// TestNonFiniteInputsAreRejected: a NaN or Inf loss input is an error
// naming the input, and nothing reaches the gradients.
func TestNonFiniteInputsAreRejected(t *testing.T) {
	m := tinyModel(t, LoRA{}, 1)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	rl := func(mut func(b *Batch)) *Batch {
		b := textBatch(overfitTexts[:2]...)
		n := len(b.Tokens)
		b.Advantages, b.SamplerLogprobs = make([]float32, n), make([]float32, n)
		mut(b)
		return b
	}
	cases := []struct {
		name string
		b    *Batch
		loss Loss
		want string
	}{
		{"NaN weight", func() *Batch { b := textBatch(overfitTexts...); b.Weights[3] = nan; return b }(), DefaultLoss(CrossEntropy), "weights[3] is NaN"},
		{"Inf weight", func() *Batch { b := textBatch(overfitTexts...); b.Weights[0] = inf; return b }(), DefaultLoss(CrossEntropy), "weights[0] is +Inf"},
		{"NaN advantage", rl(func(b *Batch) { b.Advantages[5] = nan }), DefaultLoss(PPO), "advantages[5] is NaN"},
		{"Inf sampler logprob", rl(func(b *Batch) { b.SamplerLogprobs[1] = -inf }), DefaultLoss(ImportanceSampling), "logprobs[1] is -Inf"},
		{"NaN clip threshold", rl(func(b *Batch) { b.ClipHigh = make([]float32, len(b.Tokens)); b.ClipHigh[2] = nan }), DefaultLoss(CISPO), "clip_high_threshold[2] is NaN"},
	}
	for _, c := range cases {
		var res Result
		err := m.ForwardBackward(c.b, c.loss, &res)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	for i, g := range m.Base.Grad {
		if g != 0 {
			t.Fatalf("rejected batches left gradient %d = %v", i, g)
		}
	}
}

// TestNonFiniteGradientIsNotApplied: an optimizer step over a gradient
// that overflowed leaves the weights as they were and clears the
// gradients, so that training can go on.
func TestNonFiniteGradientIsNotApplied(t *testing.T) {
	m := tinyModel(t, LoRA{}, 1)
	before := append([]float32(nil), m.Base.Data...)
	var res Result
	if err := m.ForwardBackward(textBatch(overfitTexts...), DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	m.Base.Grad[7] = float32(math.Inf(-1))
	if _, err := m.OptimStep(adam); err == nil || !strings.Contains(err.Error(), "not applied") {
		t.Fatalf("err = %v, want the step refused", err)
	}
	if i := sameBits(before, m.Base.Data); i >= 0 {
		t.Fatalf("a refused step changed weight %d", i)
	}
	for i, g := range m.Base.Grad {
		if g != 0 {
			t.Fatalf("grad[%d] = %v after a refused step, want 0", i, g)
		}
	}
	if m.Step() != 0 {
		t.Fatalf("step count %d after a refused step", m.Step())
	}
	if _, err := m.OptimStep(adam); err != nil {
		t.Fatalf("the next step: %v", err)
	}
}

// TestOversizedConfigIsRejected: a checkpoint's config comes from its
// file; one claiming a huge model is an error, not a giant allocation.
func TestOversizedConfigIsRejected(t *testing.T) {
	for _, c := range []Config{
		{Name: "huge", Vocab: 1 << 40, Context: 8, Dim: 8, Layers: 1, Heads: 1, Hidden: 8},
		{Name: "wide", Vocab: 512, Context: 1 << 19, Dim: 1 << 19, Layers: 1, Heads: 1, Hidden: 8},
	} {
		if _, err := New[float32](c, LoRA{}, nil); err == nil || !strings.Contains(err.Error(), "too large") {
			t.Errorf("%s: err = %v", c.Name, err)
		}
	}
}
