package tinker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker"
	"github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
)

// testKey is the credential the tests give the fake and the adapter; no
// log line, file or error may contain it.
const testKey = "tml-test-SECRET-3b9f2c1d7e"

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fastRetry keeps fault tests quick; the semantics are the defaults'.
var fastRetry = tinker.RetryPolicy{Base: 2 * time.Millisecond, Max: 20 * time.Millisecond, Budget: 30 * time.Second, BillingPause: 5 * time.Millisecond}

func startFake(t *testing.T, opts tinkerfake.Options) *tinkerfake.Server {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	f := tinkerfake.Start(opts)
	t.Cleanup(f.Close)
	return f
}

func testConfig(f *tinkerfake.Server) tinker.Config {
	return tinker.Config{
		BaseURL: f.URL, APIKey: testKey, Retry: fastRetry,
		RequestTimeout: 5 * time.Second, PollTimeout: 5 * time.Second, HeartbeatInterval: 20 * time.Millisecond,
	}
}

// newTrainer returns the adapter as the port interface, logging to logs.
func newTrainer(t *testing.T, cfg tinker.Config, logs *syncBuffer) ports.Trainer {
	t.Helper()
	if logs == nil {
		logs = &syncBuffer{}
	}
	tr, err := tinker.NewTrainer(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// batch returns step k's deterministic SFT batch: n datums of 6-12
// tokens, cross_entropy inputs with the first token unweighted.
func batch(k, n int) []ports.Datum {
	out := make([]ports.Datum, n)
	for i := range out {
		l := 6 + (k+i)%7
		toks := make([]int, l)
		targets := make([]int64, l)
		weights := make([]float32, l)
		for j := range toks {
			toks[j] = (k*31 + i*17 + j*5) % 256
			targets[j] = int64((k*31 + i*17 + (j+1)*5) % 256)
			if j > 0 {
				weights[j] = 1
			}
		}
		out[i] = ports.Datum{ModelInput: ports.TokensInput(toks), LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor(targets), "weights": ports.FloatTensor(weights),
		}}
	}
	return out
}

// expectedLoss is the fake's loss:sum for a batch after updates steps.
func expectedLoss(data []ports.Datum, updates int) float64 {
	var l float64
	for _, d := range data {
		l += tinkerfake.CrossEntropyLoss(d.LossFnInputs["target_tokens"].Ints, d.LossFnInputs["weights"].Floats, updates)
	}
	return l
}

func lrAt(k int) float64 { return 1e-4 * (1 - float64(k-1)/60) }

// sftRun is what runSFT observed.
type sftRun struct {
	modelID string
	losses  []float64 // per step
	saves   []string  // state paths, in order
}

// runSFT drives a steps-long SFT loop through the ports interfaces the
// way a pipelined stage does: step k's forward_backward and optim_step
// are submitted back to back, and step k+1 is submitted before step k is
// awaited; the state is saved every saveEvery steps.
func runSFT(ctx context.Context, t *testing.T, tr ports.Trainer, steps, saveEvery int) sftRun {
	t.Helper()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "meta-llama/Llama-3.2-1B", LoRA: ports.DefaultLoRA(16, 1)})
	require.NoError(t, err)
	info, err := tc.Info(ctx)
	require.NoError(t, err)
	run := sftRun{modelID: info.ModelID, losses: make([]float64, steps)}
	type inflight struct {
		k    int
		fb   ports.Future[ports.ForwardBackwardOutput]
		opt  ports.Future[ports.OptimStepResult]
		save ports.Future[string]
	}
	await := func(f inflight) {
		out, err := f.fb.Await(ctx)
		require.NoError(t, err, "step %d forward_backward", f.k)
		require.Len(t, out.LossFnOutputs, len(batch(f.k, 4)))
		run.losses[f.k-1] = out.Metrics["loss:sum"]
		_, err = f.opt.Await(ctx)
		require.NoError(t, err, "step %d optim_step", f.k)
		if f.save != nil {
			p, err := f.save.Await(ctx)
			require.NoError(t, err, "step %d save", f.k)
			run.saves = append(run.saves, p)
		}
	}
	var prev *inflight
	for k := 1; k <= steps; k++ {
		cur := &inflight{k: k}
		cur.fb = tc.ForwardBackward(ctx, batch(k, 4), ports.LossCrossEntropy, nil)
		cur.opt = tc.OptimStep(ctx, ports.AdamParams{LearningRate: lrAt(k), Beta1: 0.9, Beta2: 0.95, Eps: 1e-8})
		if saveEvery > 0 && k%saveEvery == 0 {
			cur.save = tc.SaveState(ctx, fmt.Sprintf("step-%d", k), ports.SaveOptions{TTL: time.Hour})
		}
		if prev != nil {
			await(*prev)
		}
		prev = cur
	}
	await(*prev)
	require.NoError(t, tc.Close(ctx))
	return run
}

