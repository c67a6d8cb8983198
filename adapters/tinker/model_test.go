package tinker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker"
	tf "github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
)

// TestInfoAndCapabilities: get_info's tokenizer_id becomes
// ModelInfo.TokenizerID; the context length comes from capabilities.
func TestInfoAndCapabilities(t *testing.T) {
	f := startFake(t, tf.Options{TokenizerID: "org/tok:rev1", Models: []ports.ModelCapability{{Name: "meta-llama/Llama-3.2-1B", ContextLength: 8192}}})
	ctx := context.Background()
	tr := newTrainer(t, testConfig(f), nil)
	caps, err := tr.Capabilities(ctx)
	require.NoError(t, err)
	assert.Equal(t, []ports.ModelCapability{{Name: "meta-llama/Llama-3.2-1B", ContextLength: 8192}}, caps.Models)
	tc, err := tr.CreateModel(ctx, createReq())
	require.NoError(t, err)
	info, err := tc.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, ports.ModelInfo{ModelID: info.ModelID, BaseModel: "meta-llama/Llama-3.2-1B", TokenizerID: "org/tok",
		IsLoRA: true, LoRARank: 8, ContextLength: 8192}, info)
	assert.True(t, strings.HasSuffix(info.ModelID, ":train:0"), info.ModelID)

	// By default the fake reports the model's own tokenizer, as the
	// service does.
	f2 := startFake(t, tf.Options{})
	tc2, err := newTrainer(t, testConfig(f2), nil).CreateModel(ctx, createReq())
	require.NoError(t, err)
	info2, err := tc2.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, "meta-llama/Llama-3.2-1B", info2.TokenizerID)

	_, err = tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "unknown/model", LoRA: ports.DefaultLoRA(8, 0)})
	assert.ErrorContains(t, err, `base model "unknown/model" is not supported`)
	_, err = tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "x", LoRA: ports.LoRAConfig{Rank: 0}})
	assert.ErrorContains(t, err, "LoRA adapters only")
}

// TestResumeFromSavedState: a state saved with the optimizer loads into a
// new model (weights_info + create_model + load_weights, or one
// create-via-load request when flagged) and training continues from the
// saved step; the fake's losses prove the weights came along.
func TestResumeFromSavedState(t *testing.T) {
	for _, viaLoad := range []bool{false, true} {
		t.Run(fmt.Sprintf("create_via_load=%v", viaLoad), func(t *testing.T) {
			f := startFake(t, tf.Options{CreateViaLoad: viaLoad})
			ctx := context.Background()
			tr := newTrainer(t, testConfig(f), nil)
			run := runSFT(ctx, t, tr, 6, 3)
			tc, err := tr.LoadModel(ctx, ports.LoadModelRequest{Path: run.saves[1], WithOptimizer: true})
			require.NoError(t, err)
			out, err := tc.ForwardBackward(ctx, batch(7, 4), ports.LossCrossEntropy, nil).Await(ctx)
			require.NoError(t, err)
			assert.InDelta(t, expectedLoss(batch(7, 4), 6), out.Metrics["loss:sum"], 1e-3, "step 7 sees the 6 updates of the checkpoint")
			info, err := tc.Info(ctx)
			require.NoError(t, err)
			applied := f.Applied(info.ModelID)
			require.NotEmpty(t, applied)
			assert.Equal(t, "load_weights", applied[0].Type)
			assert.Equal(t, run.saves[1], applied[0].Path)
			assert.Equal(t, 6, applied[0].Updates)
			if viaLoad {
				assert.Equal(t, 0, applied[0].SeqID, "create-via-load is the model's seq 0")
				assert.Equal(t, 1, applied[1].SeqID)
			} else {
				assert.Equal(t, []int{1, 2}, []int{applied[0].SeqID, applied[1].SeqID})
			}
		})
	}
}

