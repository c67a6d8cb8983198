package engine

import (
	"fmt"
	"math"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// maxSoftTargets bounds K, the targets per position of 2-D
// cross_entropy inputs.
const maxSoftTargets = 64

// Batch is a set of sequences packed end to end (no padding). Position i
// of Tokens predicts Targets[i*K : i*K+K]. The loss inputs are aligned
// with Tokens; only those the loss reads need be set.
type Batch struct {
	Tokens []int32
	// SeqStart has one entry per sequence plus a final len(Tokens).
	SeqStart []int
	// K is the number of targets per position: 1, or K for soft targets
	// (2-D cross_entropy inputs).
	K       int
	Targets []int32
	// Weights (cross_entropy) are aligned with Targets.
	Weights []float32
	// Advantages and SamplerLogprobs (importance_sampling, ppo, cispo).
	Advantages, SamplerLogprobs []float32
	// ClipLow and ClipHigh optionally override the loss's thresholds per
	// position.
	ClipLow, ClipHigh []float32
}

// Result receives the outputs of a forward pass. Its slices are reused
// across calls.
type Result struct {
	// LossSum is the loss summed over all tokens and sequences.
	LossSum float64
	// Logprobs holds logp(target) aligned with Batch.Targets.
	Logprobs []float32
}

// Validate checks shapes and ranges against the model.
func (b *Batch) Validate(cfg Config, loss Loss) error {
	n := len(b.Tokens)
	if b.K < 1 || b.K > maxSoftTargets {
		return fmt.Errorf("targets per position must be in 1..%d, got %d", maxSoftTargets, b.K)
	}
	if len(b.SeqStart) < 2 || b.SeqStart[0] != 0 || b.SeqStart[len(b.SeqStart)-1] != n {
		return fmt.Errorf("sequence offsets do not cover the %d tokens", n)
	}
	for s := 0; s+1 < len(b.SeqStart); s++ {
		l := b.SeqStart[s+1] - b.SeqStart[s]
		if l < 1 {
			return fmt.Errorf("sequence %d is empty", s)
		}
		if l > cfg.Context {
			return fmt.Errorf("sequence %d has %d tokens, more than the context window of %d", s, l, cfg.Context)
		}
	}
	for i, t := range b.Tokens {
		if t < 0 || int(t) >= cfg.Vocab {
			return fmt.Errorf("token %d at position %d is outside the vocabulary [0, %d)", t, i, cfg.Vocab)
		}
	}
	if len(b.Targets) != n*b.K {
		return fmt.Errorf("target_tokens has %d values, want %d", len(b.Targets), n*b.K)
	}
	for i, t := range b.Targets {
		if t < 0 || int(t) >= cfg.Vocab {
			return fmt.Errorf("target token %d at index %d is outside the vocabulary [0, %d)", t, i, cfg.Vocab)
		}
	}
	need := func(name string, v []float32, want int) error {
		if len(v) != want {
			return fmt.Errorf("%s has %d values, want %d", name, len(v), want)
		}
		return nil
	}
	if loss.Kind == CrossEntropy {
		if err := need("weights", b.Weights, n*b.K); err != nil {
			return err
		}
		return finite("weights", b.Weights)
	}
	if b.K != 1 {
		return fmt.Errorf("loss %d takes one target per position, got %d", loss.Kind, b.K)
	}
	if err := need("advantages", b.Advantages, n); err != nil {
		return err
	}
	if err := need("logprobs", b.SamplerLogprobs, n); err != nil {
		return err
	}
	if b.ClipLow != nil {
		if err := need("clip_low_threshold", b.ClipLow, n); err != nil {
			return err
		}
	}
	if b.ClipHigh != nil {
		if err := need("clip_high_threshold", b.ClipHigh, n); err != nil {
			return err
		}
	}
	for _, in := range []struct {
		name string
		v    []float32
	}{{"advantages", b.Advantages}, {"logprobs", b.SamplerLogprobs}, {"clip_low_threshold", b.ClipLow}, {"clip_high_threshold", b.ClipHigh}} {
		if err := finite(in.name, in.v); err != nil {
			return err
		}
	}
	return nil
}

// finite rejects NaN and ±Inf loss inputs: one would turn every weight
// into NaN at the next optimizer step, silently and for good.
func finite(name string, v []float32) error {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("%s[%d] is %v; loss inputs must be finite", name, i, x)
		}
	}
	return nil
}

type layerActs[T kern.Float] struct {
	x, h1, qkv, att, x2, h2, u, g []T
	mean1, rstd1, mean2, rstd2    []T
	lse                           []T
	xs                            [4][]T
}

