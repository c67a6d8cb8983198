package kern

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func TestGemmMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pool := NewPool(3)
	defer pool.Close()
	shapes := [][3]int{{1, 1, 1}, {6, 16, 8}, {7, 17, 3}, {13, 70, 300}, {50, 129, 513}, {96, 64, 256}, {1, 512, 128}}
	for _, s := range shapes {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					m, n, k := s[0], s[1], s[2]
					name := fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v_acc%v", m, n, k, ta, tb, acc)
					t.Run(name, func(t *testing.T) {
						lda, ldb, ldc := k+3, n+1, n+5
						if ta {
							lda = m + 2
						}
						if tb {
							ldb = k + 4
						}
						rowsA, rowsB := m, k
						if ta {
							rowsA = k
						}
						if tb {
							rowsB = n
						}
						a := randSlice(r, rowsA*lda)
						b := randSlice(r, rowsB*ldb)
						c := randSlice(r, m*ldc)
						want := make([]float64, len(c))
						for i := range c {
							want[i] = float64(c[i])
						}
						a64, b64 := widen(a), widen(b)
						gemmRef(ta, tb, m, n, k, a64, lda, b64, ldb, want, ldc, acc)
						Gemm(pool, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc)
						for i := 0; i < m; i++ {
							for j := 0; j < ldc; j++ {
								got, w := float64(c[i*ldc+j]), want[i*ldc+j]
								if j >= n {
									continue // outside the matrix: untouched check below
								}
								if math.Abs(got-w) > 1e-4*(1+math.Sqrt(float64(k))) {
									t.Fatalf("C[%d,%d] = %v, want %v", i, j, got, w)
								}
							}
						}
					})
				}
			}
		}
	}
}

func widen(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func TestGemmLeavesPaddingAlone(t *testing.T) {
	pool := NewPool(2)
	defer pool.Close()
	m, n, k, ldc := 7, 5, 9, 8
	r := rand.New(rand.NewPCG(3, 4))
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	c := make([]float32, m*ldc)
	for i := range c {
		c[i] = 42
	}
	Gemm(pool, false, false, m, n, k, a, k, b, n, c, ldc, false)
	for i := 0; i < m; i++ {
		for j := n; j < ldc; j++ {
			if c[i*ldc+j] != 42 {
				t.Fatalf("C[%d,%d] outside the matrix changed to %v", i, j, c[i*ldc+j])
			}
		}
	}
}

// TestGemmDeterministicAcrossThreadsAndRows checks the two properties the
// engine relies on: the thread count does not change a bit of the
// result, and a row computed alone equals the same row computed in a big
// product.
func TestGemmDeterministicAcrossThreadsAndRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m, n, k := 100, 130, 700
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	var ref []float32
	for _, threads := range []int{1, 2, 3, 8} {
		pool := NewPool(threads)
		c := make([]float32, m*n)
		Gemm(pool, false, false, m, n, k, a, k, b, n, c, n, false)
		pool.Close()
		if ref == nil {
			ref = c
			continue
		}
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
				t.Fatalf("threads=%d: element %d differs: %v vs %v", threads, i, c[i], ref[i])
			}
		}
	}
	pool := NewPool(2)
	defer pool.Close()
	for _, row := range []int{0, 5, 6, 77, 99} {
		c := make([]float32, n)
		Gemm(pool, false, false, 1, n, k, a[row*k:], k, b, n, c, n, false)
		for j := range c {
			if math.Float32bits(c[j]) != math.Float32bits(ref[row*n+j]) {
				t.Fatalf("row %d alone differs at col %d: %v vs %v", row, j, c[j], ref[row*n+j])
			}
		}
	}
}

func TestGemmFloat64(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6}    // 2×3
	b := []float64{7, 8, 9, 10, 11, 12} // 3×2
	c := make([]float64, 4)
	Gemm[float64](nil, false, false, 2, 2, 3, a, 3, b, 2, c, 2, false)
	want := []float64{58, 64, 139, 154}
	for i := range c {
		if c[i] != want[i] {
			t.Fatalf("c = %v, want %v", c, want)
		}
	}
}

