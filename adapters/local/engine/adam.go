package engine

import (
	"fmt"
	"math"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// AdamParams configures one AdamW step (torch.optim.AdamW semantics,
// decoupled weight decay applied to matrices only).
type AdamParams struct {
	LearningRate, Beta1, Beta2, Eps, WeightDecay float64
	// GradClipNorm rescales the gradient to at most this global L2 norm;
	// 0 disables clipping.
	GradClipNorm float64
}

type adamState[T kern.Float] struct {
	m, v []T
	step int
}

func (s *adamState[T]) init(p *ParamSet[T]) {
	s.m = make([]T, len(p.Data))
	s.v = make([]T, len(p.Data))
	s.step = 0
}

const adamChunk = 8192

// adamTask runs the norm reduction (phase 0) and the update (phase 1)
// over fixed chunks of the flat parameter vector.
type adamTask[T kern.Float] struct {
	phase        int
	p            *ParamSet[T]
	m, v         []T
	partial      []float64
	tensorOf     []int32 // chunk -> first tensor index overlapping it
	clip         T
	lr, b1, b2   T
	eps          float64
	wd           T
	bc1, bc2sqrt float64
}

func (t *adamTask[T]) Do(_, i int) {
	lo, hi := i*adamChunk, min(len(t.p.Data), (i+1)*adamChunk)
	g := t.p.Grad
	if t.phase == 0 {
		var s float64
		for _, x := range g[lo:hi] {
			s += float64(x) * float64(x)
		}
		t.partial[i] = s
		return
	}
	ti := int(t.tensorOf[i])
	k := kern.AdamCoeffs{Clip: float64(t.clip), B1: float64(t.b1), C1: 1 - float64(t.b1), B2: float64(t.b2), C2: 1 - float64(t.b2),
		InvBc2: 1 / t.bc2sqrt, Eps: t.eps, Step: float64(t.lr) / t.bc1}
	for lo < hi {
		tn := t.p.Tensors[ti]
		end := min(hi, tn.Off+tn.Size())
		k.Decay = 1
		if tn.Decay {
			k.Decay = 1 - float64(t.lr)*float64(t.wd)
		}
		kern.AdamStep(t.p.Data[lo:end], g[lo:end], t.m[lo:end], t.v[lo:end], k)
		lo = end
		ti++
	}
}

// OptimStep applies one AdamW step to the trainable parameters with the
// accumulated gradients, then clears them. It returns the gradient norm
// before clipping. A gradient that is not finite is not applied: the
// gradients are cleared and an error returned.
func (m *Model[T]) OptimStep(p AdamParams) (float64, error) {
	// Written so that NaN fails every test.
	nonNeg := func(x float64) bool { return x >= 0 && !math.IsInf(x, 0) }
	unit := func(x float64) bool { return x >= 0 && x < 1 }
	if !nonNeg(p.LearningRate) || !unit(p.Beta1) || !unit(p.Beta2) || !nonNeg(p.Eps) || !nonNeg(p.WeightDecay) || !nonNeg(p.GradClipNorm) {
		return 0, fmt.Errorf("invalid Adam parameters %+v (want finite lr, eps, weight_decay, grad_clip_norm >= 0 and betas in [0, 1))", p)
	}
	ps := m.Trainable()
	n := len(ps.Data)
	chunks := (n + adamChunk - 1) / adamChunk
	t := &m.ws.adam
	if len(t.partial) != chunks {
		t.partial = make([]float64, chunks)
		t.tensorOf = make([]int32, chunks)
		ti := 0
		for c := range chunks {
			for ps.Tensors[ti].Off+ps.Tensors[ti].Size() <= c*adamChunk {
				ti++
			}
			t.tensorOf[c] = int32(ti)
		}
	}
	t.phase, t.p = 0, ps
	m.pool.Run(chunks, t)
	var sq float64
	for _, s := range t.partial {
		sq += s
	}
	norm := math.Sqrt(sq)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		// Applying it would make every weight NaN for good. The
		// gradients are dropped so that the next batch can still train.
		clear(ps.Grad)
		return norm, fmt.Errorf("the accumulated gradient norm is %v (the loss overflowed); the step was not applied and the gradients were cleared", norm)
	}
	clip := 1.0
	if p.GradClipNorm > 0 && norm > p.GradClipNorm {
		clip = p.GradClipNorm / (norm + 1e-6)
	}
	m.opt.step++
	st := float64(m.opt.step)
	t.phase, t.m, t.v = 1, m.opt.m, m.opt.v
	t.clip, t.lr, t.b1, t.b2, t.eps, t.wd = T(clip), T(p.LearningRate), T(p.Beta1), T(p.Beta2), p.Eps, T(p.WeightDecay)
	t.bc1 = 1 - math.Pow(p.Beta1, st)
	t.bc2sqrt = math.Sqrt(1 - math.Pow(p.Beta2, st))
	m.pool.Run(chunks, t)
	t.p, t.m, t.v = nil, nil, nil
	clear(ps.Grad)
	return norm, nil
}
