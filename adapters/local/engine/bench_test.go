package engine

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
)

// nanoGPTConfig is nanoGPT's CPU configuration on tiny Shakespeare.
func nanoGPTConfig() Config {
	return Config{Name: "bench/nanogpt", Vocab: 65, Context: 64, Dim: 128, Layers: 4, Heads: 4, Hidden: 512, Seed: 1}
}

func benchBatch(cfg Config, batch int) *Batch {
	r := newRNG(5, "bench")
	b := &Batch{K: 1}
	for s := 0; s < batch; s++ {
		b.SeqStart = append(b.SeqStart, len(b.Tokens))
		for i := 0; i < cfg.Context; i++ {
			b.Tokens = append(b.Tokens, int32(r.next()%uint64(cfg.Vocab)))
			b.Targets = append(b.Targets, int32(r.next()%uint64(cfg.Vocab)))
			b.Weights = append(b.Weights, 1/float32(batch*cfg.Context))
		}
	}
	b.SeqStart = append(b.SeqStart, len(b.Tokens))
	return b
}

// BenchmarkTrainStep measures one forward_backward + optim_step of the
// nanoGPT CPU configuration (12 sequences of 64 tokens).
func BenchmarkTrainStep(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			pool := kern.NewPool(threads)
			defer pool.Close()
			cfg := nanoGPTConfig()
			m, err := New[float32](cfg, LoRA{}, pool)
			if err != nil {
				b.Fatal(err)
			}
			batch := benchBatch(cfg, 12)
			var res Result
			adam := AdamParams{LearningRate: 1e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, GradClipNorm: 1}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				if err := m.ForwardBackward(batch, DefaultLoss(CrossEntropy), &res); err != nil {
					b.Fatal(err)
				}
				if _, err := m.OptimStep(adam); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time per step is less sensitive than wall time to other
			// processes on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			tok := float64(len(batch.Tokens)) * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(tok, "tokens/s")
			b.ReportMetric(tok*cfg.FLOPsPerToken(cfg.Context)/1e9, "GFLOP/s")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTinySFT measures local/tiny on SFT-shaped batches: 16
// sequences of 256 tokens, LoRA rank 32 and full fine-tuning.
func BenchmarkTinySFT(b *testing.B) {
	for _, rank := range []int{32, 0} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("rank=%d/threads=%d", rank, threads), func(b *testing.B) {
				pool := kern.NewPool(threads)
				defer pool.Close()
				cfg, _, _ := Resolve("local/tiny")
				lora := LoRA{Rank: rank, Alpha: 32, Attn: true, MLP: true, Unembed: true}
				m, err := New[float32](cfg, lora, pool)
				if err != nil {
					b.Fatal(err)
				}
				c := cfg
				c.Context = 256
				batch := benchBatch(c, 16)
				var res Result
				adam := AdamParams{LearningRate: 2e-4, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}
				cpu0 := cpuTime()
				b.ResetTimer()
				for b.Loop() {
					if err := m.ForwardBackward(batch, DefaultLoss(CrossEntropy), &res); err != nil {
						b.Fatal(err)
					}
					if _, err := m.OptimStep(adam); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(len(batch.Tokens))*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// BenchmarkGenerate measures KV-cache sampling on local/tiny: a 64-token
// prompt, 4 samples of 128 tokens.
func BenchmarkGenerate(b *testing.B) {
	pool := kern.NewPool(2)
	defer pool.Close()
	cfg, _, _ := Resolve("local/tiny")
	m, err := New[float32](cfg, LoRA{}, pool)
	if err != nil {
		b.Fatal(err)
	}
	prompt := make([]int32, 64)
	for i := range prompt {
		prompt[i] = int32('a' + i%26)
	}
	for b.Loop() {
		if _, err := m.Generate(b.Context(), prompt, GenerateParams{NumSamples: 4, MaxTokens: 128, Temperature: 1, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*128)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}
