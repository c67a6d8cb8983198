package tinker_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/tinker"
	tf "github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
)

// TestSFTUnderFaults is acceptance 1: under every injected fault kind a
// 30-step pipelined SFT run completes with every step applied exactly
// once and in order (the fake's record is the witness), and the results
// handed back belong to the right steps. Each case runs on the JSON wire
// and on the zstd-compressed protobuf wire.
func TestSFTUnderFaults(t *testing.T) {
	const steps, saveEvery = 30, 10
	cases := []struct {
		name   string
		faults []tf.FaultRule
		// timeout shortens the adapter's request timeout (slow answers).
		timeout time.Duration
	}{
		{name: "no faults"},
		{name: "500 on submits and polls", faults: []tf.FaultRule{
			{Kind: tf.Fault500, Path: "forward_backward", Every: 3},
			{Kind: tf.Fault500, Path: "optim_step", Every: 4},
			{Kind: tf.Fault500, Path: "save_weights", Every: 2},
			{Kind: tf.Fault500, Path: "retrieve_future", Every: 5},
		}},
		{name: "429 with retry-after-ms", faults: []tf.FaultRule{
			{Kind: tf.Fault429, Path: "forward_backward", Every: 2, RetryAfter: 3 * time.Millisecond},
			{Kind: tf.Fault429, Path: "retrieve_future", Every: 4, RetryAfter: 3 * time.Millisecond},
		}},
		{name: "connection dropped after processing", faults: []tf.FaultRule{
			{Kind: tf.FaultDrop, Path: "forward_backward", Every: 3},
			{Kind: tf.FaultDrop, Path: "optim_step", Every: 3},
			{Kind: tf.FaultDrop, Path: "save_weights", Every: 2},
			{Kind: tf.FaultDrop, Path: "retrieve_future", Every: 7},
		}},
		{name: "try_again futures", faults: []tf.FaultRule{
			{Kind: tf.FaultTryAgain, Path: "forward_backward", Every: 2, TryAgain: 3},
			{Kind: tf.FaultTryAgain, Path: "optim_step", Every: 3, TryAgain: 2},
		}},
		{name: "410 expired futures", faults: []tf.FaultRule{
			{Kind: tf.FaultExpire, Path: "forward_backward", Every: 4},
			{Kind: tf.FaultExpire, Path: "optim_step", Every: 5},
			{Kind: tf.FaultExpire, Path: "save_weights", Every: 2},
		}},
		{name: "slow answers past the request timeout", timeout: 150 * time.Millisecond, faults: []tf.FaultRule{
			{Kind: tf.FaultSlow, Path: "forward_backward", Every: 6, Delay: 400 * time.Millisecond},
			{Kind: tf.FaultSlow, Path: "optim_step", Every: 7, Delay: 400 * time.Millisecond},
		}},
		{name: "empty 400 from an edge proxy and 402 billing pauses", faults: []tf.FaultRule{
			{Kind: tf.FaultEdge400, Path: "forward_backward", Every: 5},
			{Kind: tf.Fault402, Path: "optim_step", Every: 6},
			{Kind: tf.Fault402, Path: "retrieve_future", Every: 9},
		}},
		{name: "everything at once", timeout: 150 * time.Millisecond, faults: []tf.FaultRule{
			{Kind: tf.Fault500, Path: "forward_backward", Every: 5},
			{Kind: tf.Fault429, Path: "optim_step", Every: 6, RetryAfter: time.Millisecond},
			{Kind: tf.FaultDrop, Path: "optim_step", Every: 4},
			{Kind: tf.FaultDrop, Path: "retrieve_future", Every: 11},
			{Kind: tf.FaultTryAgain, Path: "forward_backward", Every: 3, TryAgain: 2},
			{Kind: tf.FaultExpire, Path: "optim_step", Every: 7},
			{Kind: tf.FaultSlow, Path: "forward_backward", Every: 13, Delay: 400 * time.Millisecond},
		}},
	}
	for _, wireFmt := range []string{tinker.WireJSON, tinker.WireProto} {
		for _, c := range cases {
			t.Run(wireFmt+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				f := startFake(t, tf.Options{Faults: c.faults, Proto: wireFmt == tinker.WireProto, Compress: wireFmt == tinker.WireProto})
				cfg := testConfig(f)
				cfg.WireFormat = tinker.WireAuto // follows the fake's proto flag
				if c.timeout > 0 {
					cfg.RequestTimeout = c.timeout
				}
				logs := &syncBuffer{}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				run := runSFT(ctx, t, newTrainer(t, cfg, logs), steps, saveEvery)

				checkWitness(t, f, run, steps, saveEvery)
				checkRequests(t, f)
				assertEveryRuleFired(t, f, c.faults)
				if c.name == "connection dropped after processing" {
					assert.Positive(t, clientRetries(f), "no dropped connection reached the adapter's own retries")
				}
				assert.NotContains(t, logs.String(), testKey)
				if wireFmt == tinker.WireProto {
					assertProtoCompressed(t, f)
				}
			})
		}
	}
}

// assertProtoCompressed checks that forward_backward went as zstd
// protobuf, as the fake's flags asked.
func assertProtoCompressed(t *testing.T, f *tf.Server) {
	t.Helper()
	n := 0
	for _, r := range f.Requests() {
		if r.Path == "/api/v1/forward_backward" {
			n++
			require.Equal(t, "application/x-protobuf", r.Header.Get("Content-Type"))
			require.Equal(t, "zstd", r.Header.Get("Content-Encoding"))
		}
	}
	require.Positive(t, n)
}

// TestSubmissionIsPipelined checks the structure acceptance 2 measures:
// while the service is still busy with step 1's optimizer step, the
// adapter has already submitted every later step, and step 1's result is
// not needed to submit step 2.
func TestSubmissionIsPipelined(t *testing.T) {
	release := make(chan struct{})
	f := startFake(t, tf.Options{BeforeApply: func(_ string, seq int, kind string) {
		if kind == "optim_step" && seq == 2 {
			<-release
		}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tc, err := newTrainer(t, testConfig(f), nil).CreateModel(ctx, createReq())
	require.NoError(t, err)
	const steps = 5
	type stepFutures struct {
		fb  func() error
		opt func() error
	}
	var all []stepFutures
	for k := 1; k <= steps; k++ {
		fb := tc.ForwardBackward(ctx, batch(k, 4), "cross_entropy", nil)
		opt := tc.OptimStep(ctx, adam(1e-4))
		all = append(all, stepFutures{
			fb:  func() error { _, err := fb.Await(ctx); return err },
			opt: func() error { _, err := opt.Await(ctx); return err },
		})
	}
	// All 2*steps submits reach the service while step 1 is held.
	require.Eventually(t, func() bool { return countSubmits(f) == 2*steps }, 10*time.Second, 5*time.Millisecond)
	applied := f.Applied("")
	require.Len(t, applied, 1, "only step 1's forward_backward ran; the optimizer step is held")
	close(release)
	for k, s := range all {
		require.NoError(t, s.fb(), "step %d", k+1)
		require.NoError(t, s.opt(), "step %d", k+1)
	}
	require.Len(t, f.Applied(""), 2*steps)
}

func countSubmits(f *tf.Server) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Path == "/api/v1/forward_backward" || r.Path == "/api/v1/optim_step" {
			n++
		}
	}
	return n
}
