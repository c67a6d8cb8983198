//go:build amd64 && !purego

//go:generate python3 asmgen.py

package kern

import "unsafe"

//go:noescape
func kern6x16(kb int, a *float32, ar, ak int, b *float32, bk int, c *float32, ldc int, accum bool)

//go:noescape
func dotRows32(q, k *float32, ldk, n, hd int, out *float32, scale float32)

//go:noescape
func axpyRows32(p, v *float32, ldv, n, hd int, out *float32)

//go:noescape
func gerRows32(s, x, dst *float32, ldd, n, hd int)

//go:noescape
func expSub32(x *float32, n int, sub float32) float32

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// Constants of the vectorised exp, read by the assembly.
//
//lint:file-ignore U1000 the exp and GELU constants are read only by the assembly (kern_amd64.s), which staticcheck does not see
var (
	expHi    float32 = expClampHi
	expLo    float32 = expClampLo
	expLog2e float32 = log2e
	expLn2Hi float32 = ln2Hi
	expLn2Lo float32 = ln2Lo
	expP0    float32 = expC0
	expP1    float32 = expC1
	expP2    float32 = expC2
	expP3    float32 = expC3
	expP4    float32 = expC4
	expP5    float32 = expC5
	expOne   float32 = 1
	laneIdx          = [8]int32{0, 1, 2, 3, 4, 5, 6, 7}
)

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA.
var hasAVX2FMA = detectAVX2FMA()

func detectAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // OS saves XMM and YMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0 // AVX2
}

// Accelerated reports whether the AVX2/FMA kernels are in use.
func Accelerated() bool { return hasAVX2FMA }

// microKernel runs the 6×16 kernel; the caller has bounds-checked the
// last elements of a and b it reads.
func microKernel(kb int, a []float32, ar, ak int, b []float32, bk int, c []float32, ldc int, accum bool) {
	if hasAVX2FMA {
		_ = c[5*ldc+nr-1]
		kern6x16(kb, unsafe.SliceData(a), ar, ak, unsafe.SliceData(b), bk, unsafe.SliceData(c), ldc, accum)
		return
	}
	microKernelGo(kb, a, ar, ak, b, bk, c, ldc, accum)
}

func dotRowsF32(q, k []float32, ldk, n int, out []float32, scale float32) {
	hd := len(q)
	if hasAVX2FMA && hd%8 == 0 && hd > 0 && n > 0 {
		_ = k[(n-1)*ldk+hd-1]
		_ = out[n-1]
		dotRows32(unsafe.SliceData(q), unsafe.SliceData(k), ldk, n, hd, unsafe.SliceData(out), scale)
		return
	}
	dotRowsGo(q, k, ldk, n, out, scale)
}

func axpyRowsF32(p, v []float32, ldv int, out []float32) {
	n, hd := len(p), len(out)
	if hasAVX2FMA && hd%8 == 0 && hd > 0 && n > 0 {
		_ = v[(n-1)*ldv+hd-1]
		axpyRows32(unsafe.SliceData(p), unsafe.SliceData(v), ldv, n, hd, unsafe.SliceData(out))
		return
	}
	axpyRowsGo(p, v, ldv, out)
}

func gerRowsF32(s, x, dst []float32, ldd int) {
	n, hd := len(s), len(x)
	if hasAVX2FMA && hd%8 == 0 && hd > 0 && n > 0 {
		_ = dst[(n-1)*ldd+hd-1]
		gerRows32(unsafe.SliceData(s), unsafe.SliceData(x), unsafe.SliceData(dst), ldd, n, hd)
		return
	}
	gerRowsGo(s, x, dst, ldd)
}

func expSubF32(x []float32, sub float32) float32 {
	if hasAVX2FMA {
		if len(x) == 0 {
			return 0
		}
		return expSub32(unsafe.SliceData(x), len(x), sub)
	}
	return expSubGo(x, sub)
}

//go:noescape
func geluFwd32(u, out *float32, n int)

//go:noescape
func geluBwd32(u, du *float32, n int)

// Constants of the vectorised GELU.
var (
	geluK     float32 = geluCubic
	gelu3K    float32 = 3 * geluCubic
	gelu2C    float32 = 2 * geluSqrt2OverPi
	geluHalfC float32 = 0.5 * geluSqrt2OverPi
	geluHalf  float32 = 0.5
	geluTwo   float32 = 2
)

func geluFwdF32(u, g []float32) {
	if hasAVX2FMA && len(u) > 0 {
		_ = g[len(u)-1]
		geluFwd32(unsafe.SliceData(u), unsafe.SliceData(g), len(u))
		return
	}
	geluFwdGo(u, g)
}

func geluBwdF32(u, du []float32) {
	if hasAVX2FMA && len(u) > 0 {
		_ = du[len(u)-1]
		geluBwd32(unsafe.SliceData(u), unsafe.SliceData(du), len(u))
		return
	}
	geluBwdGo(u, du)
}

//go:noescape
func adamStep32(p, grad, m, v *float32, n int, k *adamCoeffs32)

// adamF32 updates the largest multiple of 8 elements and returns it.
func adamF32(p, g, m, v []float32, k *adamCoeffs32) int {
	n := len(p) &^ 7
	if !hasAVX2FMA || n == 0 {
		return 0
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	adamStep32(unsafe.SliceData(p), unsafe.SliceData(g), unsafe.SliceData(m), unsafe.SliceData(v), n, k)
	return n
}
