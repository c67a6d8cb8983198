package kern

// Blocking of the float32 matrix multiply. They are constants (never
// derived from the thread count) because they fix the summation order.
const (
	mr = 6   // rows of the micro-kernel tile
	nr = 16  // columns of the micro-kernel tile (two AVX2 registers)
	kc = 256 // k-block: each output element sums k in blocks of kc
	mc = 48  // rows of A packed per task (8 micro-panels)
	nc = 64  // columns of C per task (4 micro-panels)
)

type workerScratch struct {
	tile [mr * nr]float32
}

type sharedScratch struct {
	apack, bpack []float32
}

// Gemm computes C = op(A)·op(B) when acc is false and C += op(A)·op(B)
// when acc is true, for row-major matrices. op(A) is m×k: A is stored m×k
// (stride lda) or, when transA, k×m (stride lda). op(B) is k×n: B is
// stored k×n (stride ldb) or, when transB, n×k (stride ldb). C is m×n
// with stride ldc.
//
// float32 runs the packed, blocked, parallel kernel; float64 runs a
// serial reference loop (test mode).
func Gemm[T Float](p *Pool, transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, acc bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	if a32, ok := as32(a); ok {
		b32, _ := as32(b)
		c32, _ := as32(c)
		p.gemm.run(transA, transB, m, n, k, a32, lda, b32, ldb, c32, ldc, acc)
		return
	}
	gemmRef(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, acc)
}

