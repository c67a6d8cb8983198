package kern

import "math"

// GELU constants (tanh approximation).
const (
	geluSqrt2OverPi = 0.7978845608028654
	geluCubic       = 0.044715
)

// GeluForward sets g = u/2·(1 + tanh(sqrt(2/π)·(u + 0.044715u³))).
func GeluForward[T Float](u, g []T) {
	if u32, ok := as32(u); ok {
		g32, _ := as32(g)
		geluFwdF32(u32, g32[:len(u32)])
		return
	}
	for i, x := range u {
		th := T(math.Tanh(geluSqrt2OverPi * float64(x+geluCubic*x*x*x)))
		g[i] = 0.5 * x * (1 + th)
	}
}

// GeluBackward multiplies du (holding dL/dg) by dg/du.
func GeluBackward[T Float](u, du []T) {
	if u32, ok := as32(u); ok {
		d32, _ := as32(du)
		geluBwdF32(u32, d32[:len(u32)])
		return
	}
	for i, x := range u {
		du[i] *= geluGrad(x, T(math.Tanh(geluSqrt2OverPi*float64(x+geluCubic*x*x*x))))
	}
}

func geluGrad[T Float](x, th T) T {
	return 0.5*(1+th) + 0.5*geluSqrt2OverPi*x*(1-th*th)*(1+3*geluCubic*x*x)
}

func tanh32(z float32) float32 {
	e := Exp32(2 * z)
	return 1 - 2/(e+1)
}

func geluFwdGo(u, g []float32) {
	for i, x := range u {
		th := tanh32(geluSqrt2OverPi * (x + geluCubic*x*x*x))
		g[i] = 0.5 * x * (1 + th)
	}
}

func geluBwdGo(u, du []float32) {
	for i, x := range u {
		du[i] *= geluGrad(x, tanh32(geluSqrt2OverPi*(x+geluCubic*x*x*x)))
	}
}