// TestLoadStateWithAndWithoutOptimizer checks the load_weights flag on
// the wire and the errors for bad paths.
func TestLoadStateWithAndWithoutOptimizer(t *testing.T) {
	f := startFake(t, tf.Options{})
	ctx := context.Background()
	tr := newTrainer(t, testConfig(f), nil)
	run := runSFT(ctx, t, tr, 2, 2)
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "meta-llama/Llama-3.2-1B", LoRA: ports.DefaultLoRA(16, 1)})
	require.NoError(t, err)
	_, err = tc.LoadState(ctx, run.saves[0], false).Await(ctx)
	require.NoError(t, err)
	_, err = tc.LoadState(ctx, run.saves[0], true).Await(ctx)
	require.NoError(t, err)
	var loads []string
	for _, r := range f.Requests() {
		if r.Path == "/api/v1/load_weights" {
			loads = append(loads, string(r.Body))
		}
	}
	require.Len(t, loads, 2)
	assert.Contains(t, loads[0], `"optimizer":false`)
	assert.Contains(t, loads[1], `"optimizer":true`)

	_, err = tc.LoadState(ctx, "tinker://x/sampler_weights/y", true).Await(ctx)
	assert.ErrorContains(t, err, "sampler weights")
	_, err = tc.LoadState(ctx, "/local/path", true).Await(ctx)
	assert.ErrorContains(t, err, "is not a tinker://")
	_, err = tc.LoadState(ctx, "tinker://nope/weights/missing", true).Await(ctx)
	var rf *tinker.RequestFailedError
	require.ErrorAs(t, err, &rf, "a load of a missing checkpoint fails through the future")
	assert.Equal(t, "user", rf.Category)
}

// TestChunkedForwardBackward: a batch over the chunk limit becomes
// several requests with consecutive seq_ids, and the outputs come back
// in datum order with summed loss.
func TestChunkedForwardBackward(t *testing.T) {
	for _, proto := range []bool{false, true} {
		t.Run(fmt.Sprintf("proto=%v", proto), func(t *testing.T) {
			f := startFake(t, tf.Options{MaxChunkLen: 3, Proto: proto})
			ctx := context.Background()
			tc, err := newTrainer(t, testConfig(f), nil).CreateModel(ctx, createReq())
			require.NoError(t, err)
			data := batch(5, 8)
			fb := tc.ForwardBackward(ctx, data, ports.LossCrossEntropy, nil)
			opt := tc.OptimStep(ctx, adam(1e-4))
			out, err := fb.Await(ctx)
			require.NoError(t, err)
			_, err = opt.Await(ctx)
			require.NoError(t, err)
			require.Len(t, out.LossFnOutputs, 8)
			for i, d := range data {
				want := make([]float32, d.ModelInput.Len())
				for j, tok := range d.LossFnInputs["target_tokens"].Ints {
					want[j] = tf.Logprob(int(tok), 0)
				}
				assert.Equal(t, want, out.LossFnOutputs[i]["logprobs"].Floats, "datum %d", i)
			}
			assert.InDelta(t, expectedLoss(data, 0), out.Metrics["loss:sum"], 1e-3)
			applied := f.Applied("")
			require.Len(t, applied, 4)
			assert.Equal(t, []int{3, 3, 2}, []int{applied[0].NumDatums, applied[1].NumDatums, applied[2].NumDatums})
			assert.Equal(t, tf.DatumsDigest(data[6:]), applied[2].DataDigest)
			assert.Equal(t, "optim_step", applied[3].Type)
			assert.Equal(t, 4, applied[3].SeqID)
		})
	}
}

// TestForwardOnly: JSON services get /forward; protobuf services get
// forward_backward with forward_only. Neither adds gradient.
func TestForwardOnly(t *testing.T) {
	for _, proto := range []bool{false, true} {
		f := startFake(t, tf.Options{Proto: proto})
		ctx := context.Background()
		tc, err := newTrainer(t, testConfig(f), nil).CreateModel(ctx, createReq())
		require.NoError(t, err)
		out, err := tc.Forward(ctx, batch(1, 2), ports.LossCrossEntropy, nil).Await(ctx)
		require.NoError(t, err)
		assert.InDelta(t, expectedLoss(batch(1, 2), 0), out.Metrics["loss:sum"], 1e-3)
		opt, err := tc.OptimStep(ctx, adam(1e-4)).Await(ctx)
		require.NoError(t, err)
		assert.Equal(t, 0.0, opt.Metrics["grad_mass:sum"], "forward adds no gradient")
		applied := f.Applied("")
		require.Len(t, applied, 2)
		assert.Equal(t, "forward", applied[0].Type)
		wantPath := "/api/v1/forward"
		if proto {
			wantPath = "/api/v1/forward_backward"
		}
		found := false
		for _, r := range f.Requests() {
			found = found || r.Path == wantPath
		}
		assert.True(t, found, "proto=%v sends %s", proto, wantPath)
	}
}

