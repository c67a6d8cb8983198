package local

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// goroutinesSettleTo waits up to 10 s for the goroutine count to come
// down to at most want and returns the last count seen.
func goroutinesSettleTo(want int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestIdleSamplersHoldNoGoroutines: the port gives samplers no Close, so
// a sampler must not keep goroutines (its queue worker, its kernel
// threads) once its requests are done, even while it is still referenced;
// and it must serve later requests exactly as before.
func TestIdleSamplersHoldNoGoroutines(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tr, err := NewTrainer(Options{Root: dir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := NewSamplingService(Options{Root: dir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	baseline := runtime.NumGoroutine()

	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/tiny", LoRA: ports.DefaultLoRA(4, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.ForwardBackward(ctx, data, "cross_entropy", nil).Await(ctx); err != nil {
		t.Fatal(err)
	}
	var samplers []ports.Sampler
	for i := 0; i < 6; i++ {
		s, err := ss.NewSampler(ctx, ports.SamplerSpec{BaseModel: "local/tiny"})
		if err != nil {
			t.Fatal(err)
		}
		samplers = append(samplers, s)
	}
	for i := 0; i < 3; i++ {
		s, err := tc.Sampler(ctx)
		if err != nil {
			t.Fatal(err)
		}
		samplers = append(samplers, s)
	}
	seed := int64(3)
	req := ports.SampleRequest{Prompt: ports.TokensInput([]int{72, 105}), NumSamples: 2,
		Params: ports.SamplingParams{MaxTokens: 8, Temperature: 1, TopK: -1, TopP: 1, Seed: &seed}}
	sample := func(s ports.Sampler) [][]int {
		t.Helper()
		resp, err := s.Sample(ctx, req).Await(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]int
		for _, q := range resp.Sequences {
			out = append(out, q.Tokens)
		}
		return out
	}
	first := make([][][]int, len(samplers))
	for i, s := range samplers {
		first[i] = sample(s)
	}
	if err := tc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := goroutinesSettleTo(baseline); n > baseline {
		t.Fatalf("%d goroutines with %d idle samplers, %d before any", n, len(samplers), baseline)
	}
	// Idle samplers wake up and give the same answers.
	for i, s := range samplers {
		if got := sample(s); !slices.EqualFunc(got, first[i], slices.Equal) {
			t.Fatalf("sampler %d after idling: %v, before %v", i, got, first[i])
		}
	}
	if n := goroutinesSettleTo(baseline); n > baseline {
		t.Fatalf("%d goroutines after the second round, %d before any", n, baseline)
	}
	runtime.KeepAlive(samplers)
}

// TestFailedLoadStateLeavesTheModel: a checkpoint whose optimizer state
// is unreadable must not half-load (new weights over the old optimizer).
func TestFailedLoadStateLeavesTheModel(t *testing.T) {
	tr, _, root := newAdapters(t)
	ctx := context.Background()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/tiny", LoRA: ports.DefaultLoRA(4, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close(ctx)
	step := func() {
		tc.ForwardBackward(ctx, data, "cross_entropy", nil)
		if _, err := tc.OptimStep(ctx, adamParams).Await(ctx); err != nil {
			t.Fatal(err)
		}
	}
	loss := func() float64 {
		out, err := tc.Forward(ctx, data, "cross_entropy", nil).Await(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return out.Metrics["loss:sum"]
	}
	step()
	path, err := tc.SaveState(ctx, "s", ports.SaveOptions{}).Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	saved := loss()
	step()
	step()
	now := loss()
	if err := os.WriteFile(filepath.Join(root, "tiny-0", "weights", "s", "optimizer.safetensors"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.LoadState(ctx, path, true).Await(ctx); err == nil {
		t.Fatal("loading a corrupt optimizer state succeeded")
	}
	if got := loss(); got != now {
		t.Fatalf("after a failed load the loss is %v, was %v: the model changed", got, now)
	}
	if _, err := tc.LoadState(ctx, path, false).Await(ctx); err != nil {
		t.Fatal(err)
	}
	if got := loss(); got != saved {
		t.Fatalf("after loading the weights the loss is %v, want the saved model's %v", got, saved)
	}
}
