package engine

import (
	"fmt"
	"math"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// LossKind names a loss function of the training service.
type LossKind int

// The supported losses (../shared/reference/tinker-protocol.md §3). All are sums over tokens.
const (
	// CrossEntropy: loss = -Σ w·logp(target); linear in the weights, so a
	// custom loss can pass -dC/dlogp as weights.
	CrossEntropy LossKind = iota
	// ImportanceSampling: ratio = exp(logp - sampler_logp); loss = -Σ ratio·A.
	ImportanceSampling
	// PPO: loss = -Σ min(ratio·A, clip(ratio, lo, hi)·A).
	PPO
	// CISPO: loss = -Σ sg(clip(ratio, lo, hi))·A·logp, the clipped ratio a
	// detached coefficient.
	CISPO
)

// ParseLoss maps a service loss name to a LossKind.
func ParseLoss(name string) (LossKind, error) {
	switch name {
	case "cross_entropy":
		return CrossEntropy, nil
	case "importance_sampling":
		return ImportanceSampling, nil
	case "ppo":
		return PPO, nil
	case "cispo":
		return CISPO, nil
	case "dro":
		return 0, fmt.Errorf("loss %q is not supported by the local backend: its formula is not documented", name)
	}
	return 0, fmt.Errorf("unknown loss function %q (want cross_entropy, importance_sampling, ppo or cispo)", name)
}

// Loss is a loss function with its configuration.
type Loss struct {
	Kind LossKind
	// ClipLow and ClipHigh are the ratio clip thresholds of ppo (default
	// 0.8/1.2) and cispo (default 0/4).
	ClipLow, ClipHigh float64
}

// DefaultLoss returns kind with the service's default clip thresholds.
func DefaultLoss(kind LossKind) Loss {
	switch kind {
	case PPO:
		return Loss{Kind: kind, ClipLow: 0.8, ClipHigh: 1.2}
	case CISPO:
		return Loss{Kind: kind, ClipLow: 0, ClipHigh: 4}
	}
	return Loss{Kind: kind}
}

// tokenLoss returns the loss of one target and dL/dlogp for position i
// (target k of K).
func (b *Batch) tokenLoss(loss Loss, i, k int, logp float64) (l, g float64) {
	if loss.Kind == CrossEntropy {
		w := float64(b.Weights[i*b.K+k])
		return -w * logp, -w
	}
	a := float64(b.Advantages[i])
	ratio := math.Exp(logp - float64(b.SamplerLogprobs[i]))
	lo, hi := loss.ClipLow, loss.ClipHigh
	if b.ClipLow != nil {
		lo = float64(b.ClipLow[i])
	}
	if b.ClipHigh != nil {
		hi = float64(b.ClipHigh[i])
	}
	switch loss.Kind {
	case ImportanceSampling:
		return -ratio * a, -ratio * a
	case PPO:
		clipped := min(max(ratio, lo), hi)
		u, c := ratio*a, clipped*a
		if u <= c {
			return -u, -ratio * a
		}
		return -c, 0 // the clipped branch is flat in logp
	default: // CISPO
		clipped := min(max(ratio, lo), hi)
		return -clipped * a * logp, -clipped * a
	}
}

// lossTask turns logits rows into log-probabilities of the targets, the
// per-row loss and, when backward, dL/dlogits in place.
type lossTask[T kern.Float] struct {
	m        *Model[T]
	backward bool
	logits   []T
	batch    *Batch
	row0     int // batch row of the chunk's first row
	rows     int
	loss     Loss
	rowLoss  []float64
	logprobs []float32
}

const rowsPerLoss = 16

func (t *lossTask[T]) Do(_, i int) {
	v := t.m.Cfg.Vocab
	b := t.batch
	K := b.K
	for r := i * rowsPerLoss; r < min(t.rows, (i+1)*rowsPerLoss); r++ {
		row := t.logits[r*v : r*v+v]
		br := t.row0 + r
		mx := row[0]
		for _, x := range row[1:] {
			mx = max(mx, x)
		}
		var tl [maxSoftTargets]T
		for k := 0; k < K; k++ {
			tl[k] = row[b.Targets[br*K+k]]
		}
		sum := kern.ExpSub(row, mx)
		lse := mx + T(math.Log(float64(sum)))
		var rl, gsum float64
		var gs [maxSoftTargets]float64
		for k := 0; k < K; k++ {
			lp := tl[k] - lse
			t.logprobs[br*K+k] = float32(lp)
			l, g := b.tokenLoss(t.loss, br, k, float64(lp))
			rl += l
			gs[k] = g
			gsum += g
		}
		t.rowLoss[r] = rl
		if !t.backward {
			continue
		}
		// dL/dlogit_j = Σ_k g_k·(δ(j = t_k) - p_j).
		c := T(-gsum) / sum
		for j := range row {
			row[j] *= c
		}
		for k := 0; k < K; k++ {
			row[b.Targets[br*K+k]] += T(gs[k])
		}
	}
}
