package kern

import "math"

// Constants of the float32 exp (Cephes expf: range reduction by ln 2 and
// a degree-5 polynomial, about 1 ulp).
const (
	expClampHi = 88.3762626647949
	expClampLo = -87.3365478515625
	log2e      = 1.44269504088896341
	ln2Hi      = 0.693359375
	ln2Lo      = -2.12194440e-4
	expC0      = 1.9875691500e-4
	expC1      = 1.3981999507e-3
	expC2      = 8.3334519073e-3
	expC3      = 4.1665795894e-2
	expC4      = 1.6666665459e-1
	expC5      = 5.0000001201e-1
)

// Exp32 is the scalar float32 exp with the algorithm of the vector
// kernel (without fused multiply-adds).
func Exp32(x float32) float32 {
	x = min(max(x, expClampLo), expClampHi)
	n := float32(math.RoundToEven(float64(x * log2e)))
	r := x - n*ln2Hi
	r -= n * ln2Lo
	p := float32(expC0)
	p = p*r + expC1
	p = p*r + expC2
	p = p*r + expC3
	p = p*r + expC4
	p = p*r + expC5
	y := p*r*r + (1 + r)
	return math.Float32frombits(math.Float32bits(y) + uint32(int32(n))<<23)
}

// ExpSub sets x[i] = exp(x[i]-sub) and returns the sum of the results,
// accumulated in a fixed order.
func ExpSub[T Float](x []T, sub T) T {
	if x32, ok := as32(x); ok {
		return T(expSubF32(x32, float32(sub)))
	}
	var s T
	for i, v := range x {
		e := T(math.Exp(float64(v - sub)))
		x[i] = e
		s += e
	}
	return s
}

func expSubGo(x []float32, sub float32) float32 {
	var lanes [8]float32
	for i, v := range x {
		e := Exp32(v - sub)
		x[i] = e
		lanes[i%8] += e
	}
	return (lanes[0] + lanes[4] + lanes[1] + lanes[5]) + (lanes[2] + lanes[6] + lanes[3] + lanes[7])
}

// DotRows sets out[j] = scale * (q · k[j*ldk : j*ldk+len(q)]) for j <
// len(out).
func DotRows[T Float](q, k []T, ldk int, out []T, scale T) {
	if q32, ok := as32(q); ok {
		k32, _ := as32(k)
		o32, _ := as32(out)
		dotRowsF32(q32, k32, ldk, len(out), o32, float32(scale))
		return
	}
	for j := range out {
		row := k[j*ldk : j*ldk+len(q)]
		var s T
		for c, v := range q {
			s += v * row[c]
		}
		out[j] = s * scale
	}
}

// dotRowsGo mirrors the assembly's order when len(q) is a multiple of
// 8: eight lane sums over the columns, then ((l0+l1)+(l2+l3)) +
// ((l4+l5)+(l6+l7)).
func dotRowsGo(q, k []float32, ldk, n int, out []float32, scale float32) {
	for j := 0; j < n; j++ {
		row := k[j*ldk : j*ldk+len(q)]
		var l [8]float32
		for c, v := range q {
			l[c%8] += v * row[c]
		}
		out[j] = (((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))) * scale
	}
}

// AxpyRows adds sum_j p[j] * v[j*ldv : j*ldv+len(out)] to out, j in
// increasing order.
func AxpyRows[T Float](p, v []T, ldv int, out []T) {
	if p32, ok := as32(p); ok {
		v32, _ := as32(v)
		o32, _ := as32(out)
		axpyRowsF32(p32, v32, ldv, o32)
		return
	}
	for j, pj := range p {
		row := v[j*ldv : j*ldv+len(out)]
		for c := range out {
			out[c] += pj * row[c]
		}
	}
}

// axpyRowsGo mirrors the assembly's order: four accumulators by j mod 4,
// then out + ((a0+a1)+(a2+a3)).
func axpyRowsGo(p, v []float32, ldv int, out []float32) {
	for c := range out {
		var a [4]float32
		for j, pj := range p {
			a[j%4] += pj * v[j*ldv+c]
		}
		out[c] += (a[0] + a[1]) + (a[2] + a[3])
	}
}

// GerRows adds s[j]*x to dst[j*ldd : j*ldd+len(x)] for j < len(s).
func GerRows[T Float](s, x, dst []T, ldd int) {
	if s32, ok := as32(s); ok {
		x32, _ := as32(x)
		d32, _ := as32(dst)
		gerRowsF32(s32, x32, d32, ldd)
		return
	}
	for j, sj := range s {
		row := dst[j*ldd : j*ldd+len(x)]
		for c, xv := range x {
			row[c] += sj * xv
		}
	}
}

func gerRowsGo(s, x, dst []float32, ldd int) {
	for j, sj := range s {
		row := dst[j*ldd : j*ldd+len(x)]
		for c, xv := range x {
			row[c] += sj * xv
		}
	}
}
