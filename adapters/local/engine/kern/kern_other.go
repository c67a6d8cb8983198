//go:build !amd64 || purego

package kern

// Accelerated reports whether the AVX2/FMA kernels are in use.
func Accelerated() bool { return false }

func microKernel(kb int, a []float32, ar, ak int, b []float32, bk int, c []float32, ldc int, accum bool) {
	microKernelGo(kb, a, ar, ak, b, bk, c, ldc, accum)
}

func dotRowsF32(q, k []float32, ldk, n int, out []float32, scale float32) {
	dotRowsGo(q, k, ldk, n, out, scale)
}

func axpyRowsF32(p, v []float32, ldv int, out []float32) { axpyRowsGo(p, v, ldv, out) }

func gerRowsF32(s, x, dst []float32, ldd int) { gerRowsGo(s, x, dst, ldd) }

func expSubF32(x []float32, sub float32) float32 { return expSubGo(x, sub) }

func geluFwdF32(u, g []float32) { geluFwdGo(u, g) }

func geluBwdF32(u, du []float32) { geluBwdGo(u, du) }

func adamF32(p, g, m, v []float32, k *adamCoeffs32) int { return 0 }
