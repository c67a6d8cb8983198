package engine

import "testing"

// layerCase is one layer under test: fwd computes y from the inputs
// registered in vars; back receives dy and must fill the gradients.
type layerCase struct {
	name string
	vars map[string][]float64 // inputs and parameters, perturbed by the check
	fwd  func() []float64
	back func(dy []float64) map[string][]float64
}

func randVec(r *rng, n int, scale, shift float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = shift + scale*r.normal()
	}
	return v
}

func runLayerCase(t *testing.T, lc layerCase, r *rng) {
	t.Helper()
	y := lc.fwd()
	c := randVec(r, len(y), 1, 0)
	obj := func() float64 {
		y := lc.fwd()
		var s float64
		for i := range y {
			s += c[i] * y[i]
		}
		return s
	}
	grads := lc.back(c)
	for name, v := range lc.vars {
		g, ok := grads[name]
		if !ok {
			t.Fatalf("%s: no gradient for %s", lc.name, name)
		}
		// Every element, not a sample: layers are small.
		checkGrad(t, lc.name+": d/d"+name, v, append([]float64(nil), g...), obj, len(v), r)
	}
}

func TestLayerGradients(t *testing.T) {
	cfg := testConfig()
	m, err := New[float64](cfg, LoRA{Rank: 2, Alpha: 4, Seed: 1, Attn: true, MLP: true, Unembed: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(9, "layers")
	rows, d := 8, cfg.Dim
	m.reserve(rows)
	m.ws.seqStart = []int{0, 5, 8}

	x := randVec(r, rows*d, 1, 0.2)
	g := randVec(r, d, 0.3, 1)
	mean, rstd := make([]float64, rows), make([]float64, rows)
	ln := layerCase{name: "layernorm", vars: map[string][]float64{"x": x, "g": g},
		fwd: func() []float64 {
			y := make([]float64, rows*d)
			m.layerNorm(x, y, g, mean, rstd, rows)
			return y
		},
		back: func(dy []float64) map[string][]float64 {
			dx, dg := make([]float64, rows*d), make([]float64, d)
			m.layerNorm(x, make([]float64, rows*d), g, mean, rstd, rows)
			m.layerNormBack(x, g, mean, rstd, dy, dx, dg, rows)
			return map[string][]float64{"x": dx, "g": dg}
		}}

	u := randVec(r, rows*cfg.Hidden, 1.5, 0)
	gelu := layerCase{name: "gelu", vars: map[string][]float64{"u": u},
		fwd: func() []float64 {
			y := make([]float64, len(u))
			m.gelu(u, y)
			return y
		},
		back: func(dy []float64) map[string][]float64 {
			du := append([]float64(nil), dy...)
			m.geluBack(u, du)
			return map[string][]float64{"u": du}
		}}

	qkv := randVec(r, rows*3*d, 1, 0)
	lse := make([]float64, rows*cfg.Heads)
	attn := layerCase{name: "attention", vars: map[string][]float64{"qkv": qkv},
		fwd: func() []float64 {
			y := make([]float64, rows*d)
			m.attention(qkv, y, lse, m.ws.seqStart)
			return y
		},
		back: func(dy []float64) map[string][]float64 {
			m.attention(qkv, make([]float64, rows*d), lse, m.ws.seqStart)
			dq := make([]float64, rows*3*d)
			m.attentionBack(qkv, lse, dy, dq, m.ws.seqStart)
			return map[string][]float64{"qkv": dq}
		}}

	// A projection with a LoRA adapter and a trainable base.
	in, out, rank := d, 3*d, 2
	w, a, b := randVec(r, in*out, 0.5, 0), randVec(r, in*rank, 0.5, 0), randVec(r, rank*out, 0.5, 0)
	lx := randVec(r, rows*in, 1, 0)
	lin := linear[float64]{in: in, out: out, w: w, rank: rank, scale: 2, a: a, b: b}
	xs := make([]float64, rows*rank)
	linCase := layerCase{name: "linear+lora", vars: map[string][]float64{"x": lx, "w": w, "a": a, "b": b},
		fwd: func() []float64 {
			y := make([]float64, rows*out)
			m.linearFwd(&lin, lx, y, rows, false, xs)
			return y
		},
		back: func(dy []float64) map[string][]float64 {
			l := lin
			l.dw, l.da, l.db = make([]float64, len(w)), make([]float64, len(a)), make([]float64, len(b))
			m.linearFwd(&l, lx, make([]float64, rows*out), rows, false, xs)
			dx := make([]float64, rows*in)
			m.linearBack(&l, lx, dy, dx, rows, false, xs, make([]float64, rows*rank))
			return map[string][]float64{"x": dx, "w": l.dw, "a": l.da, "b": l.db}
		}}

	// Embedding: x = wte[tok] + wpe[pos] (full fine-tuning model).
	full, err := New[float64](cfg, LoRA{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	toks := []int32{1, 4, 4, 9, 0, 2, 1, 10}
	pos := []int32{0, 1, 2, 3, 4, 0, 1, 2}
	emb := layerCase{name: "embedding", vars: map[string][]float64{"wte": full.wte, "wpe": full.wpe},
		fwd: func() []float64 {
			y := make([]float64, rows*d)
			full.embed(toks, pos, y)
			return y
		},
		back: func(dy []float64) map[string][]float64 {
			clear(full.dwte)
			clear(full.dwpe)
			full.embedBack(toks, pos, dy)
			return map[string][]float64{"wte": full.dwte, "wpe": full.dwpe}
		}}

	for _, lc := range []layerCase{ln, gelu, attn, linCase, emb} {
		t.Run(lc.name, func(t *testing.T) { runLayerCase(t, lc, r) })
	}
}
