package engine

import (
	"math"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

const (
	lnEps     = 1e-5
	rowsPerLN = 32   // rows per LayerNorm task (fixes the gain-gradient sum order)
	geluChunk = 4096 // elements per GELU task
)

// lnTask runs LayerNorm (gain only) forward or backward over row chunks.
//
//	forward:  y = (x - mean)·rstd·g, saving mean and rstd per row
//	backward: dx += rstd·(dxh - mean(dxh) - xh·mean(dxh·xh)), dxh = dy·g,
//	          part[chunk] = sum over the chunk's rows of dy·xh
type lnTask[T kern.Float] struct {
	backward     bool
	x, y, g      []T
	mean, rstd   []T
	dy, dx, part []T
	rows, d      int
}

func (t *lnTask[T]) Do(_, i int) {
	r0, r1 := i*rowsPerLN, min(t.rows, (i+1)*rowsPerLN)
	d := t.d
	if !t.backward {
		for r := r0; r < r1; r++ {
			x, y := t.x[r*d:r*d+d], t.y[r*d:r*d+d]
			mean := sum4(x) / T(d)
			var q0, q1, q2, q3 T
			j := 0
			for ; j+4 <= len(x); j += 4 {
				a, b, c, e := x[j]-mean, x[j+1]-mean, x[j+2]-mean, x[j+3]-mean
				q0 += a * a
				q1 += b * b
				q2 += c * c
				q3 += e * e
			}
			for ; j < len(x); j++ {
				a := x[j] - mean
				q0 += a * a
			}
			q := (q0 + q1) + (q2 + q3)
			rstd := T(1 / math.Sqrt(float64(q/T(d))+lnEps))
			g := t.g[:len(x)]
			y = y[:len(x)]
			for j, v := range x {
				y[j] = (v - mean) * rstd * g[j]
			}
			t.mean[r], t.rstd[r] = mean, rstd
		}
		return
	}
	part := t.part[i*d : i*d+d]
	clear(part)
	for r := r0; r < r1; r++ {
		x, dy, dx := t.x[r*d:r*d+d], t.dy[r*d:r*d+d], t.dx[r*d:r*d+d]
		g := t.g[:len(x)]
		dy, dx, part := dy[:len(x)], dx[:len(x)], part[:len(x)]
		mean, rstd := t.mean[r], t.rstd[r]
		var s1a, s1b, s2a, s2b T
		j := 0
		for ; j+2 <= len(x); j += 2 {
			xa, xb := (x[j]-mean)*rstd, (x[j+1]-mean)*rstd
			da, db := dy[j]*g[j], dy[j+1]*g[j+1]
			s1a += da
			s1b += db
			s2a += da * xa
			s2b += db * xb
			part[j] += dy[j] * xa
			part[j+1] += dy[j+1] * xb
		}
		for ; j < len(x); j++ {
			xa := (x[j] - mean) * rstd
			da := dy[j] * g[j]
			s1a += da
			s2a += da * xa
			part[j] += dy[j] * xa
		}
		s1 := (s1a + s1b) / T(d)
		s2 := (s2a + s2b) / T(d)
		for j, v := range x {
			xh := (v - mean) * rstd
			dx[j] += rstd * (dy[j]*g[j] - s1 - xh*s2)
		}
	}
}

// sum4 adds x with four accumulators (a fixed order).
func sum4[T kern.Float](x []T) T {
	var a, b, c, d T
	j := 0
	for ; j+4 <= len(x); j += 4 {
		a += x[j]
		b += x[j+1]
		c += x[j+2]
		d += x[j+3]
	}
	for ; j < len(x); j++ {
		a += x[j]
	}
	return (a + b) + (c + d)
}

func (m *Model[T]) layerNorm(x, y, g, mean, rstd []T, rows int) {
	t := &m.ws.ln
	*t = lnTask[T]{x: x, y: y, g: g, mean: mean, rstd: rstd, rows: rows, d: m.Cfg.Dim}
	m.pool.Run((rows+rowsPerLN-1)/rowsPerLN, t)
	t.x, t.y = nil, nil
}

// layerNormBack adds the input gradient to dx and, when dg is not nil,
// the gain gradient to dg.
func (m *Model[T]) layerNormBack(x, g, mean, rstd, dy, dx, dg []T, rows int) {
	d := m.Cfg.Dim
	chunks := (rows + rowsPerLN - 1) / rowsPerLN
	m.ws.lnPart = grow(m.ws.lnPart, chunks*d)
	t := &m.ws.ln
	*t = lnTask[T]{backward: true, x: x, g: g, mean: mean, rstd: rstd, dy: dy, dx: dx, part: m.ws.lnPart, rows: rows, d: d}
	m.pool.Run(chunks, t)
	if dg != nil {
		for c := 0; c < chunks; c++ {
			p := m.ws.lnPart[c*d : c*d+d]
			for j := range dg {
				dg[j] += p[j]
			}
		}
	}
	*t = lnTask[T]{}
}

// geluTask applies GELU (tanh approximation) or its derivative over
// fixed element chunks.
type geluTask[T kern.Float] struct {
	backward bool
	u, g, du []T // du: in = dL/dg, out = dL/du
	n        int
}

func (t *geluTask[T]) Do(_, i int) {
	lo, hi := i*geluChunk, min(t.n, (i+1)*geluChunk)
	if !t.backward {
		kern.GeluForward(t.u[lo:hi], t.g[lo:hi])
		return
	}
	kern.GeluBackward(t.u[lo:hi], t.du[lo:hi])
}

func (m *Model[T]) gelu(u, g []T) {
	t := &m.ws.gelu
	*t = geluTask[T]{u: u, g: g, n: len(u)}
	m.pool.Run((len(u)+geluChunk-1)/geluChunk, t)
	*t = geluTask[T]{}
}

// geluBack turns du (holding dL/dg) into dL/du.
func (m *Model[T]) geluBack(u, du []T) {
	t := &m.ws.gelu
	*t = geluTask[T]{backward: true, u: u, du: du, n: len(u)}
	m.pool.Run((len(u)+geluChunk-1)/geluChunk, t)
	*t = geluTask[T]{}
}

// linearFwd computes y (+)= x·W (+ scale·(x·A)·B), saving xs = scale·x·A
// (rows×rank) for the backward pass. A nil W skips the base product.
func (m *Model[T]) linearFwd(l *linear[T], x, y []T, rows int, acc bool, xs []T) {
	if l.w != nil {
		kern.Gemm(m.pool, false, false, rows, l.out, l.in, x, l.in, l.w, l.out, y, l.out, acc)
		acc = true
	}
	if l.rank == 0 {
		return
	}
	r := l.rank
	kern.Gemm(m.pool, false, false, rows, r, l.in, x, l.in, l.a, r, xs, r, false)
	for i := range xs[:rows*r] {
		xs[i] *= l.scale
	}
	kern.Gemm(m.pool, false, false, rows, l.out, r, xs, r, l.b, l.out, y, l.out, acc)
}

// linearBack accumulates the weight gradients (dW when the base is
// trainable, dA and dB with LoRA) and writes (accDx false) or adds (accDx
// true) the input gradient dx = dy·Wᵀ (+ LoRA term). dxs is rows×rank
// scratch.
func (m *Model[T]) linearBack(l *linear[T], x, dy, dx []T, rows int, accDx bool, xs, dxs []T) {
	if l.dw != nil {
		kern.Gemm(m.pool, true, false, l.in, l.out, rows, x, l.in, dy, l.out, l.dw, l.out, true)
	}
	if dx != nil && l.w != nil {
		kern.Gemm(m.pool, false, true, rows, l.in, l.out, dy, l.out, l.w, l.out, dx, l.in, accDx)
		accDx = true
	}
	if l.rank == 0 {
		return
	}
	r := l.rank
	kern.Gemm(m.pool, true, false, r, l.out, rows, xs, r, dy, l.out, l.db, l.out, true)
	kern.Gemm(m.pool, false, true, rows, r, l.out, dy, l.out, l.b, l.out, dxs, r, false)
	for i := range dxs[:rows*r] {
		dxs[i] *= l.scale
	}
	kern.Gemm(m.pool, true, false, l.in, r, rows, x, l.in, dxs, r, l.da, r, true)
	if dx != nil {
		kern.Gemm(m.pool, false, true, rows, l.in, r, dxs, r, l.a, r, dx, l.in, accDx)
	}
}

// embed sets x[r] = wte[tok[r]] + wpe[pos[r]].
func (m *Model[T]) embed(tokens []int32, pos []int32, x []T) {
	d := m.Cfg.Dim
	for r, tok := range tokens {
		e, p := m.wte[int(tok)*d:int(tok)*d+d], m.wpe[int(pos[r])*d:int(pos[r])*d+d]
		row := x[r*d : r*d+d]
		for j := range row {
			row[j] = e[j] + p[j]
		}
	}
}

// embedBack scatters dx into the embedding gradients, rows in order.
func (m *Model[T]) embedBack(tokens []int32, pos []int32, dx []T) {
	if m.dwte == nil {
		return
	}
	d := m.Cfg.Dim
	for r, tok := range tokens {
		g := dx[r*d : r*d+d]
		e, p := m.dwte[int(tok)*d:int(tok)*d+d], m.dwpe[int(pos[r])*d:int(pos[r])*d+d]
		for j, v := range g {
			e[j] += v
			p[j] += v
		}
	}
}

func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}