func TestExp32Accuracy(t *testing.T) {
	for x := float32(-87); x < 88; x += 0.01 {
		got, want := float64(Exp32(x)), math.Exp(float64(x))
		if math.Abs(got-want) > 3e-7*want {
			t.Fatalf("Exp32(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestExpSubMatchesScalarWithinRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 9, 33, 64} {
		x := randSlice(r, n)
		y := append([]float32(nil), x...)
		sum := ExpSub(y, 0.5)
		var want float64
		for i := range x {
			e := math.Exp(float64(x[i]) - 0.5)
			want += e
			if math.Abs(float64(y[i])-e) > 1e-6*e {
				t.Fatalf("n=%d: exp[%d] = %v, want %v", n, i, y[i], e)
			}
		}
		if math.Abs(float64(sum)-want) > 1e-5*(want+1) {
			t.Fatalf("n=%d: sum = %v, want %v", n, sum, want)
		}
	}
}

func TestRowKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, hd := range []int{8, 16, 24, 32, 64, 5} {
		n, ld := 13, hd+8
		q := randSlice(r, hd)
		k := randSlice(r, n*ld)
		out := make([]float32, n)
		DotRows(q, k, ld, out, 0.5)
		for j := 0; j < n; j++ {
			var s float64
			for c := 0; c < hd; c++ {
				s += float64(q[c]) * float64(k[j*ld+c])
			}
			if math.Abs(float64(out[j])-0.5*s) > 1e-5 {
				t.Fatalf("hd=%d DotRows[%d] = %v, want %v", hd, j, out[j], 0.5*s)
			}
		}
		p := randSlice(r, n)
		acc := randSlice(r, hd)
		want := widen(acc)
		AxpyRows(p, k, ld, acc)
		for c := 0; c < hd; c++ {
			for j := 0; j < n; j++ {
				want[c] += float64(p[j]) * float64(k[j*ld+c])
			}
			if math.Abs(float64(acc[c])-want[c]) > 1e-4 {
				t.Fatalf("hd=%d AxpyRows[%d] = %v, want %v", hd, c, acc[c], want[c])
			}
		}
		dst := randSlice(r, n*ld)
		wantD := widen(dst)
		GerRows(p, q, dst, ld)
		for j := 0; j < n; j++ {
			for c := 0; c < ld; c++ {
				if c < hd {
					wantD[j*ld+c] += float64(p[j]) * float64(q[c])
				}
				if math.Abs(float64(dst[j*ld+c])-wantD[j*ld+c]) > 1e-5 {
					t.Fatalf("hd=%d GerRows[%d,%d] = %v, want %v", hd, j, c, dst[j*ld+c], wantD[j*ld+c])
				}
			}
		}
	}
}

func TestGemmAllocatesNothingInSteadyState(t *testing.T) {
	pool := NewPool(2)
	defer pool.Close()
	r := rand.New(rand.NewPCG(1, 1))
	m, n, k := 64, 96, 128
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	Gemm(pool, false, true, m, n, k, a, k, b, k, c, n, false)
	allocs := testing.AllocsPerRun(20, func() {
		Gemm(pool, false, true, m, n, k, a, k, b, k, c, n, false)
	})
	if allocs != 0 {
		t.Fatalf("Gemm allocated %v times per call", allocs)
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, s := range [][3]int{{768, 384, 128}, {768, 128, 512}, {128, 384, 768}, {768, 512, 128}} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%dx%d/threads=%d", s[0], s[1], s[2], threads), func(b *testing.B) {
				pool := NewPool(threads)
				defer pool.Close()
				r := rand.New(rand.NewPCG(1, 1))
				m, n, k := s[0], s[1], s[2]
				x, y, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
				b.ResetTimer()
				for b.Loop() {
					Gemm(pool, false, false, m, n, k, x, k, y, n, c, n, false)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func TestGeluMatchesFloat64(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 8, 9, 100} {
		u := randSlice(r, n)
		for i := range u {
			u[i] *= 4
		}
		g := make([]float32, n)
		GeluForward(u, g)
		du := make([]float32, n)
		for i := range du {
			du[i] = 1
		}
		GeluBackward(u, du)
		u64 := widen(u)
		g64 := make([]float64, n)
		GeluForward(u64, g64)
		du64 := make([]float64, n)
		for i := range du64 {
			du64[i] = 1
		}
		GeluBackward(u64, du64)
		for i := range u {
			if math.Abs(float64(g[i])-g64[i]) > 2e-6*(1+math.Abs(g64[i])) {
				t.Fatalf("gelu(%v) = %v, want %v", u[i], g[i], g64[i])
			}
			if math.Abs(float64(du[i])-du64[i]) > 2e-6*(1+math.Abs(du64[i])) {
				t.Fatalf("gelu'(%v) = %v, want %v", u[i], du[i], du64[i])
			}
		}
	}
}

// TestRowKernelsArePrefixConsistent checks the property the sampler
// relies on: key j's score and the weighted sum over keys [0, n) do not
// depend on how many more keys follow.
func TestRowKernelsArePrefixConsistent(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, hd := range []int{8, 32, 64} {
		ld := 3 * hd
		k := randSlice(r, 20*ld)
		q := randSlice(r, hd)
		all := make([]float32, 20)
		DotRows(q, k, ld, all, 0.25)
		for n := 1; n <= 20; n++ {
			part := make([]float32, n)
			DotRows(q, k, ld, part, 0.25)
			for j := range part {
				if math.Float32bits(part[j]) != math.Float32bits(all[j]) {
					t.Fatalf("hd=%d n=%d: score %d = %v, with 20 keys %v", hd, n, j, part[j], all[j])
				}
			}
			// The same n-key weighted sum computed twice must agree, and
			// agree with the portable order within rounding.
			p := randSlice(r, n)
			o1, o2 := make([]float32, hd), make([]float32, hd)
			AxpyRows(p, k, ld, o1)
			axpyRowsGo(p, k, ld, o2)
			for c := range o1 {
				if math.Abs(float64(o1[c]-o2[c])) > 1e-5 {
					t.Fatalf("hd=%d n=%d: axpy[%d] = %v, portable %v", hd, n, c, o1[c], o2[c])
				}
			}
		}
	}
}

func TestAdamStepMatchesFloat64(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 8, 13, 64} {
		p, g, m, v := randSlice(r, n), randSlice(r, n), randSlice(r, n), randSlice(r, n)
		for i := range v {
			v[i] = v[i] * v[i]
		}
		p64, g64, m64, v64 := widen(p), widen(g), widen(m), widen(v)
		k := AdamCoeffs{Clip: 0.5, B1: 0.9, C1: 0.1, B2: 0.99, C2: 0.01, InvBc2: 1.3, Eps: 1e-8, Step: 1e-3, Decay: 0.999}
		AdamStep(p, g, m, v, k)
		AdamStep(p64, g64, m64, v64, k)
		for i := range p {
			if math.Abs(float64(p[i])-p64[i]) > 1e-6 || math.Abs(float64(m[i])-m64[i]) > 1e-6 || math.Abs(float64(v[i])-v64[i]) > 1e-6 {
				t.Fatalf("n=%d element %d: p %v/%v m %v/%v v %v/%v", n, i, p[i], p64[i], m[i], m64[i], v[i], v64[i])
			}
		}
	}
}
