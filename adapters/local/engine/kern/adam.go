package kern

import "math"

// AdamCoeffs are the scalars of one AdamW update: the gradient clip
// factor, beta1 and 1-beta1, beta2 and 1-beta2, 1/sqrt(1-beta2^t), eps,
// the step size lr/(1-beta1^t) and the decay factor 1-lr·wd.
type AdamCoeffs struct {
	Clip, B1, C1, B2, C2, InvBc2, Eps, Step, Decay float64
}

type adamCoeffs32 struct {
	clip, b1, c1, b2, c2, invBc2, eps, step, decay float32
}

// AdamStep applies one AdamW update to p with gradient g and moments m,
// v (all the same length):
//
//	G = g·clip; m = b1·m + (1-b1)·G; v = b2·v + (1-b2)·G²
//	p = p·decay - step·m / (sqrt(v)·invBc2 + eps)
func AdamStep[T Float](p, g, m, v []T, k AdamCoeffs) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	start := 0
	if p32, ok := as32(p); ok {
		g32, _ := as32(g)
		m32, _ := as32(m)
		v32, _ := as32(v)
		start = adamF32(p32, g32, m32, v32, &adamCoeffs32{float32(k.Clip), float32(k.B1), float32(k.C1), float32(k.B2),
			float32(k.C2), float32(k.InvBc2), float32(k.Eps), float32(k.Step), float32(k.Decay)})
	}
	clip, b1, c1, b2, c2 := T(k.Clip), T(k.B1), T(k.C1), T(k.B2), T(k.C2)
	invBc2, eps, step, decay := T(k.InvBc2), T(k.Eps), T(k.Step), T(k.Decay)
	for j := start; j < n; j++ {
		gj := g[j] * clip
		mj := b1*m[j] + c1*gj
		vj := b2*v[j] + c2*gj*gj
		m[j], v[j] = mj, vj
		denom := T(math.Sqrt(float64(vj)))*invBc2 + eps
		p[j] = p[j]*decay - step*mj/denom
	}
}
