package data

import "math/rand/v2"

// splitStream is the PCG stream of the pre-split shuffle; epoch e uses
// stream e+1, so the split and every epoch get independent orders.
const splitStream = 0

// Permutation returns a permutation of [0, n) determined by seed and
// stream alone. It uses its own Fisher-Yates over PCG (whose output is
// specified) rather than rand.Shuffle, so orders stay the same across Go
// releases and a resumed run sees exactly the order it was trained on.
func Permutation(n int, seed int64, stream uint64) []int {
	rng := rand.NewPCG(uint64(seed), stream)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(rng.Uint64() % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// EpochOrder returns the order in which epoch visits n training examples:
// a fresh shuffle per epoch from the dataset's shuffle_seed.
func EpochOrder(n int, seed int64, epoch int) []int {
	return Permutation(n, seed, uint64(epoch)+1)
}