// checkWitness asserts the fake applied every step exactly once and in
// order, with the right data, and that the results the adapter returned
// belong to the right steps.
func checkWitness(t *testing.T, f *tinkerfake.Server, run sftRun, steps, saveEvery int) {
	t.Helper()
	applied := f.Applied(run.modelID)
	var want []string
	for k := 1; k <= steps; k++ {
		want = append(want, fmt.Sprintf("forward_backward %s", tinkerfake.DatumsDigest(batch(k, 4))),
			fmt.Sprintf("optim_step lr=%.6g", lrAt(k)))
		if saveEvery > 0 && k%saveEvery == 0 {
			want = append(want, fmt.Sprintf("save_weights tinker://%s/weights/step-%d", run.modelID, k))
		}
	}
	var got []string
	for i, a := range applied {
		require.Equal(t, i+1, a.SeqID, "seq_ids are applied from 1 without gaps")
		switch a.Type {
		case "forward_backward":
			got = append(got, "forward_backward "+a.DataDigest)
		case "optim_step":
			got = append(got, fmt.Sprintf("optim_step lr=%.6g", a.LearningRate))
		default:
			got = append(got, a.Type+" "+a.Path)
		}
	}
	require.Equal(t, want, got, "the fake's record of applied operations")
	for k := 1; k <= steps; k++ {
		require.InDelta(t, expectedLoss(batch(k, 4), k-1), run.losses[k-1], 1e-3, "loss of step %d (computed after %d updates)", k, k-1)
	}
	var wantSaves []string
	for k := saveEvery; saveEvery > 0 && k <= steps; k += saveEvery {
		wantSaves = append(wantSaves, fmt.Sprintf("tinker://%s/weights/step-%d", run.modelID, k))
	}
	require.Equal(t, wantSaves, run.saves)
}

// checkRequests asserts the wire rules over every recorded request: no
// JSON null anywhere, each request re-sent with identical bytes under its
// idempotency key, and each seq_id of a model (or sampling session) sent
// under one idempotency key however often it was retried.
func checkRequests(t *testing.T, f *tinkerfake.Server) {
	t.Helper()
	bodies := map[string][]byte{}
	keyOfSeq := map[string]string{}
	for _, r := range f.Requests() {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			require.NotContains(t, string(r.Body), "null", "%s body %s", r.Path, r.Body)
		}
		key := r.Header.Get("X-Idempotency-Key")
		if r.Method != "POST" || strings.HasSuffix(r.Path, "retrieve_future") || strings.HasSuffix(r.Path, "session_heartbeat") {
			continue
		}
		require.NotEmpty(t, key, "%s has no X-Idempotency-Key", r.Path)
		if prev, ok := bodies[key]; ok {
			require.Equal(t, string(prev), string(r.Body), "a retry of %s changed the body", r.Path)
		}
		bodies[key] = r.Body
		if seq, ok := seqOf(t, r); ok {
			if prev, ok := keyOfSeq[seq]; ok {
				require.Equal(t, prev, key, "%s was re-sent under another idempotency key", seq)
			}
			keyOfSeq[seq] = key
		}
	}
}

// seqOf names the sequenced operation a request carries ("<model or
// sampling session> seq <n>"), if any.
func seqOf(t *testing.T, r tinkerfake.Recorded) (string, bool) {
	t.Helper()
	if r.Header.Get("Content-Type") == wire.ContentType {
		req, err := wire.DecodeForwardBackwardRequest(r.Body)
		require.NoError(t, err)
		return fmt.Sprintf("%s seq %d", req.ModelID, req.SeqID), true
	}
	var body struct {
		ModelID   string `json:"model_id"`
		SamplerID string `json:"sampling_session_id"`
		SeqID     *int   `json:"seq_id"`
	}
	if json.Unmarshal(r.Body, &body) != nil || body.SeqID == nil {
		return "", false
	}
	return fmt.Sprintf("%s%s seq %d", body.ModelID, body.SamplerID, *body.SeqID), true
}

// clientRetries counts requests the adapter itself re-sent
// (x-stainless-retry-count above 0).
func clientRetries(f *tinkerfake.Server) int {
	n := 0
	for _, r := range f.Requests() {
		if c := r.Header.Get("x-stainless-retry-count"); c != "" && c != "0" {
			n++
		}
	}
	return n
}

func createReq() ports.CreateModelRequest {
	return ports.CreateModelRequest{BaseModel: "meta-llama/Llama-3.2-1B", LoRA: ports.DefaultLoRA(8, 3)}
}

func adam(lr float64) ports.AdamParams {
	return ports.AdamParams{LearningRate: lr, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}
}

// assertEveryRuleFired checks that each configured fault rule injected
// its fault at least once: a rule that never fires makes its case test
// nothing (a count by kind would hide it behind another rule of the same
// kind).
func assertEveryRuleFired(t *testing.T, f *tinkerfake.Server, rules []tinkerfake.FaultRule) {
	t.Helper()
	for i, n := range f.RuleFirings() {
		assert.Positive(t, n, "fault rule %+v never fired; the case tests nothing", rules[i])
	}
}
