package local

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/local/safetensors"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func newAdapters(t *testing.T) (ports.Trainer, ports.SamplingService, string) {
	t.Helper()
	dir := t.TempDir()
	env := registry.Env{RunDir: dir, Getenv: func(string) string { return "" }}
	tr, err := registry.New(context.Background(), schema.PortTrainingClient, Name, registry.Config{"threads": int64(2), "lora_alpha": 32.0}, env)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := registry.New(context.Background(), schema.PortSamplingClient, Name, registry.Config{}, env)
	if err != nil {
		t.Fatal(err)
	}
	return tr.(ports.Trainer), ss.(ports.SamplingService), filepath.Join(dir, "local")
}

// datum is next-byte prediction over text with unit weights.
func datum(text string) ports.Datum {
	toks := make([]int, 0, len(text))
	for _, c := range []byte(text) {
		toks = append(toks, int(c))
	}
	targets := make([]int64, len(toks)-1)
	weights := make([]float32, len(toks)-1)
	for i := range targets {
		targets[i] = int64(toks[i+1])
		weights[i] = 1
	}
	return ports.Datum{ModelInput: ports.TokensInput(toks[:len(toks)-1]),
		LossFnInputs: map[string]ports.TensorData{"target_tokens": ports.IntTensor(targets), "weights": ports.FloatTensor(weights)}}
}

var data = []ports.Datum{datum("User: hello there\n\nAssistant: hi!"), datum("User: 2+2?\n\nAssistant: 4")}

var adamParams = ports.AdamParams{LearningRate: 3e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}

