package engine

import (
	"math"
	"testing"
)

// The gradient checks prove that each loss's gradient matches its own
// forward value; the tests here pin the values themselves to the
// service's definitions (../shared/reference/tinker-protocol.md §3), computed independently
// from the policy's logprobs, so that a loss with, say, no PPO clipping
// cannot pass.

// policyLogprobs returns logp(target) of every target of b under m, in
// float64 (Result.Logprobs is float32, too coarse for finite
// differences): cross_entropy with a one-hot weight reads one target.
func policyLogprobs(t *testing.T, m *Model[float64], b *Batch) []float64 {
	t.Helper()
	ce := *b
	ce.Weights = make([]float32, len(b.Targets))
	out := make([]float64, len(b.Targets))
	var res Result
	for j := range out {
		ce.Weights[j] = 1
		if err := m.Forward(&ce, DefaultLoss(CrossEntropy), &res); err != nil {
			t.Fatal(err)
		}
		ce.Weights[j] = 0
		out[j] = -res.LossSum
	}
	return out
}

func clip(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

func TestLossValuesMatchTheServiceDefinitions(t *testing.T) {
	m, err := New[float64](testConfig(), LoRA{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	randomize(m.Base, newRNG(4, "formulas"), 0.3)
	r := newRNG(5, "formulas")

	t.Run("cross_entropy 1-D and soft targets", func(t *testing.T) {
		for _, k := range []int{1, 3} {
			b := testBatch(k, r, m.Cfg.Vocab)
			lp := policyLogprobs(t, m, b)
			var want float64
			for i, w := range b.Weights {
				want -= float64(w) * lp[i]
			}
			var res Result
			if err := m.Forward(b, DefaultLoss(CrossEntropy), &res); err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.LossSum-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("K=%d: loss:sum %v, want -Σ w·logp = %v", k, res.LossSum, want)
			}
		}
	})

	// Ratios on both sides of both thresholds, advantages of both signs.
	ratios := []float64{0.5, 0.9, 1.0, 1.1, 1.5, 3, 0.7, 1.3}
	advs := []float64{1, -1, 2, -0.5, 1, -1, -2, 0.5}
	b := testBatch(1, r, m.Cfg.Vocab)
	lp := policyLogprobs(t, m, b)
	for i := range b.SamplerLogprobs {
		b.SamplerLogprobs[i] = float32(lp[i] - math.Log(ratios[i]))
		b.Advantages[i] = float32(advs[i])
	}
	ratio := func(i int) float64 { return math.Exp(lp[i] - float64(b.SamplerLogprobs[i])) }
	perPosHigh := []float32{1.05, 1.05, 1.05, 1.05, 2, 2, 2, 2}
	cases := []struct {
		name string
		loss Loss
		high []float32 // per-position clip_high_threshold
		want func(i int, lo, hi float64) float64
	}{
		{"importance_sampling", DefaultLoss(ImportanceSampling), nil,
			func(i int, _, _ float64) float64 { return -ratio(i) * advs[i] }},
		{"ppo defaults 0.8/1.2", DefaultLoss(PPO), nil,
			func(i int, lo, hi float64) float64 {
				return -math.Min(ratio(i)*advs[i], clip(ratio(i), lo, hi)*advs[i])
			}},
		{"ppo per-position high", DefaultLoss(PPO), perPosHigh,
			func(i int, lo, hi float64) float64 {
				return -math.Min(ratio(i)*advs[i], clip(ratio(i), lo, hi)*advs[i])
			}},
		{"cispo defaults 0/4", DefaultLoss(CISPO), nil,
			func(i int, lo, hi float64) float64 { return -clip(ratio(i), lo, hi) * advs[i] * lp[i] }},
		{"cispo 0.9/1.2", Loss{Kind: CISPO, ClipLow: 0.9, ClipHigh: 1.2}, nil,
			func(i int, lo, hi float64) float64 { return -clip(ratio(i), lo, hi) * advs[i] * lp[i] }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bb := *b
			bb.ClipHigh = c.high
			var want float64
			for i := range lp {
				hi := c.loss.ClipHigh
				if c.high != nil {
					hi = float64(c.high[i])
				}
				want += c.want(i, c.loss.ClipLow, hi)
			}
			var res Result
			if err := m.Forward(&bb, c.loss, &res); err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.LossSum-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("loss:sum %v, want %v", res.LossSum, want)
			}
		})
	}

	// Where every token is on PPO's clipped side (ratio above 1+ε with a
	// positive advantage, below 1-ε with a negative one) the loss is flat
	// in the weights: the gradient is exactly zero.
	t.Run("ppo clipped side has no gradient", func(t *testing.T) {
		full, err := New[float64](testConfig(), LoRA{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		copy(full.Base.Data, m.Base.Data)
		bb := *b
		bb.SamplerLogprobs = make([]float32, len(lp))
		bb.Advantages = make([]float32, len(lp))
		for i := range lp {
			ratio, adv := 1.5, 1.0
			if i%2 == 1 {
				ratio, adv = 0.5, -1
			}
			bb.SamplerLogprobs[i] = float32(lp[i] - math.Log(ratio))
			bb.Advantages[i] = float32(adv)
		}
		var res Result
		if err := full.ForwardBackward(&bb, DefaultLoss(PPO), &res); err != nil {
			t.Fatal(err)
		}
		for i, g := range full.Base.Grad {
			if g != 0 {
				t.Fatalf("gradient %d = %v on the clipped side, want 0", i, g)
			}
		}
		// Unclipped (ratio 1) the same tokens do train.
		for i := range lp {
			bb.SamplerLogprobs[i] = float32(lp[i])
		}
		if err := full.ForwardBackward(&bb, DefaultLoss(PPO), &res); err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		for _, g := range full.Base.Grad {
			if g != 0 {
				nonzero++
			}
		}
		if nonzero == 0 {
			t.Fatal("no gradient on the unclipped side")
		}
	})
}

// TestOptimStepIsTorchAdamW replays two AdamW steps with gradient
// clipping and decoupled weight decay against torch.optim.AdamW's update
// rule (with clip_grad_norm_ in front), written out here independently.
func TestOptimStepIsTorchAdamW(t *testing.T) {
	m, err := New[float64](testConfig(), LoRA{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := AdamParams{LearningRate: 0.05, Beta1: 0.8, Beta2: 0.9, Eps: 1e-3, WeightDecay: 0.3, GradClipNorm: 2}
	ps := m.Base
	n := len(ps.Data)
	decays := make([]bool, n)
	for _, tn := range ps.Tensors {
		for j := tn.Off; j < tn.Off+tn.Size(); j++ {
			decays[j] = tn.Decay
		}
	}
	want := append([]float64(nil), ps.Data...)
	mom, vel := make([]float64, n), make([]float64, n)
	r := newRNG(8, "adam")
	for step, scale := range []float64{1, 0.01} { // clipped, then not
		g := make([]float64, n)
		var sq float64
		for i := range g {
			g[i] = scale * r.normal()
			sq += g[i] * g[i]
		}
		copy(ps.Grad, g)
		norm := math.Sqrt(sq)
		coef := math.Min(1, p.GradClipNorm/(norm+1e-6))
		if (step == 0) != (coef < 1) {
			t.Fatalf("step %d: test setup: clip coefficient %v", step, coef)
		}
		t1 := float64(step + 1)
		for i := range want {
			gi := g[i] * coef
			if decays[i] {
				want[i] *= 1 - p.LearningRate*p.WeightDecay
			}
			mom[i] = p.Beta1*mom[i] + (1-p.Beta1)*gi
			vel[i] = p.Beta2*vel[i] + (1-p.Beta2)*gi*gi
			mhat := mom[i] / (1 - math.Pow(p.Beta1, t1))
			denom := math.Sqrt(vel[i])/math.Sqrt(1-math.Pow(p.Beta2, t1)) + p.Eps
			want[i] -= p.LearningRate * mhat / denom
		}
		got, err := m.OptimStep(p)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-norm) > 1e-9*norm {
			t.Fatalf("step %d: reported norm %v, want the pre-clip norm %v", step, got, norm)
		}
		for i := range want {
			if math.Abs(ps.Data[i]-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
				t.Fatalf("step %d: parameter %d = %.15g, torch AdamW gives %.15g", step, i, ps.Data[i], want[i])
			}
		}
	}
}

// TestCustomLossThroughCrossEntropyWeights is the service's custom-loss
// path (../shared/reference/tinker-protocol.md §7): forward for the logprobs, then
// forward_backward with cross_entropy and weights = -dC/dlogp gives the
// gradient of the custom loss C, checked here by finite differences of C
// itself.
func TestCustomLossThroughCrossEntropyWeights(t *testing.T) {
	m, err := New[float64](testConfig(), LoRA{Rank: 2, Alpha: 4, Seed: 1, Attn: true, MLP: true, Unembed: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(12, "custom")
	randomize(m.Base, r, 0.4)
	randomize(m.Adapter, r, 0.3)
	b := testBatch(1, r, m.Cfg.Vocab)
	coef := make([]float64, len(b.Targets))
	for i := range coef {
		coef[i] = r.normal()
	}
	// C = Σ c_i·logp_i², a loss the service does not have.
	custom := func() float64 {
		var c float64
		for i, lp := range policyLogprobs(t, m, b) {
			c += coef[i] * lp * lp
		}
		return c
	}
	lp := policyLogprobs(t, m, b)
	for i := range b.Weights {
		b.Weights[i] = float32(-2 * coef[i] * lp[i])
	}
	var res Result
	if err := m.ForwardBackward(b, DefaultLoss(CrossEntropy), &res); err != nil {
		t.Fatal(err)
	}
	ps := m.Trainable()
	grad := append([]float64(nil), ps.Grad...)
	for _, tn := range ps.Tensors {
		checkGrad(t, tn.Name, ps.Data[tn.Off:tn.Off+tn.Size()], grad[tn.Off:tn.Off+tn.Size()], custom, 6, r)
	}
}