// TestSampling covers create_sampling_session on a base model and on
// saved sampler weights, the ephemeral sampler of a training client,
// prompt and top-k logprobs, stop tokens and strings, on both wires, and
// 410/try_again/oversized results.
func TestSampling(t *testing.T) {
	for _, proto := range []bool{false, true} {
		t.Run(fmt.Sprintf("proto=%v", proto), func(t *testing.T) {
			faults := []tf.FaultRule{
				{Kind: tf.FaultExpire, Path: "asample", Every: 3},
				{Kind: tf.FaultTryAgain, Path: "asample", Every: 2, TryAgain: 2},
				{Kind: tf.Fault429, Path: "asample", Every: 4, RetryAfter: time.Millisecond},
			}
			// The byte-level tokenizer is reported so that the sampler's
			// tokenizer can only have been learned from get_info (the
			// default, the base model's own id, is also the fallback).
			f := startFake(t, tf.Options{Proto: proto, OversizeBytes: 200, Faults: faults, TokenizerID: tf.ByteLevel})
			ctx := context.Background()
			cfg := testConfig(f)
			tr := newTrainer(t, cfg, nil)
			tc, err := tr.CreateModel(ctx, createReq())
			require.NoError(t, err)
			for k := 1; k <= 2; k++ {
				tc.ForwardBackward(ctx, batch(k, 2), ports.LossCrossEntropy, nil)
				tc.OptimStep(ctx, adam(1e-4))
			}
			named, err := tc.SaveSamplerWeights(ctx, "final", ports.SaveOptions{}).Await(ctx)
			require.NoError(t, err)
			eph, err := tc.Sampler(ctx)
			require.NoError(t, err)

			ss, err := tinker.NewSamplingService(cfg, nil)
			require.NoError(t, err)
			defer ss.Close()
			fromPath, err := ss.NewSampler(ctx, ports.SamplerSpec{ModelPath: named})
			require.NoError(t, err)
			base, err := ss.NewSampler(ctx, ports.SamplerSpec{BaseModel: "meta-llama/Llama-3.2-1B"})
			require.NoError(t, err)

			prompt := []int{10, 20, 30, 40}
			seed := int64(5)
			req := ports.SampleRequest{Prompt: ports.TokensInput(prompt), NumSamples: 2, PromptLogprobs: true, TopKPromptLogprobs: 2,
				Params: ports.SamplingParams{MaxTokens: 6, Temperature: 1, Seed: &seed}}
			for name, c := range map[string]struct {
				s       ports.Sampler
				updates int
			}{"ephemeral": {eph, 2}, "named": {fromPath, 2}, "base": {base, 0}} {
				for rep := 0; rep < 3; rep++ {
					resp, err := c.s.Sample(ctx, req).Await(ctx)
					require.NoError(t, err, name)
					require.Len(t, resp.Sequences, 2, name)
					for i, seq := range resp.Sequences {
						var want []int
						for j := 0; j < 6; j++ {
							want = append(want, tf.SampleToken(100, i, j, c.updates, seed))
						}
						assert.Equal(t, want, seq.Tokens, "%s sample %d", name, i)
						assert.Equal(t, ports.StopReasonLength, seq.StopReason)
						assert.Equal(t, tf.Logprob(want[0], c.updates), seq.Logprobs[0])
					}
					require.Len(t, resp.PromptLogprobs, 4)
					assert.True(t, math.IsNaN(float64(resp.PromptLogprobs[0])))
					assert.Equal(t, tf.Logprob(20, c.updates), resp.PromptLogprobs[1])
					require.Len(t, resp.TopKPromptLogprobs, 4)
					assert.Empty(t, resp.TopKPromptLogprobs[0])
					assert.Equal(t, []ports.TokenLogprob{{Token: 40, Logprob: tf.Logprob(40, c.updates)}, {Token: 41, Logprob: tf.Logprob(41, c.updates)}}, resp.TopKPromptLogprobs[3])
				}
			}
			// Stop tokens and strings end generation, including the stop.
			first := tf.SampleToken(100, 0, 2, 0, 0)
			resp, err := base.Sample(ctx, ports.SampleRequest{Prompt: ports.TokensInput(prompt), Params: ports.SamplingParams{MaxTokens: 10, StopTokens: []int{first}}}).Await(ctx)
			require.NoError(t, err)
			assert.Len(t, resp.Sequences[0].Tokens, 3)
			assert.Equal(t, ports.StopReasonStop, resp.Sequences[0].StopReason)
			_, err = base.Sample(ctx, ports.SampleRequest{Prompt: ports.TokensInput(prompt), Params: ports.SamplingParams{StopTokens: []int{1}, StopStrings: []string{"x"}}}).Await(ctx)
			assert.ErrorContains(t, err, "not both")

			info, err := fromPath.Info(ctx)
			require.NoError(t, err)
			assert.Equal(t, "meta-llama/Llama-3.2-1B", info.BaseModel)
			assert.Equal(t, ports.ByteTokenizerID, info.TokenizerID, "learned from the training client's get_info")
			assertEveryRuleFired(t, f, faults)
			refetched := false
			for _, r := range f.Requests() {
				refetched = refetched || strings.Contains(string(r.Body), `"allow_metadata_only":false`)
			}
			assert.True(t, refetched, "an oversized result was fetched after complete_metadata")
			checkRequests(t, f)
		})
	}
}

