// Package tinkerbench measures the tinker adapter's pipelining against a
// test fake of the service (tinkerfake) that adds 200 ms of latency to
// every request and 1 s of compute to every optimizer step (acceptance 2
// of issue 6). It holds only benchmarks, so `go test ./...` compiles it
// and runs nothing; run it with bench/tinker/run.sh.
//
// The reference is the service's own compute time, 20 steps x 1 s = 20 s:
// the pipelined loop should cost that plus a few round trips, the
// unpipelined loop adds several round trips per step.
package tinkerbench

import (
	"context"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker"
	"github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
)

const (
	steps   = 20
	latency = 200 * time.Millisecond
	compute = time.Second
	key     = "tml-bench-key"
)

func datums(k int) []ports.Datum {
	out := make([]ports.Datum, 8)
	for i := range out {
		toks := make([]int, 64)
		targets := make([]int64, 64)
		weights := make([]float32, 64)
		for j := range toks {
			toks[j] = (k + i + j) % 256
			targets[j] = int64((k + i + j + 1) % 256)
			weights[j] = 1
		}
		out[i] = ports.Datum{ModelInput: ports.TokensInput(toks), LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor(targets), "weights": ports.FloatTensor(weights)}}
	}
	return out
}

// run times steps SFT steps on a fresh fake and model; the clock starts
// after create_model.
func run(b *testing.B, pipelined bool) time.Duration {
	f := tinkerfake.Start(tinkerfake.Options{APIKey: key, Latency: latency, OptimCompute: compute, PollHold: 30 * time.Second})
	defer f.Close()
	tr, err := tinker.NewTrainer(tinker.Config{BaseURL: f.URL, APIKey: key}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	ctx := context.Background()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "meta-llama/Llama-3.2-1B", LoRA: ports.DefaultLoRA(32, 0)})
	if err != nil {
		b.Fatal(err)
	}
	params := ports.AdamParams{LearningRate: 1e-4, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}
	start := time.Now()
	type step struct {
		fb  ports.Future[ports.ForwardBackwardOutput]
		opt ports.Future[ports.OptimStepResult]
	}
	await := func(s step) {
		if _, err := s.fb.Await(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := s.opt.Await(ctx); err != nil {
			b.Fatal(err)
		}
	}
	var prev *step
	for k := 1; k <= steps; k++ {
		if !pipelined {
			if _, err := tc.ForwardBackward(ctx, datums(k), ports.LossCrossEntropy, nil).Await(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := tc.OptimStep(ctx, params).Await(ctx); err != nil {
				b.Fatal(err)
			}
			continue
		}
		cur := &step{
			fb:  tc.ForwardBackward(ctx, datums(k), ports.LossCrossEntropy, nil),
			opt: tc.OptimStep(ctx, params),
		}
		if prev != nil {
			await(*prev)
		}
		prev = cur
	}
	if prev != nil {
		await(*prev)
	}
	return time.Since(start)
}

func bench(b *testing.B, pipelined bool) {
	var total time.Duration
	for range b.N {
		total += run(b, pipelined)
	}
	wall := total / time.Duration(b.N)
	ideal := time.Duration(steps) * compute
	b.ReportMetric(wall.Seconds(), "wall-s/20steps")
	b.ReportMetric(wall.Seconds()/ideal.Seconds(), "x-of-20s")
}

// BenchmarkSFT20Pipelined: forward_backward and optim_step submitted back
// to back, step k+1 submitted before step k is awaited.
func BenchmarkSFT20Pipelined(b *testing.B) { bench(b, true) }

// BenchmarkSFT20Unpipelined: every call awaited before the next is sent.
func BenchmarkSFT20Unpipelined(b *testing.B) { bench(b, false) }
