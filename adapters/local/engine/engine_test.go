package engine

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

func tinyModel(t testing.TB, lora LoRA, threads int) *Model[float32] {
	t.Helper()
	cfg, _, err := Resolve("local/tiny")
	if err != nil {
		t.Fatal(err)
	}
	pool := kern.NewPool(threads)
	t.Cleanup(pool.Close)
	m, err := New[float32](cfg, lora, pool)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// textBatch makes a next-byte-prediction batch from texts, weights 1/N.
func textBatch(texts ...string) *Batch {
	b := &Batch{K: 1}
	n := 0
	for _, s := range texts {
		n += len(s) - 1
	}
	for _, s := range texts {
		b.SeqStart = append(b.SeqStart, len(b.Tokens))
		for i := 0; i+1 < len(s); i++ {
			b.Tokens = append(b.Tokens, int32(s[i]))
			b.Targets = append(b.Targets, int32(s[i+1]))
			b.Weights = append(b.Weights, 1/float32(n))
		}
	}
	b.SeqStart = append(b.SeqStart, len(b.Tokens))
	return b
}

var overfitTexts = []string{
	"The quick brown fox jumps over the lazy dog.",
	"User: what is 2+2?\n\nAssistant: 4",
	"to be, or not to be, that is the question",
	"cookbookc trains a real transformer in Go.",
}

var adam = AdamParams{LearningRate: 3e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.01, GradClipNorm: 1}

func train(t testing.TB, m *Model[float32], b *Batch, steps int) float64 {
	t.Helper()
	var res Result
	for i := 0; i < steps; i++ {
		if err := m.ForwardBackward(b, DefaultLoss(CrossEntropy), &res); err != nil {
			t.Fatal(err)
		}
		if _, err := m.OptimStep(adam); err != nil {
			t.Fatal(err)
		}
	}
	return res.LossSum
}

func TestOverfitHandfulOfSequences(t *testing.T) {
	m := tinyModel(t, LoRA{}, 2)
	b := textBatch(overfitTexts...)
	var res Result
	if err := m.Forward(b, DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	start := res.LossSum
	train(t, m, b, 80)
	if err := m.Forward(b, DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	t.Logf("mean NLL: %.4f -> %.4f", start, res.LossSum)
	if res.LossSum >= 0.05 {
		t.Fatalf("mean NLL after 80 steps = %.4f, want < 0.05", res.LossSum)
	}
}

func sameBits(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestDeterminism: same seed and data give bitwise-identical weights,
// whatever the thread count.
func TestDeterminism(t *testing.T) {
	b := textBatch(overfitTexts...)
	var ref []float32
	for _, threads := range []int{1, 2, 3} {
		m := tinyModel(t, LoRA{}, threads)
		train(t, m, b, 5)
		if ref == nil {
			ref = append([]float32(nil), m.Base.Data...)
			continue
		}
		if i := sameBits(ref, m.Base.Data); i >= 0 {
			t.Fatalf("threads=%d: weight %d differs from threads=1", threads, i)
		}
	}
}

// TestSaveLoadContinueIsBitwise: stopping after 3 steps, saving weights
// and optimizer, loading them into a fresh model and taking 3 more steps
// gives bitwise the weights of 6 uninterrupted steps.
func TestSaveLoadContinueIsBitwise(t *testing.T) {
	for _, lora := range []LoRA{{}, {Rank: 4, Alpha: 8, Seed: 2, Attn: true, MLP: true, Unembed: true}} {
		b := textBatch(overfitTexts...)
		straight := tinyModel(t, lora, 2)
		train(t, straight, b, 6)

		first := tinyModel(t, lora, 2)
		train(t, first, b, 3)
		var w, o bytes.Buffer
		if err := first.WriteWeights(&w); err != nil {
			t.Fatal(err)
		}
		if err := first.WriteOptimizer(&o); err != nil {
			t.Fatal(err)
		}
		resumed, err := LoadWeights[float32](w.Bytes(), first.Pool())
		if err != nil {
			t.Fatal(err)
		}
		if err := resumed.LoadOptimizer(o.Bytes()); err != nil {
			t.Fatal(err)
		}
		if resumed.Step() != 3 {
			t.Fatalf("resumed step = %d, want 3", resumed.Step())
		}
		train(t, resumed, b, 3)
		if i := sameBits(straight.Trainable().Data, resumed.Trainable().Data); i >= 0 {
			t.Fatalf("rank %d: resumed weight %d differs from the uninterrupted run", lora.Rank, i)
		}
	}
}

func TestLoRAFreezesBaseAndFullFineTuningChangesIt(t *testing.T) {
	b := textBatch(overfitTexts...)
	lora := tinyModel(t, LoRA{Rank: 8, Alpha: 16, Seed: 1, Attn: true, MLP: true, Unembed: true}, 2)
	base := append([]float32(nil), lora.Base.Data...)
	adapter := append([]float32(nil), lora.Adapter.Data...)
	before := train(t, lora, b, 1)
	after := train(t, lora, b, 20)
	if i := sameBits(base, lora.Base.Data); i >= 0 {
		t.Fatalf("LoRA training changed base weight %d", i)
	}
	if sameBits(adapter, lora.Adapter.Data) == -1 {
		t.Fatal("LoRA training left the adapter unchanged")
	}
	if after >= before {
		t.Fatalf("LoRA loss did not fall: %v -> %v", before, after)
	}
	full := tinyModel(t, LoRA{}, 2)
	base = append([]float32(nil), full.Base.Data...)
	train(t, full, b, 1)
	if sameBits(base, full.Base.Data) == -1 {
		t.Fatal("full fine-tuning (rank 0) left the base unchanged")
	}
}

func TestGradientsAccumulateUntilOptimStep(t *testing.T) {
	m := tinyModel(t, LoRA{}, 1)
	b1 := textBatch(overfitTexts[:2]...)
	b2 := textBatch(overfitTexts[2:]...)
	var res Result
	if err := m.ForwardBackward(b1, DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	g1 := append([]float32(nil), m.Base.Grad...)
	if err := m.ForwardBackward(b2, DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	m2 := tinyModel(t, LoRA{}, 1)
	if err := m2.ForwardBackward(b2, DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	for i := range g1 {
		if want := g1[i] + m2.Base.Grad[i]; math.Abs(float64(m.Base.Grad[i]-want)) > 1e-6+1e-4*math.Abs(float64(want)) {
			t.Fatalf("grad[%d] = %v, want g1+g2 = %v", i, m.Base.Grad[i], want)
		}
	}
	if _, err := m.OptimStep(adam); err != nil {
		t.Fatal(err)
	}
	for i, g := range m.Base.Grad {
		if g != 0 {
			t.Fatalf("grad[%d] = %v after optim_step, want 0", i, g)
		}
	}
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	m := tinyModel(t, LoRA{Rank: 4, Alpha: 8, Attn: true, MLP: true, Unembed: true}, 2)
	b := textBatch(overfitTexts...)
	var res Result
	step := func() {
		if err := m.ForwardBackward(b, DefaultLoss(CrossEntropy), &res); err != nil {
			t.Fatal(err)
		}
		if _, err := m.OptimStep(adam); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if a := testing.AllocsPerRun(10, step); a != 0 {
		t.Fatalf("a training step allocates %v times", a)
	}
}

func TestSampling(t *testing.T) {
	m := tinyModel(t, LoRA{}, 2)
	train(t, m, textBatch(overfitTexts...), 80)
	ctx := context.Background()
	prompt := []int32{}
	for _, c := range []byte("The quick") {
		prompt = append(prompt, int32(c))
	}
	gen := func(p GenerateParams) *GenerateResult {
		t.Helper()
		r, err := m.Generate(ctx, prompt, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	text := func(g Generation) string {
		var sb strings.Builder
		for _, tok := range g.Tokens {
			sb.WriteByte(byte(tok))
		}
		return sb.String()
	}

	t.Run("greedy is deterministic and memorised", func(t *testing.T) {
		a := gen(GenerateParams{NumSamples: 2, MaxTokens: 20})
		b := gen(GenerateParams{NumSamples: 1, MaxTokens: 20})
		if text(a.Samples[0]) != text(b.Samples[0]) || text(a.Samples[1]) != text(a.Samples[0]) {
			t.Fatalf("greedy samples differ: %q %q %q", text(a.Samples[0]), text(a.Samples[1]), text(b.Samples[0]))
		}
		if got := text(a.Samples[0]); !strings.HasPrefix(got, " brown fox") {
			t.Fatalf("greedy continuation = %q, want the memorised \" brown fox...\"", got)
		}
	})
	t.Run("max_tokens", func(t *testing.T) {
		r := gen(GenerateParams{NumSamples: 3, MaxTokens: 7, Temperature: 1, Seed: 4})
		for _, s := range r.Samples {
			if len(s.Tokens) != 7 || s.StopReason != StopReasonLength || len(s.Logprobs) != 7 {
				t.Fatalf("sample = %d tokens, reason %q, want 7 and length", len(s.Tokens), s.StopReason)
			}
		}
	})
	t.Run("stop string", func(t *testing.T) {
		r := gen(GenerateParams{NumSamples: 1, MaxTokens: 30, StopStrings: [][]byte{[]byte("fox")}})
		s := r.Samples[0]
		if s.StopReason != StopReasonStop || !strings.HasSuffix(text(s), "fox") || strings.Count(text(s), "fox") != 1 {
			t.Fatalf("sample %q reason %q, want to end at the first \"fox\"", text(s), s.StopReason)
		}
	})
	t.Run("stop token", func(t *testing.T) {
		r := gen(GenerateParams{NumSamples: 1, MaxTokens: 30, StopTokens: []int32{'w'}})
		s := r.Samples[0]
		if s.StopReason != StopReasonStop || text(s) != " brow" {
			t.Fatalf("sample %q reason %q, want \" brow\" and stop", text(s), s.StopReason)
		}
	})
	t.Run("seeded sampling is reproducible", func(t *testing.T) {
		a := gen(GenerateParams{NumSamples: 4, MaxTokens: 15, Temperature: 1.5, TopK: 50, TopP: 0.95, Seed: 9})
		b := gen(GenerateParams{NumSamples: 4, MaxTokens: 15, Temperature: 1.5, TopK: 50, TopP: 0.95, Seed: 9})
		for i := range a.Samples {
			if text(a.Samples[i]) != text(b.Samples[i]) {
				t.Fatalf("sample %d differs with the same seed", i)
			}
		}
	})
	t.Run("logprobs equal the forward pass", func(t *testing.T) {
		r := gen(GenerateParams{NumSamples: 3, MaxTokens: 25, Temperature: 1, Seed: 11, PromptLogprobs: true})
		for _, s := range r.Samples {
			seq := append(append([]int32(nil), prompt...), s.Tokens...)
			b := &Batch{K: 1, Tokens: seq[:len(seq)-1], Targets: seq[1:], SeqStart: []int{0, len(seq) - 1}}
			b.Weights = make([]float32, len(b.Targets))
			var res Result
			if err := m.Forward(b, DefaultLoss(CrossEntropy), &res); err != nil {
				t.Fatal(err)
			}
			for i, lp := range s.Logprobs {
				want := res.Logprobs[len(prompt)-1+i]
				if math.Abs(float64(lp-want)) > 1e-5 {
					t.Fatalf("token %d: sampled logprob %v, forward %v", i, lp, want)
				}
			}
			for i := 1; i < len(prompt); i++ {
				if math.Abs(float64(r.PromptLogprobs[i]-res.Logprobs[i-1])) > 1e-5 {
					t.Fatalf("prompt token %d: logprob %v, forward %v", i, r.PromptLogprobs[i], res.Logprobs[i-1])
				}
			}
		}
		if !math.IsNaN(float64(r.PromptLogprobs[0])) {
			t.Fatalf("prompt logprob 0 = %v, want NaN", r.PromptLogprobs[0])
		}
	})
	t.Run("memory-bounded groups give the same samples", func(t *testing.T) {
		p := GenerateParams{NumSamples: 5, MaxTokens: 12, Temperature: 1, Seed: 21}
		whole := gen(p)
		defer func(old int) { maxKVCacheBytes = old }(maxKVCacheBytes)
		// Room for two samples' caches per group: groups of 2, 2, 1.
		maxKVCacheBytes = 2 * 2 * m.Cfg.Layers * (len(prompt) + p.MaxTokens) * m.Cfg.Dim * 4
		grouped := gen(p)
		for i := range whole.Samples {
			a, b := whole.Samples[i], grouped.Samples[i]
			if !slices.Equal(a.Tokens, b.Tokens) || sameBits(a.Logprobs, b.Logprobs) >= 0 || a.StopReason != b.StopReason {
				t.Fatalf("sample %d: %q vs %q in groups", i, text(a), text(b))
			}
		}
	})
	t.Run("context window ends generation", func(t *testing.T) {
		r := gen(GenerateParams{NumSamples: 1, Temperature: 1, Seed: 1})
		s := r.Samples[0]
		if s.StopReason != StopReasonLength || len(prompt)+len(s.Tokens) != m.Cfg.Context {
			t.Fatalf("generated %d tokens (%q), want to fill the context of %d", len(s.Tokens), s.StopReason, m.Cfg.Context)
		}
	})
}

// TestChunkingMatchesOnePass: a batch split into chunks (to bound
// memory) gives the same loss, logprobs and gradients as one pass, up to
// float32 rounding.
func TestChunkingMatchesOnePass(t *testing.T) {
	b := textBatch(overfitTexts...)
	one := tinyModel(t, LoRA{}, 2)
	var r1 Result
	if err := one.ForwardBackward(b, DefaultLoss(CrossEntropy), &r1); err != nil {
		t.Fatal(err)
	}
	chunked := tinyModel(t, LoRA{}, 2)
	chunked.MaxChunkTokens = 45 // forces one sequence per chunk
	var r2 Result
	if err := chunked.ForwardBackward(b, DefaultLoss(CrossEntropy), &r2); err != nil {
		t.Fatal(err)
	}
	if math.Abs(r1.LossSum-r2.LossSum) > 1e-5 {
		t.Fatalf("loss %v (one pass) vs %v (chunked)", r1.LossSum, r2.LossSum)
	}
	for i := range r1.Logprobs {
		if math.Abs(float64(r1.Logprobs[i]-r2.Logprobs[i])) > 1e-5 {
			t.Fatalf("logprob %d: %v vs %v", i, r1.Logprobs[i], r2.Logprobs[i])
		}
	}
	for i := range one.Base.Grad {
		a, c := float64(one.Base.Grad[i]), float64(chunked.Base.Grad[i])
		if math.Abs(a-c) > 1e-6+1e-3*math.Abs(a) {
			t.Fatalf("grad %d: %v vs %v", i, a, c)
		}
	}
}

// TestSmallModelRuns checks local/small end to end on a short batch: a
// training step lowers the loss on that batch and sampling works.
func TestSmallModelRuns(t *testing.T) {
	cfg, _, err := Resolve("local/small")
	if err != nil {
		t.Fatal(err)
	}
	pool := kern.NewPool(2)
	defer pool.Close()
	m, err := New[float32](cfg, LoRA{Rank: 8, Alpha: 16, Seed: 1, Attn: true, MLP: true, Unembed: true}, pool)
	if err != nil {
		t.Fatal(err)
	}
	if n := cfg.NumParams(); n < 10e6 || n > 20e6 {
		t.Fatalf("local/small has %d parameters, want 10-20M", n)
	}
	b := textBatch(overfitTexts[:2]...)
	before := train(t, m, b, 1)
	after := train(t, m, b, 5)
	if after >= before {
		t.Fatalf("loss did not fall: %v -> %v", before, after)
	}
	r, err := m.Generate(context.Background(), []int32{'H', 'i'}, GenerateParams{NumSamples: 2, MaxTokens: 5, Temperature: 1, Seed: 3})
	if err != nil || len(r.Samples) != 2 || len(r.Samples[0].Tokens) != 5 {
		t.Fatalf("generate = %+v, %v", r, err)
	}
}
