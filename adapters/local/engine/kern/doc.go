// Package kern holds the numeric kernels of the local training engine:
// a packed, blocked matrix multiply with an AVX2/FMA micro-kernel on
// amd64 (Go assembly, no cgo, no build flags) and a portable pure-Go
// fallback, row kernels for attention, a fast float32 exp, and the
// worker pool that spreads work over every core.
//
// Determinism: every kernel splits its work into tasks fixed by the
// problem shape only (never by the number of threads), and each output
// element is computed by exactly one task in a fixed order. Results are
// therefore bitwise identical whatever the thread count. Each matrix
// product element is accumulated over k in increasing order in blocks of
// a fixed size, so one row of a product is bitwise the same whether it is
// computed alone or among many rows (the sampler's KV-cache path relies
// on this to reproduce the training forward pass exactly).
//
// All kernels are generic over float32 and float64; float64 runs portable
// Go loops and exists for finite-difference gradient checks.
package kern

import "unsafe"

// Float is the element type of the engine: float32 in production,
// float64 in gradient-check tests.
type Float interface{ ~float32 | ~float64 }

// as32 reinterprets x as []float32 when T is 4 bytes wide. The size test
// is a compile-time constant per instantiation, so the branch vanishes.
func as32[T Float](x []T) ([]float32, bool) {
	var z T
	if unsafe.Sizeof(z) != 4 {
		return nil, false
	}
	if len(x) == 0 {
		return []float32{}, true
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&x[0])), len(x)), true
}