// gemmRef is the plain triple loop used for float64.
func gemmRef[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, acc bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if acc {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

// gemmTask is the state of one float32 multiply, shared by its two
// phases (pack B, then compute tiles). It lives in the Pool so that a
// call allocates nothing.
type gemmTask struct {
	pool           *Pool
	phase          int
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
	acc            bool
	nPanels        int // panels of nr columns in B
	mBlocks        int
	nBlocks        int
}

func (g *gemmTask) run(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	*g = gemmTask{pool: g.pool, transA: transA, transB: transB, m: m, n: n, k: k,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, acc: acc}
	g.nPanels = (n + nr - 1) / nr
	g.mBlocks = (m + mc - 1) / mc
	g.nBlocks = (n + nc - 1) / nc
	sh := &g.pool.shared
	sh.bpack = grow(sh.bpack, g.nPanels*k*nr)
	sh.apack = grow(sh.apack, g.mBlocks*mc*k)
	g.phase = 0
	g.pool.Run(g.nPanels+g.mBlocks, g)
	g.phase = 1
	g.pool.Run(g.mBlocks*g.nBlocks, g)
	g.a, g.b, g.c = nil, nil, nil
}

// Do implements Task.
func (g *gemmTask) Do(w, i int) {
	if g.phase == 0 {
		if i < g.nPanels {
			g.packB(i)
		} else {
			g.packABlock(i - g.nPanels)
		}
		return
	}
	g.tile(w, i/g.nBlocks, i%g.nBlocks)
}

// packB packs the columns [jp*nr, jp*nr+nr) of op(B) as k rows of nr
// values, zero-padded past n.
func (g *gemmTask) packB(jp int) {
	dst := g.pool.shared.bpack[jp*g.k*nr : (jp+1)*g.k*nr]
	j0 := jp * nr
	cols := min(nr, g.n-j0)
	if !g.transB {
		for p := 0; p < g.k; p++ {
			row := g.b[p*g.ldb+j0 : p*g.ldb+j0+cols]
			d := dst[p*nr : p*nr+nr]
			copy(d, row)
			clear(d[cols:])
		}
		return
	}
	if cols < nr {
		clear(dst)
	}
	for c := 0; c < cols; c++ {
		src := g.b[(j0+c)*g.ldb : (j0+c)*g.ldb+g.k]
		for p, v := range src {
			dst[p*nr+c] = v
		}
	}
}

// packABlock packs the rows of m-block mb for every k-block: block p0
// starts at mb*mc*k + p0*mc.
func (g *gemmTask) packABlock(mb int) {
	i0 := mb * mc
	rows := min(mc, g.m-i0)
	base := g.pool.shared.apack[mb*mc*g.k:]
	for p0 := 0; p0 < g.k; p0 += kc {
		kb := min(kc, g.k-p0)
		g.packA(base[p0*mc:], i0, rows, p0, kb)
	}
}

// packA packs rows [i0, i0+rows) and k-range [p0, p0+kb) of op(A) as
// micro-panels of mr rows, each kb×mr, zero-padded past the last row.
func (g *gemmTask) packA(dst []float32, i0, rows, p0, kb int) {
	panels := (rows + mr - 1) / mr
	for ip := 0; ip < panels; ip++ {
		d := dst[ip*kb*mr : (ip+1)*kb*mr]
		r0 := i0 + ip*mr
		rn := min(mr, i0+rows-r0)
		if rn < mr {
			clear(d)
		}
		if !g.transA {
			if rn == mr {
				// Six read streams, sequential writes.
				lda := g.lda
				s0 := g.a[r0*lda+p0 : r0*lda+p0+kb]
				s1 := g.a[(r0+1)*lda+p0 : (r0+1)*lda+p0+kb]
				s2 := g.a[(r0+2)*lda+p0 : (r0+2)*lda+p0+kb]
				s3 := g.a[(r0+3)*lda+p0 : (r0+3)*lda+p0+kb]
				s4 := g.a[(r0+4)*lda+p0 : (r0+4)*lda+p0+kb]
				s5 := g.a[(r0+5)*lda+p0 : (r0+5)*lda+p0+kb]
				for p := range kb {
					q := d[p*mr : p*mr+mr : p*mr+mr]
					q[0], q[1], q[2], q[3], q[4], q[5] = s0[p], s1[p], s2[p], s3[p], s4[p], s5[p]
				}
				continue
			}
			for r := 0; r < rn; r++ {
				src := g.a[(r0+r)*g.lda+p0 : (r0+r)*g.lda+p0+kb]
				for p, v := range src {
					d[p*mr+r] = v
				}
			}
			continue
		}
		for p := 0; p < kb; p++ {
			src := g.a[(p0+p)*g.lda+r0 : (p0+p)*g.lda+r0+rn]
			copy(d[p*mr:p*mr+rn], src)
		}
	}
}

// tile computes the C block (mBlock, nBlock) over all of k.
func (g *gemmTask) tile(w, mb, nb int) {
	s := &g.pool.scratch[w]
	i0 := mb * mc
	rows := min(mc, g.m-i0)
	j0 := nb * nc
	cols := min(nc, g.n-j0)
	panelsA := (rows + mr - 1) / mr
	bpack := g.pool.shared.bpack
	abase := g.pool.shared.apack[mb*mc*g.k:]
	for p0 := 0; p0 < g.k; p0 += kc {
		kb := min(kc, g.k-p0)
		apack := abase[p0*mc:]
		accum := g.acc || p0 > 0
		for jc := 0; jc < cols; jc += nr {
			jp := (j0 + jc) / nr
			bp := bpack[jp*g.k*nr+p0*nr:]
			cn := min(nr, cols-jc)
			for ip := 0; ip < panelsA; ip++ {
				ap := apack[ip*kb*mr:]
				r0 := i0 + ip*mr
				rn := min(mr, i0+rows-r0)
				coff := r0*g.ldc + j0 + jc
				if rn == mr && cn == nr {
					microKernel(kb, ap, bp, g.c[coff:], g.ldc, accum)
					continue
				}
				// Edge tile: run the same kernel on a full scratch tile so
				// the arithmetic is identical to an interior tile.
				t := s.tile[:]
				clear(t)
				if accum {
					for r := 0; r < rn; r++ {
						copy(t[r*nr:r*nr+cn], g.c[coff+r*g.ldc:coff+r*g.ldc+cn])
					}
				}
				microKernel(kb, ap, bp, t, nr, accum)
				for r := 0; r < rn; r++ {
					copy(g.c[coff+r*g.ldc:coff+r*g.ldc+cn], t[r*nr:r*nr+cn])
				}
			}
		}
	}
}

// microKernelGo is the portable micro-kernel: C[6×16] (+)= A·B over kb,
// with a (kb×mr) and b (kb×nr) packed.
func microKernelGo(kb int, a, b, c []float32, ldc int, accum bool) {
	var t [mr * nr]float32
	for p := 0; p < kb; p++ {
		bp := b[p*nr : p*nr+nr]
		ap := a[p*mr : p*mr+mr]
		for r := 0; r < mr; r++ {
			av := ap[r]
			tr := t[r*nr : r*nr+nr]
			for j := range nr {
				tr[j] += av * bp[j]
			}
		}
	}
	for r := 0; r < mr; r++ {
		cr := c[r*ldc : r*ldc+nr]
		if accum {
			for j := range nr {
				cr[j] += t[r*nr+j]
			}
		} else {
			copy(cr, t[r*nr:r*nr+nr])
		}
	}
}