// workspace holds activations and scratch, grown to the largest chunk
// seen and reused, so steady-state steps allocate nothing.
type workspace[T kern.Float] struct {
	layers                 []layerActs[T]
	xL, hf, meanf, rstdf   []T
	headXs, logits         []T
	dx, dh, dqkv, datt, du []T
	dxs                    []T
	pos                    []int32
	seqStart               []int
	rowLoss                []float64
	lnPart                 []T
	attScratch             [][]T
	attTrans               [][]T
	ln                     lnTask[T]
	gelu                   geluTask[T]
	attn                   attnTask[T]
	loss                   lossTask[T]
	adam                   adamTask[T]
}

func (m *Model[T]) reserve(rows int) {
	c, ws := m.Cfg, &m.ws
	d, r := c.Dim, max(m.LoRA.Rank, 1)
	if len(ws.layers) != c.Layers {
		ws.layers = make([]layerActs[T], c.Layers)
	}
	for l := range ws.layers {
		a := &ws.layers[l]
		a.x, a.h1, a.att, a.x2, a.h2 = grow(a.x, rows*d), grow(a.h1, rows*d), grow(a.att, rows*d), grow(a.x2, rows*d), grow(a.h2, rows*d)
		a.qkv = grow(a.qkv, rows*3*d)
		a.u, a.g = grow(a.u, rows*c.Hidden), grow(a.g, rows*c.Hidden)
		a.mean1, a.rstd1, a.mean2, a.rstd2 = grow(a.mean1, rows), grow(a.rstd1, rows), grow(a.mean2, rows), grow(a.rstd2, rows)
		a.lse = grow(a.lse, rows*c.Heads)
		for i := range a.xs {
			if m.blocks[l].proj[i].rank > 0 {
				a.xs[i] = grow(a.xs[i], rows*r)
			}
		}
	}
	ws.xL, ws.hf, ws.meanf, ws.rstdf = grow(ws.xL, rows*d), grow(ws.hf, rows*d), grow(ws.meanf, rows), grow(ws.rstdf, rows)
	ws.headXs = grow(ws.headXs, rows*r)
	ws.logits = grow(ws.logits, rows*c.Vocab)
	ws.dx, ws.dh, ws.datt = grow(ws.dx, rows*d), grow(ws.dh, rows*d), grow(ws.datt, rows*d)
	ws.dqkv, ws.du = grow(ws.dqkv, rows*3*d), grow(ws.du, rows*c.Hidden)
	ws.dxs = grow(ws.dxs, rows*r)
	ws.pos = grow(ws.pos, rows)
	ws.rowLoss = grow(ws.rowLoss, rows)
	if len(ws.attScratch) != m.pool.Threads() {
		ws.attScratch = make([][]T, m.pool.Threads())
	}
	for w := range ws.attScratch {
		ws.attScratch[w] = grow(ws.attScratch[w], 2*c.Context)
	}
}

// Forward computes the loss and target log-probabilities of b without
// touching gradients.
func (m *Model[T]) Forward(b *Batch, loss Loss, out *Result) error {
	return m.run(b, loss, false, out)
}

// ForwardBackward computes the loss and log-probabilities of b and adds
// the loss gradient to the trainable parameters' gradients (which
// accumulate until OptimStep).
func (m *Model[T]) ForwardBackward(b *Batch, loss Loss, out *Result) error {
	return m.run(b, loss, true, out)
}

func (m *Model[T]) run(b *Batch, loss Loss, backward bool, out *Result) error {
	if err := b.Validate(m.Cfg, loss); err != nil {
		return err
	}
	out.LossSum = 0
	out.Logprobs = grow(out.Logprobs, len(b.Targets))
	nseq := len(b.SeqStart) - 1
	for s := 0; s < nseq; {
		e := s + 1
		for e < nseq && b.SeqStart[e+1]-b.SeqStart[s] <= m.MaxChunkTokens {
			e++
		}
		m.chunk(b, s, e, loss, backward, out)
		s = e
	}
	return nil
}

// chunk runs sequences [s, e) of b.
func (m *Model[T]) chunk(b *Batch, s, e int, loss Loss, backward bool, out *Result) {
	row0 := b.SeqStart[s]
	rows := b.SeqStart[e] - row0
	m.reserve(rows)
	ws := &m.ws
	ws.seqStart = grow(ws.seqStart, e-s+1)
	for i := s; i <= e; i++ {
		ws.seqStart[i-s] = b.SeqStart[i] - row0
	}
	for i := s; i < e; i++ {
		for r := b.SeqStart[i]; r < b.SeqStart[i+1]; r++ {
			ws.pos[r-row0] = int32(r - b.SeqStart[i])
		}
	}
	tokens := b.Tokens[row0 : row0+rows]
	m.forwardRows(tokens, rows)

	lt := &ws.loss
	*lt = lossTask[T]{m: m, backward: backward, logits: ws.logits, batch: b, row0: row0, rows: rows, loss: loss, rowLoss: ws.rowLoss, logprobs: out.Logprobs}
	m.pool.Run((rows+rowsPerLoss-1)/rowsPerLoss, lt)
	*lt = lossTask[T]{}
	for _, l := range ws.rowLoss[:rows] {
		out.LossSum += l
	}
	if backward {
		m.backwardRows(tokens, rows)
	}
}

