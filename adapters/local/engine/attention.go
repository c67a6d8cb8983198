package engine

import (
	"math"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// attnRow computes one query row of causal attention over n keys: p =
// softmax(scale·q·Kᵀ), out = p·V, with K and V rows at stride ld. p is
// scratch of at least n. It returns the row's log-sum-exp. Training and
// the sampler's KV-cache path both call it, so a row's result does not
// depend on which path computed it.
func attnRow[T kern.Float](q, k, v []T, ld, n int, out, p []T, scale T) T {
	s := p[:n]
	kern.DotRows(q, k, ld, s, scale)
	mx := s[0]
	for _, x := range s[1:] {
		mx = max(mx, x)
	}
	sum := kern.ExpSub(s, mx)
	inv := 1 / sum
	for j := range s {
		s[j] *= inv
	}
	clear(out)
	kern.AxpyRows(s, v, ld, out)
	return mx + T(math.Log(float64(sum)))
}

// attnTask runs causal self-attention over packed sequences, one task per
// (sequence, head). Backward recomputes the probabilities from the saved
// log-sum-exp (no T×T matrix is stored).
type attnTask[T kern.Float] struct {
	backward   bool
	qkv, att   []T
	lse        []T
	dqkv, datt []T
	seqStart   []int
	heads, hd  int
	scratch    [][]T
	trans      [][]T // per worker: p and dS transposed, 2·L² (backward)
}

func (t *attnTask[T]) Do(w, i int) {
	s, h := i/t.heads, i%t.heads
	start, end := t.seqStart[s], t.seqStart[s+1]
	d := t.heads * t.hd
	ld := 3 * d
	hd := t.hd
	scale := T(1 / math.Sqrt(float64(hd)))
	qOff, kOff, vOff := h*hd, d+h*hd, 2*d+h*hd
	k := t.qkv[start*ld+kOff:]
	v := t.qkv[start*ld+vOff:]
	p := t.scratch[w][: end-start : end-start]
	if !t.backward {
		for r := start; r < end; r++ {
			n := r - start + 1
			q := t.qkv[r*ld+qOff : r*ld+qOff+hd]
			out := t.att[r*d+h*hd : r*d+h*hd+hd]
			t.lse[r*t.heads+h] = attnRow(q, k, v, ld, n, out, p, scale)
		}
		return
	}
	// Pass 1, by query row: recompute p, form dS, accumulate dQ, and keep
	// p and dS transposed (column i of row j) for pass 2.
	L := end - start
	dp := t.scratch[w][L : 2*L]
	pt := t.trans[w][: L*L : L*L]
	dst := t.trans[w][L*L : 2*L*L]
	for r := start; r < end; r++ {
		i := r - start
		n := i + 1
		q := t.qkv[r*ld+qOff : r*ld+qOff+hd]
		do := t.datt[r*d+h*hd : r*d+h*hd+hd]
		pr, dpr := p[:n], dp[:n]
		kern.DotRows(q, k, ld, pr, scale)
		kern.ExpSub(pr, t.lse[r*t.heads+h])
		kern.DotRows(do, v, ld, dpr, 1)
		var dsum T
		for j, pj := range pr {
			dsum += pj * dpr[j]
		}
		for j, pj := range pr {
			ds := pj * (dpr[j] - dsum) * scale
			pt[j*L+i] = pj
			dst[j*L+i] = ds
			dpr[j] = ds
		}
		dq := t.dqkv[r*ld+qOff : r*ld+qOff+hd]
		clear(dq)
		kern.AxpyRows(dpr, k, ld, dq)
	}
	// Pass 2, by key row j: dK_j = Σ_{i>=j} dS_ij·q_i, dV_j = Σ_{i>=j} p_ij·dO_i
	// (row kernels that keep the output in registers).
	for j := 0; j < L; j++ {
		r := start + j
		dk := t.dqkv[r*ld+kOff : r*ld+kOff+hd]
		dv := t.dqkv[r*ld+vOff : r*ld+vOff+hd]
		clear(dk)
		clear(dv)
		kern.AxpyRows(dst[j*L+j:j*L+L], t.qkv[r*ld+qOff:], ld, dk)
		kern.AxpyRows(pt[j*L+j:j*L+L], t.datt[r*d+h*hd:], d, dv)
	}
}

func (m *Model[T]) attention(qkv, att, lse []T, seqStart []int) {
	t := &m.ws.attn
	*t = attnTask[T]{qkv: qkv, att: att, lse: lse, seqStart: seqStart, heads: m.Cfg.Heads, hd: m.Cfg.HeadDim(), scratch: m.ws.attScratch}
	m.pool.Run((len(seqStart)-1)*m.Cfg.Heads, t)
	*t = attnTask[T]{}
}

// attentionBack writes dqkv from datt.
func (m *Model[T]) attentionBack(qkv, lse, datt, dqkv []T, seqStart []int) {
	longest := 0
	for s := 0; s+1 < len(seqStart); s++ {
		longest = max(longest, seqStart[s+1]-seqStart[s])
	}
	if len(m.ws.attTrans) != m.pool.Threads() {
		m.ws.attTrans = make([][]T, m.pool.Threads())
	}
	for w := range m.ws.attTrans {
		m.ws.attTrans[w] = grow(m.ws.attTrans[w], 2*longest*longest)
	}
	t := &m.ws.attn
	*t = attnTask[T]{backward: true, qkv: qkv, lse: lse, datt: datt, dqkv: dqkv, seqStart: seqStart, heads: m.Cfg.Heads, hd: m.Cfg.HeadDim(), scratch: m.ws.attScratch, trans: m.ws.attTrans}
	m.pool.Run((len(seqStart)-1)*m.Cfg.Heads, t)
	*t = attnTask[T]{}
}
