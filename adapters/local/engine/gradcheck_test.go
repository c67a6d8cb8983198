package engine

import (
	"fmt"
	"math"
	"testing"
)

// testConfig is a model small enough for float64 finite differences.
func testConfig() Config {
	return Config{Name: "test/grad", Vocab: 11, Context: 8, Dim: 8, Layers: 2, Heads: 2, Hidden: 12, Seed: 7}
}

// testBatch builds two sequences (lengths 5 and 3) with every loss input.
func testBatch(k int, r *rng, vocab int) *Batch {
	b := &Batch{SeqStart: []int{0, 5, 8}, K: k}
	n := 8
	for i := 0; i < n; i++ {
		b.Tokens = append(b.Tokens, int32(r.next()%uint64(vocab)))
		b.Advantages = append(b.Advantages, float32(r.normal()))
		b.SamplerLogprobs = append(b.SamplerLogprobs, float32(-1-r.float64()*3))
		for j := 0; j < k; j++ {
			b.Targets = append(b.Targets, int32(r.next()%uint64(vocab)))
			b.Weights = append(b.Weights, float32(r.float64()))
		}
	}
	return b
}

// randomize fills every parameter (LoRA B included) with random values so
// that no gradient is trivially zero.
func randomize(p *ParamSet[float64], r *rng, scale float64) {
	for i := range p.Data {
		p.Data[i] = scale * r.normal()
	}
}

func checkGrad(t *testing.T, name string, p []float64, g []float64, loss func() float64, samples int, r *rng) {
	t.Helper()
	const h = 1e-6
	for s := 0; s < samples && s < len(p); s++ {
		i := s
		if len(p) > samples {
			i = int(r.next() % uint64(len(p)))
		}
		old := p[i]
		p[i] = old + h
		lp := loss()
		p[i] = old - h
		lm := loss()
		p[i] = old
		num := (lp - lm) / (2 * h)
		if diff := math.Abs(num - g[i]); diff > 1e-6+1e-5*math.Abs(num) {
			t.Fatalf("%s[%d]: analytic %.10g, numeric %.10g", name, i, g[i], num)
		}
	}
}

// TestModelGradients checks dL/dθ of the whole model against central
// differences, for every loss, with full fine-tuning and with LoRA.
func TestModelGradients(t *testing.T) {
	losses := []struct {
		name string
		loss Loss
		k    int
	}{
		{"cross_entropy", DefaultLoss(CrossEntropy), 1},
		{"cross_entropy_soft", DefaultLoss(CrossEntropy), 3},
		{"importance_sampling", DefaultLoss(ImportanceSampling), 1},
		{"ppo", Loss{Kind: PPO, ClipLow: 0.9, ClipHigh: 1.1}, 1},
		{"cispo", Loss{Kind: CISPO, ClipLow: 0, ClipHigh: 1.5}, 1},
	}
	for _, lc := range losses {
		for _, rank := range []int{0, 3} {
			t.Run(fmt.Sprintf("%s/rank%d", lc.name, rank), func(t *testing.T) {
				r := newRNG(1, lc.name)
				lora := LoRA{Rank: rank, Alpha: 6, Seed: 3, Attn: true, MLP: true, Unembed: true}
				m, err := New[float64](testConfig(), lora, nil)
				if err != nil {
					t.Fatal(err)
				}
				randomize(m.Base, r, 0.5)
				for i := range m.Base.Tensors {
					tn := m.Base.Tensors[i]
					if len(tn.Shape) == 1 { // gains near 1
						for j := tn.Off; j < tn.Off+tn.Size(); j++ {
							m.Base.Data[j] += 1
						}
					}
				}
				randomize(m.Adapter, r, 0.3)
				b := testBatch(lc.k, r, m.Cfg.Vocab)
				if lc.loss.Kind != CrossEntropy {
					// Put sampler logprobs near the policy's so that ratios
					// straddle the clip thresholds.
					var res Result
					bb := *b
					bb.Weights = make([]float32, len(b.Targets))
					if err := m.Forward(&bb, DefaultLoss(CrossEntropy), &res); err != nil {
						t.Fatal(err)
					}
					for i := range b.SamplerLogprobs {
						b.SamplerLogprobs[i] = res.Logprobs[i] + float32(0.3*r.normal())
					}
				}
				var res Result
				if err := m.ForwardBackward(b, lc.loss, &res); err != nil {
					t.Fatal(err)
				}
				ps := m.Trainable()
				grad := append([]float64(nil), ps.Grad...)
				loss := func() float64 {
					var out Result
					if err := m.Forward(b, lc.loss, &out); err != nil {
						t.Fatal(err)
					}
					return out.LossSum
				}
				if got := loss(); math.Abs(got-res.LossSum) > 1e-12*math.Max(1, math.Abs(got)) {
					t.Fatalf("forward loss %v != forward_backward loss %v", got, res.LossSum)
				}
				if lc.loss.Kind == CISPO {
					// The clipped ratio is a detached coefficient: the
					// gradient is that of -Σ c·logp with c frozen, which is
					// cross_entropy with weights c.
					frozen := *b
					frozen.Weights = make([]float32, len(b.Targets))
					for i := range frozen.Weights {
						ratio := math.Exp(float64(res.Logprobs[i]) - float64(b.SamplerLogprobs[i]))
						frozen.Weights[i] = float32(min(max(ratio, lc.loss.ClipLow), lc.loss.ClipHigh) * float64(b.Advantages[i]))
					}
					loss = func() float64 {
						var out Result
						if err := m.Forward(&frozen, DefaultLoss(CrossEntropy), &out); err != nil {
							t.Fatal(err)
						}
						return out.LossSum
					}
				}
				nonzero := 0
				for _, g := range grad {
					if g != 0 {
						nonzero++
					}
				}
				if nonzero < len(grad)/3 {
					t.Fatalf("only %d of %d gradients are non-zero", nonzero, len(grad))
				}
				for _, tn := range ps.Tensors {
					checkGrad(t, tn.Name, ps.Data[tn.Off:tn.Off+tn.Size()], grad[tn.Off:tn.Off+tn.Size()], loss, 6, r)
				}
			})
		}
	}
}