// TestSamplerSpecsAsStagesGiveThem: evaluate and sample open a sampler
// on a checkpoint with its base model alongside (what a checkpoint
// records); the service must get exactly one of model_path and
// base_model, in a fresh process (a new sampling service) as in the one
// that trained.
func TestSamplerSpecsAsStagesGiveThem(t *testing.T) {
	f := startFake(t, tf.Options{})
	ctx := context.Background()
	cfg := testConfig(f)
	tc, err := newTrainer(t, cfg, nil).CreateModel(ctx, createReq())
	require.NoError(t, err)
	_, err = tc.ForwardBackward(ctx, batch(1, 2), ports.LossCrossEntropy, nil).Await(ctx)
	require.NoError(t, err)
	_, err = tc.OptimStep(ctx, adam(1e-4)).Await(ctx)
	require.NoError(t, err)
	saved, err := tc.SaveSamplerWeights(ctx, "final", ports.SaveOptions{}).Await(ctx)
	require.NoError(t, err)

	ss, err := tinker.NewSamplingService(cfg, nil)
	require.NoError(t, err)
	defer ss.Close()
	prompt := ports.SampleRequest{Prompt: ports.TokensInput([]int{1, 2, 3}), Params: ports.SamplingParams{MaxTokens: 3}}
	for _, tc := range []struct {
		name      string
		spec      ports.SamplerSpec
		wantField string
		updates   int
	}{
		{"checkpoint with its base model", ports.SamplerSpec{BaseModel: "meta-llama/Llama-3.2-1B", ModelPath: saved}, "model_path", 1},
		{"checkpoint alone", ports.SamplerSpec{ModelPath: saved}, "model_path", 1},
		{"base model", ports.SamplerSpec{BaseModel: "meta-llama/Llama-3.2-1B"}, "base_model", 0},
	} {
		before := len(f.Requests())
		s, err := ss.NewSampler(ctx, tc.spec)
		require.NoError(t, err, tc.name)
		resp, err := s.Sample(ctx, prompt).Await(ctx)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tf.SampleToken(1+2+3, 0, 0, tc.updates, 0), resp.Sequences[0].Tokens[0], "%s: samples from the weights with %d updates", tc.name, tc.updates)
		info, err := s.Info(ctx)
		require.NoError(t, err, tc.name)
		assert.Equal(t, "meta-llama/Llama-3.2-1B", info.BaseModel, tc.name)
		for _, r := range f.Requests()[before:] {
			if r.Path != "/api/v1/create_sampling_session" {
				continue
			}
			var body map[string]any
			require.NoError(t, json.Unmarshal(r.Body, &body))
			_, hasPath := body["model_path"]
			_, hasBase := body["base_model"]
			assert.True(t, hasPath != hasBase, "%s: exactly one of model_path and base_model: %s", tc.name, r.Body)
			assert.Contains(t, body, tc.wantField, tc.name)
		}
	}
	_, err = ss.NewSampler(ctx, ports.SamplerSpec{})
	assert.ErrorContains(t, err, "give a base model or a sampler weights path")
	_, err = ss.NewSampler(ctx, ports.SamplerSpec{BaseModel: "meta-llama/Llama-3.2-1B", ModelPath: "local://run/ckpt"})
	assert.ErrorContains(t, err, "local://run/ckpt")
}

// TestCheckpointListing lists a run's checkpoints and all of them.
func TestCheckpointListing(t *testing.T) {
	f := startFake(t, tf.Options{})
	ctx := context.Background()
	tr := newTrainer(t, testConfig(f), nil)
	run := runSFT(ctx, t, tr, 4, 2)
	lister, ok := tr.(tinker.CheckpointLister)
	require.True(t, ok)
	cps, err := lister.ListCheckpoints(ctx, run.modelID)
	require.NoError(t, err)
	var paths []string
	for _, c := range cps {
		paths = append(paths, c.TinkerPath)
		assert.Equal(t, "training", c.Type)
		require.NotNil(t, c.ExpiresAt, "saved with a 1 h TTL")
	}
	assert.Equal(t, run.saves, paths)
	all, err := lister.ListCheckpoints(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 2)
	_, err = lister.ListCheckpoints(ctx, "no-such-run")
	assert.ErrorContains(t, err, "HTTP 404")
}