func TestStandInAndInfo(t *testing.T) {
	tr, _, _ := newAdapters(t)
	ctx := context.Background()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "meta-llama/Llama-3.2-1B", LoRA: ports.DefaultLoRA(8, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close(ctx)
	info, _ := tc.Info(ctx)
	if !strings.Contains(info.StandIn, "local/tiny") || !strings.Contains(info.StandIn, "Llama-3.2-1B") {
		t.Fatalf("StandIn = %q, want it to name the model and local/tiny", info.StandIn)
	}
	if info.TokenizerID != ports.ByteTokenizerID || info.ContextLength != 512 || !info.IsLoRA || info.LoRARank != 8 {
		t.Fatalf("info = %+v", info)
	}
	big, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "Qwen/Qwen3-30B-A3B", LoRA: ports.DefaultLoRA(0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close(ctx)
	if bi, _ := big.Info(ctx); !strings.Contains(bi.StandIn, "local/small") {
		t.Fatalf("30B stand-in = %q, want local/small", bi.StandIn)
	}
	own, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/tiny"})
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close(ctx)
	if oi, _ := own.Info(ctx); oi.StandIn != "" || oi.IsLoRA {
		t.Fatalf("local/tiny info = %+v, want no stand-in, full fine-tuning", oi)
	}
	if _, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/huge"}); err == nil {
		t.Fatal("unknown local model accepted")
	}
}

// TestPipelinedTrainingSaveResumeAndSample submits steps without awaiting,
// checks the loss falls, saves, resumes bitwise, and samples from the
// saved sampler weights.
func TestPipelinedTrainingSaveResumeAndSample(t *testing.T) {
	tr, ss, root := newAdapters(t)
	ctx := context.Background()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/tiny", LoRA: ports.DefaultLoRA(16, 3)})
	if err != nil {
		t.Fatal(err)
	}
	var fbs []ports.Future[ports.ForwardBackwardOutput]
	var opts []ports.Future[ports.OptimStepResult]
	for i := 0; i < 30; i++ {
		fbs = append(fbs, tc.ForwardBackward(ctx, data, "cross_entropy", nil))
		opts = append(opts, tc.OptimStep(ctx, adamParams))
	}
	state := tc.SaveState(ctx, "mid", ports.SaveOptions{})
	for i := 0; i < 5; i++ {
		tc.ForwardBackward(ctx, data, "cross_entropy", nil)
		opts = append(opts, tc.OptimStep(ctx, adamParams))
	}
	final := tc.SaveSamplerWeights(ctx, "final", ports.SaveOptions{})
	first, err := fbs[0].Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last, err := fbs[len(fbs)-1].Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.LossFnOutputs) != 2 || first.LossFnOutputs[0]["logprobs"].Len() != data[0].ModelInput.Len() {
		t.Fatalf("outputs = %+v", first.LossFnOutputs)
	}
	if !(last.Metrics["loss:sum"] < 0.7*first.Metrics["loss:sum"]) {
		t.Fatalf("loss:sum %v -> %v, want a clear drop", first.Metrics["loss:sum"], last.Metrics["loss:sum"])
	}
	for _, f := range opts {
		if r, err := f.Await(ctx); err != nil || r.Metrics["grad_norm:mean"] <= 0 {
			t.Fatalf("optim_step = %+v, %v", r, err)
		}
	}
	statePath, err := state.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	samplerPath, err := final.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if statePath != "local://tiny-0/weights/mid" || samplerPath != "local://tiny-0/sampler_weights/final" {
		t.Fatalf("paths = %q, %q", statePath, samplerPath)
	}
	for _, f := range []string{"tiny-0/weights/mid/model.safetensors", "tiny-0/weights/mid/optimizer.safetensors", "tiny-0/sampler_weights/final/model.safetensors"} {
		buf, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := safetensors.Read(buf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}

	// Resume from "mid" (absolute form of the path) and take the same 5
	// steps: the sampler weights must match bitwise.
	resumed, err := tr.LoadModel(ctx, ports.LoadModelRequest{Path: "local://" + filepath.Join(root, "tiny-0/weights/mid"), WithOptimizer: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		resumed.ForwardBackward(ctx, data, "cross_entropy", nil)
		resumed.OptimStep(ctx, adamParams)
	}
	again, err := resumed.SaveSamplerWeights(ctx, "final", ports.SaveOptions{}).Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(root, "tiny-0/sampler_weights/final/model.safetensors"))
	b, _ := os.ReadFile(filepath.Join(root, strings.TrimPrefix(again, "local://"), "model.safetensors"))
	if len(a) == 0 || string(a) != string(b) {
		t.Fatalf("resumed sampler weights (%s) differ from the uninterrupted run's", again)
	}

	// Sample from the saved weights; the sampled logprobs must equal the
	// training forward pass's.
	sampler, err := ss.NewSampler(ctx, ports.SamplerSpec{ModelPath: samplerPath})
	if err != nil {
		t.Fatal(err)
	}
	prompt := data[0].ModelInput.Tokens()[:10]
	seed := int64(5)
	resp, err := sampler.Sample(ctx, ports.SampleRequest{Prompt: ports.TokensInput(prompt), NumSamples: 2,
		Params: ports.SamplingParams{MaxTokens: 12, Temperature: 1, TopK: -1, TopP: 1, Seed: &seed}}).Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range resp.Sequences {
		full := append(append([]int(nil), prompt...), seq.Tokens...)
		d := datum(string(bytesOf(full)))
		out, err := tc.Forward(ctx, []ports.Datum{d}, "cross_entropy", nil).Await(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lp := out.LossFnOutputs[0]["logprobs"].Floats
		for i, got := range seq.Logprobs {
			if want := lp[len(prompt)-1+i]; math.Abs(float64(got-want)) > 1e-5 {
				t.Fatalf("token %d: sampled logprob %v, forward %v", i, got, want)
			}
		}
	}
	if err := tc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.OptimStep(ctx, adamParams).Await(ctx); err == nil {
		t.Fatal("optim_step after close succeeded")
	}
	base, err := ss.NewSampler(ctx, ports.SamplerSpec{BaseModel: "meta-llama/Llama-3.1-8B"})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := base.Info(ctx); !strings.Contains(info.StandIn, "local/small") {
		t.Fatalf("8B base sampler stand-in = %q", info.StandIn)
	}
}

func bytesOf(toks []int) []byte {
	b := make([]byte, len(toks))
	for i, t := range toks {
		b[i] = byte(t)
	}
	return b
}

func TestBadRequestsAreErrors(t *testing.T) {
	tr, ss, _ := newAdapters(t)
	ctx := context.Background()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/tiny", LoRA: ports.DefaultLoRA(4, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close(ctx)
	withMask := datum("abcdef")
	withMask.LossFnInputs["mask"] = ports.FloatTensor([]float32{1, 1, 1, 1, 1})
	noWeights := datum("abcdef")
	delete(noWeights.LossFnInputs, "weights")
	long := datum(strings.Repeat("x", 600))
	// 2^32+10 wraps around to token 10 in int32.
	wrapTarget := datum("abcdef")
	wrapTarget.LossFnInputs["target_tokens"].Ints[2] = 1<<32 + 10
	wrapInput := datum("abcdef")
	wrapInput.ModelInput = ports.TokensInput([]int{97, 1<<32 + 98, 99, 100, 101})
	floatTargets := datum("abcdef")
	floatTargets.LossFnInputs["target_tokens"] = ports.FloatTensor([]float32{98, 99.5, 100, 101, 102})
	cases := map[string]struct {
		data []ports.Datum
		loss string
		cfg  map[string]float64
		want string
	}{
		"unknown key":      {[]ports.Datum{withMask}, "cross_entropy", nil, `"mask"`},
		"missing weights":  {[]ports.Datum{noWeights}, "cross_entropy", nil, "weights"},
		"dro":              {data, "dro", nil, "not supported"},
		"unknown loss":     {data, "hinge", nil, "unknown loss"},
		"bad config key":   {data, "cross_entropy", map[string]float64{"clip_low_threshold": 1}, "not used"},
		"NaN clip":         {data, "ppo", map[string]float64{"clip_high_threshold": math.NaN()}, "must be finite"},
		"too long":         {[]ports.Datum{long}, "cross_entropy", nil, "context window"},
		"missing RL input": {data, "ppo", nil, "logprobs"},
		"target id wraps":  {[]ports.Datum{wrapTarget}, "cross_entropy", nil, "target_tokens[2] = 4294967306 is not a token id"},
		"input id wraps":   {[]ports.Datum{wrapInput}, "cross_entropy", nil, "token 4294967394 at position 1"},
		"float targets":    {[]ports.Datum{floatTargets}, "cross_entropy", nil, "target_tokens must be int64"},
	}
	for name, c := range cases {
		_, err := tc.ForwardBackward(ctx, c.data, c.loss, c.cfg).Await(ctx)
		var pe *ports.Error
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &pe) || pe.Adapter != Name {
			t.Errorf("%s: err = %v, want a local adapter error mentioning %q", name, err, c.want)
		}
	}
	for _, p := range []ports.AdamParams{{LearningRate: math.NaN(), Beta1: 0.9, Beta2: 0.95}, {LearningRate: 1e-3, Beta1: math.NaN(), Beta2: 0.95}, {LearningRate: math.Inf(1), Beta1: 0.9, Beta2: 0.95}} {
		if _, err := tc.OptimStep(ctx, p).Await(ctx); err == nil || !strings.Contains(err.Error(), "invalid Adam parameters") {
			t.Errorf("optim_step %+v: err = %v", p, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := tc.ForwardBackward(cancelled, data, "cross_entropy", nil).Await(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled forward_backward: err = %v", err)
	}
	base, err := ss.NewSampler(ctx, ports.SamplerSpec{BaseModel: "local/tiny"})
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string]ports.SampleRequest{
		"prompt id wraps": {Prompt: ports.TokensInput([]int{72, 1<<32 + 105}), Params: ports.SamplingParams{MaxTokens: 2}},
		"stop id wraps":   {Prompt: ports.TokensInput([]int{72, 105}), Params: ports.SamplingParams{MaxTokens: 2, StopTokens: []int{1<<32 + 10}}},
	} {
		if _, err := base.Sample(ctx, req).Await(ctx); err == nil || !strings.Contains(err.Error(), "is not a token id") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for _, p := range []string{"local://../escape", "tinker://x/weights/y", "local://"} {
		if _, err := ss.NewSampler(ctx, ports.SamplerSpec{ModelPath: p}); err == nil {
			t.Errorf("sampler path %q accepted", p)
		}
	}
	if _, err := tc.SaveState(ctx, "a/b", ports.SaveOptions{}).Await(ctx); err == nil {
		t.Error("checkpoint name with a slash accepted")
	}
}

// TestRLLossesThroughAdapter runs ppo and cispo with per-datum thresholds
// and checks logprobs come back for every position.
func TestRLLossesThroughAdapter(t *testing.T) {
	tr, _, _ := newAdapters(t)
	ctx := context.Background()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "local/tiny", LoRA: ports.DefaultLoRA(4, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close(ctx)
	d := datum("some sampled text")
	n := d.ModelInput.Len()
	fwd, err := tc.Forward(ctx, []ports.Datum{d}, "cross_entropy", nil).Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	adv := make([]float32, n)
	for i := range adv {
		adv[i] = 1
	}
	rl := ports.Datum{ModelInput: d.ModelInput, LossFnInputs: map[string]ports.TensorData{
		"target_tokens": d.LossFnInputs["target_tokens"], "logprobs": fwd.LossFnOutputs[0]["logprobs"],
		"advantages": ports.FloatTensor(adv), "clip_high_threshold": ports.FloatTensor([]float32{1.1}),
	}}
	for _, loss := range []string{"importance_sampling", "ppo", "cispo"} {
		if loss == "importance_sampling" {
			delete(rl.LossFnInputs, "clip_high_threshold")
		}
		out, err := tc.ForwardBackward(ctx, []ports.Datum{rl}, loss, nil).Await(ctx)
		if err != nil {
			t.Fatalf("%s: %v", loss, err)
		}
		// On-policy: ratio 1, so the is/ppo loss is -Σ A = -n.
		if loss != "cispo" && math.Abs(out.Metrics["loss:sum"]+float64(n)) > 1e-3 {
			t.Fatalf("%s loss:sum = %v, want %v", loss, out.Metrics["loss:sum"], -n)
		}
		if out.LossFnOutputs[0]["logprobs"].Len() != n {
			t.Fatalf("%s: %d logprobs for %d tokens", loss, out.LossFnOutputs[0]["logprobs"].Len(), n)
		}
	}
}
