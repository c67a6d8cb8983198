package tinker_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker"
	tf "github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
)

// TestJWTExchange: with pjwt_auth_enabled the adapter trades the key for
// a JWT once, sends the JWT afterwards (the fake rejects the key there),
// and refreshes it before it expires.
func TestJWTExchange(t *testing.T) {
	f := startFake(t, tf.Options{JWT: true, JWTLifetime: 300 * time.Second})
	ctx := context.Background()
	tr := newTrainer(t, testConfig(f), nil)
	run := runSFT(ctx, t, tr, 3, 0)
	checkWitness(t, f, run, 3, 0)

	var exchanges int
	for _, r := range f.Requests() {
		got := r.Header.Get("X-API-Key")
		switch {
		case strings.HasSuffix(r.Path, "/auth/token"), strings.HasSuffix(r.Path, "/client/config"):
			assert.Equal(t, testKey, got, r.Path)
			if strings.HasSuffix(r.Path, "/auth/token") {
				exchanges++
			}
		default:
			assert.True(t, strings.HasPrefix(got, "eyJ"), "%s sent %q, want a JWT", r.Path, got[:min(len(got), 6)])
		}
	}
	// The token lives 300 s and is refreshed 300 s before exp: every
	// every request needs a new one, so several exchanges happened.
	assert.Greater(t, exchanges, 1)

	// A long-lived token is exchanged once for the whole run.
	f2 := startFake(t, tf.Options{JWT: true, JWTLifetime: time.Hour})
	checkWitness(t, f2, runSFT(ctx, t, newTrainer(t, testConfig(f2), nil), 3, 0), 3, 0)
	exchanges = 0
	for _, r := range f2.Requests() {
		if strings.HasSuffix(r.Path, "/auth/token") {
			exchanges++
		}
	}
	assert.Equal(t, 1, exchanges)
}

// TestCredentialCommand: TINKER_CREDENTIAL_CMD's output is the key.
func TestCredentialCommand(t *testing.T) {
	f := startFake(t, tf.Options{})
	cfg := testConfig(f)
	cfg.APIKey = ""
	cfg.CredentialCmd = "printf '%s\\n' " + testKey
	run := runSFT(context.Background(), t, newTrainer(t, cfg, nil), 2, 0)
	checkWitness(t, f, run, 2, 0)

	cfg.CredentialCmd = "echo not-a-key; echo " + testKey + " >&2; exit 3"
	tr := newTrainer(t, cfg, nil)
	_, err := tr.CreateModel(context.Background(), createReq())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testKey)
	assert.NotContains(t, err.Error(), "not-a-key")
}

// TestConfigRejectsBadCredentials: a key of the wrong form fails before
// anything is sent, and the message does not quote it.
func TestConfigRejectsBadCredentials(t *testing.T) {
	for _, key := range []string{"sk-wrong-form-secret", ""} {
		_, err := tinker.NewTrainer(tinker.Config{BaseURL: "http://127.0.0.1:1", APIKey: key}, nil)
		require.Error(t, err)
		if key != "" {
			assert.NotContains(t, err.Error(), key)
		}
	}
	_, err := tinker.NewTrainer(tinker.Config{BaseURL: "ftp://x", APIKey: testKey}, nil)
	assert.ErrorContains(t, err, "not an http(s) URL")
}

// TestKeyNeverLeaks is acceptance 4 for secrets: a service that echoes
// the credential in its error messages, a wrong key, and a full run with
// debug logging leave no trace of the key in errors, logs or files.
func TestKeyNeverLeaks(t *testing.T) {
	dir := t.TempDir()
	logs := &syncBuffer{}
	f := startFake(t, tf.Options{APIKey: "tml-the-right-one", EchoCredential: true, Faults: []tf.FaultRule{{Kind: tf.Fault500, Every: 3}}})
	cfg := testConfig(f)
	tr := newTrainer(t, cfg, logs)
	_, err := tr.CreateModel(context.Background(), createReq())
	require.Error(t, err, "the fake does not accept testKey")
	var se *tinker.StatusError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, 401, se.Status)
	assert.Contains(t, err.Error(), "invalid API key", "the server's message is surfaced")
	assert.NotContains(t, err.Error(), testKey, "the echoed key is redacted")
	var pe *ports.Error
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "training_client", pe.Port)
	assert.Equal(t, "tinker", pe.Adapter)
	assert.NoError(t, os.WriteFile(filepath.Join(dir, "error.txt"), []byte(err.Error()), 0o600))

	// A 401 is not retried.
	n := 0
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "client/config") {
			n++
		}
	}
	assert.Equal(t, 1, n)

	assert.NotContains(t, logs.String(), testKey)
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		require.NoError(t, err)
		if !info.IsDir() {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.NotContains(t, string(b), testKey, p)
		}
		return nil
	})
}

// TestFatalErrorsSurfaceServerMessage: a 4xx other than the retried ones
// fails at once with the server's message; the queue then fails later
// operations without sending them (their seq_ids could never run).
func TestFatalErrorsSurfaceServerMessage(t *testing.T) {
	f := startFake(t, tf.Options{})
	ctx := context.Background()
	tc, err := newTrainer(t, testConfig(f), nil).CreateModel(ctx, createReq())
	require.NoError(t, err)
	bad := batch(1, 1)
	bad[0].LossFnInputs["advantages"] = ports.FloatTensor(make([]float32, bad[0].ModelInput.Len()))
	fb := tc.ForwardBackward(ctx, bad, ports.LossCrossEntropy, nil)
	opt := tc.OptimStep(ctx, adam(1e-4))
	_, err = fb.Await(ctx)
	var se *tinker.StatusError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, 400, se.Status)
	assert.Contains(t, err.Error(), `"advantages", which cross_entropy does not take`)
	_, err = opt.Await(ctx)
	assert.ErrorContains(t, err, "not sent, because seq_id 1 could not be submitted")
	assert.Empty(t, f.Applied(""))
	for _, r := range f.Requests() {
		assert.NotEqual(t, "/api/v1/optim_step", r.Path, "nothing after the failed seq_id is sent")
	}
}

// TestRetryBudgetAndCancellation: a service failing forever exhausts the
// bounded retry budget; a cancelled context ends waits promptly.
func TestRetryBudgetAndCancellation(t *testing.T) {
	f := startFake(t, tf.Options{Faults: []tf.FaultRule{{Kind: tf.Fault500, Path: "create_model"}}})
	cfg := testConfig(f)
	cfg.Retry.Budget = 200 * time.Millisecond
	tr := newTrainer(t, cfg, nil)
	start := time.Now()
	_, err := tr.CreateModel(context.Background(), createReq())
	require.ErrorContains(t, err, "retry budget exhausted")
	assert.Contains(t, err.Error(), "injected internal error")
	assert.Less(t, time.Since(start), 5*time.Second)

	hold := make(chan struct{})
	defer close(hold)
	f2 := startFake(t, tf.Options{BeforeApply: func(string, int, string) { <-hold }})
	tc, err := newTrainer(t, testConfig(f2), nil).CreateModel(context.Background(), createReq())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	fut := tc.OptimStep(ctx, adam(1e-4))
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = fut.Await(context.Background())
	assert.ErrorIs(t, err, context.Canceled)
}