// TestHeartbeatAndClose: the session is kept alive while the adapter is
// open, and Close stops the heartbeat and unloads models.
func TestHeartbeatAndClose(t *testing.T) {
	f := startFake(t, tf.Options{})
	ctx := context.Background()
	tr := newTrainer(t, testConfig(f), nil)
	tc, err := tr.CreateModel(ctx, createReq())
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		for _, n := range f.Heartbeats() {
			return n >= 3
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, tc.Close(ctx))
	_, err = tc.OptimStep(ctx, adam(1e-4)).Await(ctx)
	assert.ErrorContains(t, err, "closed")
	require.NoError(t, tr.Close())
	count := func() int {
		n := 0
		for _, v := range f.Heartbeats() {
			n += v
		}
		return n
	}
	before := count()
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, before, count(), "no heartbeat after Close")
	unloads := 0
	for _, r := range f.Requests() {
		if r.Path == "/api/v1/unload_model" {
			unloads++
		}
	}
	assert.Equal(t, 1, unloads)
}

// TestCloseHonoursItsContext: Close waits for queued operations to be
// sent, but no longer than its context allows, even while one of them is
// still being retried.
func TestCloseHonoursItsContext(t *testing.T) {
	f := startFake(t, tf.Options{Faults: []tf.FaultRule{{Kind: tf.Fault500, Path: "optim_step"}}})
	ctx := context.Background()
	tc, err := newTrainer(t, testConfig(f), nil).CreateModel(ctx, createReq())
	require.NoError(t, err)
	opCtx, stopRetrying := context.WithCancel(ctx)
	defer stopRetrying()
	stuck := tc.OptimStep(opCtx, adam(1e-4)) // retried for the 30 s budget
	require.Eventually(t, func() bool { return f.RuleFirings()[0] > 0 }, 5*time.Second, time.Millisecond)

	closeCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = tc.Close(closeCtx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second, "Close waited for the retry budget, not its context")
	stopRetrying()
	_, err = stuck.Await(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	for _, r := range f.Requests() {
		assert.NotEqual(t, "/api/v1/unload_model", r.Path, "a Close that gave up must not unload the model")
	}
}

// TestNonFiniteInputsFailBeforeTheyAreSent: NaN or Inf cannot be written
// as JSON, and the service could only reject or misapply them. They are
// errors at the call, naming the value, before a seq_id is reserved, so
// the model's later operations still go through.
func TestNonFiniteInputsFailBeforeTheyAreSent(t *testing.T) {
	for _, proto := range []bool{false, true} {
		t.Run(fmt.Sprintf("proto=%v", proto), func(t *testing.T) {
			f := startFake(t, tf.Options{Proto: proto})
			ctx := context.Background()
			tc, err := newTrainer(t, testConfig(f), nil).CreateModel(ctx, createReq())
			require.NoError(t, err)
			bad := batch(1, 2)
			bad[1].LossFnInputs["weights"].Floats[3] = float32(math.NaN())
			_, err = tc.ForwardBackward(ctx, bad, ports.LossCrossEntropy, nil).Await(ctx)
			assert.ErrorContains(t, err, `datum 1: loss_fn_inputs["weights"][3] is NaN`)
			_, err = tc.ForwardBackward(ctx, batch(1, 2), ports.LossCrossEntropy, map[string]float64{"clip_low_threshold": math.Inf(1)}).Await(ctx)
			assert.ErrorContains(t, err, `loss_fn_config["clip_low_threshold"] is +Inf`)
			_, err = tc.OptimStep(ctx, adam(math.NaN())).Await(ctx)
			assert.ErrorContains(t, err, "learning_rate is NaN")

			_, err = tc.ForwardBackward(ctx, batch(1, 2), ports.LossCrossEntropy, nil).Await(ctx)
			require.NoError(t, err, "the model still trains")
			_, err = tc.OptimStep(ctx, adam(1e-4)).Await(ctx)
			require.NoError(t, err)
			applied := f.Applied("")
			require.Len(t, applied, 2)
			assert.Equal(t, 1, applied[0].SeqID, "rejected calls took no seq_id")
		})
	}
}