// forwardRows runs the transformer over the chunk in the workspace and
// leaves the logits in ws.logits.
func (m *Model[T]) forwardRows(tokens []int32, rows int) {
	c, ws := m.Cfg, &m.ws
	d := c.Dim
	m.embed(tokens, ws.pos[:rows], ws.layers[0].x)
	for l := range m.blocks {
		bl, a := &m.blocks[l], &ws.layers[l]
		next := ws.xL
		if l+1 < c.Layers {
			next = ws.layers[l+1].x
		}
		m.layerNorm(a.x, a.h1, bl.ln1, a.mean1, a.rstd1, rows)
		m.linearFwd(&bl.proj[0], a.h1, a.qkv, rows, false, a.xs[0])
		m.attention(a.qkv, a.att, a.lse, ws.seqStart)
		copy(a.x2[:rows*d], a.x[:rows*d])
		m.linearFwd(&bl.proj[1], a.att, a.x2, rows, true, a.xs[1])
		m.layerNorm(a.x2, a.h2, bl.ln2, a.mean2, a.rstd2, rows)
		m.linearFwd(&bl.proj[2], a.h2, a.u, rows, false, a.xs[2])
		m.gelu(a.u[:rows*c.Hidden], a.g)
		copy(next[:rows*d], a.x2[:rows*d])
		m.linearFwd(&bl.proj[3], a.g, next, rows, true, a.xs[3])
	}
	m.layerNorm(ws.xL, ws.hf, m.lnf, ws.meanf, ws.rstdf, rows)
	kern.Gemm(m.pool, false, true, rows, c.Vocab, d, ws.hf, d, m.wte, d, ws.logits, c.Vocab, false)
	m.linearFwd(&m.head, ws.hf, ws.logits, rows, true, ws.headXs)
}

// backwardRows propagates dL/dlogits (in ws.logits) to the gradients.
func (m *Model[T]) backwardRows(tokens []int32, rows int) {
	c, ws := m.Cfg, &m.ws
	d := c.Dim
	dlog := ws.logits
	// Unembedding (tied to wte): logits = hf·wteᵀ.
	kern.Gemm(m.pool, false, false, rows, d, c.Vocab, dlog, c.Vocab, m.wte, d, ws.dh, d, false)
	if m.dwte != nil {
		kern.Gemm(m.pool, true, false, c.Vocab, d, rows, dlog, c.Vocab, ws.hf, d, m.dwte, d, true)
	}
	m.linearBack(&m.head, ws.hf, dlog, ws.dh, rows, true, ws.headXs, ws.dxs)
	clear(ws.dx[:rows*d])
	m.layerNormBack(ws.xL, m.lnf, ws.meanf, ws.rstdf, ws.dh, ws.dx, m.dlnf, rows)
	for l := c.Layers - 1; l >= 0; l-- {
		bl, a := &m.blocks[l], &ws.layers[l]
		// MLP: next = x2 + gelu(h2·W1)·W2; ws.dx holds d next.
		m.linearBack(&bl.proj[3], a.g, ws.dx, ws.du, rows, false, a.xs[3], ws.dxs)
		m.geluBack(a.u[:rows*c.Hidden], ws.du)
		m.linearBack(&bl.proj[2], a.h2, ws.du, ws.dh, rows, false, a.xs[2], ws.dxs)
		m.layerNormBack(a.x2, bl.ln2, a.mean2, a.rstd2, ws.dh, ws.dx, bl.dln2, rows)
		// Attention: x2 = x + attn(h1)·Wo; ws.dx holds d x2.
		m.linearBack(&bl.proj[1], a.att, ws.dx, ws.datt, rows, false, a.xs[1], ws.dxs)
		m.attentionBack(a.qkv, a.lse, ws.datt, ws.dqkv[:rows*3*d], ws.seqStart)
		m.linearBack(&bl.proj[0], a.h1, ws.dqkv, ws.dh, rows, false, a.xs[0], ws.dxs)
		m.layerNormBack(a.x, bl.ln1, a.mean1, a.rstd1, ws.dh, ws.dx, bl.dln1, rows)
	}
	m.embedBack(tokens, ws.pos[:rows], ws.dx)
}
