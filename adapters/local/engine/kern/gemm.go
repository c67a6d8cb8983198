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
	apart [kc * mr]float32 // a zero-padded partial A panel
	bpart [kc * nr]float32 // a zero-padded partial B panel
	tile  [mr * nr]float32
}

type sharedScratch struct {
	bpack []float32
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

// gemmTask is the state of one float32 multiply. The micro-kernel reads
// A and B in place through strides whenever a full 6×16 tile is
// available: op(A)(i, k) is a[i*ar + k*ak], and op(B) rows are read at
// stride ldb when B is not transposed. Only a transposed B is packed (its
// columns are not contiguous), in panels of nr columns, and partial edge
// panels are copied into zero-padded scratch. The kernel's arithmetic is
// the same in every case, so no result depends on the path taken. The
// task lives in the Pool so that a call allocates nothing.
type gemmTask struct {
	pool     *Pool
	phase    int
	transB   bool
	m, n, k  int
	a, b, c  []float32
	ar, ak   int
	ldb, ldc int
	acc      bool
	nPanels  int // panels of nr columns in B
	mBlocks  int
	nBlocks  int
}

func (g *gemmTask) run(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	*g = gemmTask{pool: g.pool, transB: transB, m: m, n: n, k: k,
		a: a, b: b, c: c, ldb: ldb, ldc: ldc, acc: acc, ar: lda, ak: 1}
	if transA {
		g.ar, g.ak = 1, lda
	}
	g.nPanels = (n + nr - 1) / nr
	g.mBlocks = (m + mc - 1) / mc
	g.nBlocks = (n + nc - 1) / nc
	if transB {
		sh := &g.pool.shared
		sh.bpack = grow(sh.bpack, g.nPanels*k*nr)
		g.phase = 0
		g.pool.Run(g.nPanels, g)
	}
	g.phase = 1
	g.pool.Run(g.mBlocks*g.nBlocks, g)
	g.a, g.b, g.c = nil, nil, nil
}

// Do implements Task.
func (g *gemmTask) Do(w, i int) {
	if g.phase == 0 {
		g.packB(i)
		return
	}
	g.tile(w, i/g.nBlocks, i%g.nBlocks)
}

// packB packs columns [jp*nr, jp*nr+nr) of a transposed B (stored n×k) as
// k rows of nr values, zero-padded past n.
func (g *gemmTask) packB(jp int) {
	dst := g.pool.shared.bpack[jp*g.k*nr : (jp+1)*g.k*nr]
	j0 := jp * nr
	cols := min(nr, g.n-j0)
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

// tile computes the C block (mBlock, nBlock) over all of k.
func (g *gemmTask) tile(w, mb, nb int) {
	s := &g.pool.scratch[w]
	i0 := mb * mc
	rows := min(mc, g.m-i0)
	j0 := nb * nc
	cols := min(nc, g.n-j0)
	for p0 := 0; p0 < g.k; p0 += kc {
		kb := min(kc, g.k-p0)
		accum := g.acc || p0 > 0
		// Only the block's last row panel can be partial: pack it once
		// per k-block into zero-padded scratch.
		lastRows := rows % mr
		if lastRows > 0 {
			clear(s.apart[:])
			rl := i0 + rows - lastRows
			for r := 0; r < lastRows; r++ {
				if g.ak == 1 {
					src := g.a[(rl+r)*g.ar+p0 : (rl+r)*g.ar+p0+kb]
					for p, v := range src {
						s.apart[p*mr+r] = v
					}
					continue
				}
				for p := 0; p < kb; p++ {
					s.apart[p*mr+r] = g.a[(rl+r)*g.ar+(p0+p)*g.ak]
				}
			}
		}
		for jc := 0; jc < cols; jc += nr {
			cn := min(nr, cols-jc)
			var bp []float32
			bk := nr
			switch {
			case g.transB:
				jp := (j0 + jc) / nr
				bp = g.pool.shared.bpack[jp*g.k*nr+p0*nr:]
			case cn == nr:
				bp, bk = g.b[p0*g.ldb+j0+jc:], g.ldb
				_ = bp[(kb-1)*bk+nr-1]
			default:
				clear(s.bpart[:])
				for p := 0; p < kb; p++ {
					copy(s.bpart[p*nr:p*nr+cn], g.b[(p0+p)*g.ldb+j0+jc:(p0+p)*g.ldb+j0+jc+cn])
				}
				bp = s.bpart[:]
			}
			for r0 := i0; r0 < i0+rows; r0 += mr {
				rn := min(mr, i0+rows-r0)
				ap, ar, ak := g.a[r0*g.ar+p0*g.ak:], g.ar, g.ak
				if rn < mr {
					ap, ar, ak = s.apart[:], 1, mr
				} else {
					_ = ap[5*ar+(kb-1)*ak]
				}
				coff := r0*g.ldc + j0 + jc
				if rn == mr && cn == nr {
					microKernel(kb, ap, ar, ak, bp, bk, g.c[coff:], g.ldc, accum)
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
				microKernel(kb, ap, ar, ak, bp, bk, t, nr, accum)
				for r := 0; r < rn; r++ {
					copy(g.c[coff+r*g.ldc:coff+r*g.ldc+cn], t[r*nr:r*nr+cn])
				}
			}
		}
	}
}

// microKernelGo is the portable micro-kernel: C[6×16] (+)= A·B over kb,
// with A(r, p) = a[r*ar + p*ak] and B row p at b[p*bk:].
func microKernelGo(kb int, a []float32, ar, ak int, b []float32, bk int, c []float32, ldc int, accum bool) {
	var t [mr * nr]float32
	for p := 0; p < kb; p++ {
		bp := b[p*bk : p*bk+nr]
		for r := 0; r < mr; r++ {
			av := a[r*ar+p*ak]
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
