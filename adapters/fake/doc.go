// Package fake holds deterministic test fakes for every port, all
// registered under the adapter name "fake" (the built-in `test` manifest
// binds them). They exist only for tests: they train nothing and call
// nothing, and `cookbookc adapters` labels them as fakes.
//
// What makes them useful fakes rather than stubs:
//   - Every result is a pure function of the inputs and of the calls made
//     so far, never of time or randomness, so two runs of a recipe produce
//     byte-identical outputs.
//   - They emit data in the shapes stages accept: the dataset store yields
//     rows in the row formats stdlib/data reads, the trainer returns one
//     "logprobs" tensor per datum with one entry per target token plus
//     "loss:sum", the sampler returns tokens of the byte-level tokenizer.
//   - The trainer's "weights" are a fingerprint (a SHA-256 hash chain) of
//     every gradient step applied, carried in its checkpoint paths. A run
//     that replays or skips a batch after a crash ends with different
//     weights, so crash tests comparing final outputs catch it.
package fake

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Name is the adapter name of every fake.
const Name = "fake"

// mix is splitmix64: a cheap, well-distributed hash of a 64-bit value.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// digestSeed folds a digest into 64 bits.
func digestSeed(d [32]byte) uint64 { return binary.LittleEndian.Uint64(d[:8]) }

// digestOf hashes strings into a digest.
func digestOf(parts ...string) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

// sleep waits d, returning early with ctx.Err() when ctx is cancelled.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// round6 rounds to 6 decimals so that values survive JSON and text
// formatting unchanged across platforms.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

var errClosed = fmt.Errorf("adapter is closed")
