package tinker_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker"
	tf "github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
)

// closedPortURL returns a URL on which nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// quickConfig scales the default policy down: the same rules, in
// milliseconds.
func quickConfig(url string) tinker.Config {
	return tinker.Config{BaseURL: url, APIKey: testKey, RequestTimeout: 5 * time.Second, PollTimeout: 5 * time.Second,
		HeartbeatInterval: time.Second,
		Retry: tinker.RetryPolicy{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond, Budget: 400 * time.Millisecond,
			ConnectTimeout: 400 * time.Millisecond, BillingPause: 5 * time.Millisecond}}
}

// retryLine matches a retry as the run display shows it: the delay, the
// attempt of the planned attempts, the time left and the cause.
var retryLine = regexp.MustCompile(`tinker: ([a-z_/ -]+): retrying in [0-9.hms]+ \((\d+)/(\d+), gives up in [0-9.hms]+\): ([^"]+)"`)

func retriesLogged(logs string) [][]string { return retryLine.FindAllStringSubmatch(logs, -1) }

// TestRefusedConnectionFailsFast: nothing listens at the URL. The first
// request fails within the connect timeout with a one-line cause, and
// each retry was logged with its cause.
func TestRefusedConnectionFailsFast(t *testing.T) {
	logs := &syncBuffer{}
	tr := newTrainer(t, quickConfig(closedPortURL(t)), logs)
	start := time.Now()
	_, err := tr.CreateModel(context.Background(), createReq())
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.Less(t, elapsed, 2*time.Second, "gave up after the connect timeout, not the retry budget")
	assert.Regexp(t, `^training_client \(tinker\): create_model: client/config: (the service at http://127\.0\.0\.1:\d+ has not answered \(\d+ attempts in \d+ms; connect_timeout is 400ms\)|could not connect to http://127\.0\.0\.1:\d+ \(8 attempts\)): connection refused$`, err.Error())
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "Post ", "the cause, not Go's request dump")
	lines := retriesLogged(logs.String())
	require.NotEmpty(t, lines, "retries are logged:\n%s", logs.String())
	for i, l := range lines {
		assert.Equal(t, "client/config", l[1])
		assert.Equal(t, "connection refused", l[4])
		assert.Equal(t, i+2, atoi(t, l[2]), "attempt numbers count up")
		assert.GreaterOrEqual(t, atoi(t, l[3]), atoi(t, l[2]), "planned attempts >= this attempt")
	}
	assert.Contains(t, logs.String(), "level=WARN", "shown on the run display (Info and above)")
}

// TestSilentServiceFailsWithinTheConnectTimeout: the service accepts
// connections but never answers; the per-request timeout (5 s here, 60 s
// by default) must not outlast the connect timeout.
func TestSilentServiceFailsWithinTheConnectTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	logs := &syncBuffer{}
	tr := newTrainer(t, quickConfig(srv.URL), logs)
	start := time.Now()
	_, err := tr.CreateModel(context.Background(), createReq())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, err.Error(), "has not answered")
	assert.Contains(t, err.Error(), "connect_timeout is 400ms")
	assert.Regexp(t, `no answer within [0-9.]+m?s$`, err.Error())
}

// TestServerErrorsUseTheRetryBudget: a service that answers, even with
// 5xx, has answered: its errors are retried for the retry budget, each
// retry logged with the status.
func TestServerErrorsUseTheRetryBudget(t *testing.T) {
	f := startFake(t, tf.Options{Faults: []tf.FaultRule{{Kind: tf.Fault500, Path: "create_model"}}})
	logs := &syncBuffer{}
	cfg := quickConfig(f.URL)
	tr := newTrainer(t, cfg, logs)
	_, err := tr.CreateModel(context.Background(), createReq())
	require.ErrorContains(t, err, "retry budget exhausted")
	lines := retriesLogged(logs.String())
	require.NotEmpty(t, lines)
	for _, l := range lines {
		assert.Equal(t, "create_model", l[1])
		assert.True(t, strings.HasPrefix(l[4], "HTTP 500: "), l[4])
	}
}

// TestServiceGoneMidRun: after the service has answered, refused
// connections are retried ConnectAttempts times in a row, not for the
// whole retry budget, and the failure says why.
func TestServiceGoneMidRun(t *testing.T) {
	f := tf.Start(tf.Options{APIKey: testKey})
	cfg := quickConfig(f.URL)
	cfg.Retry.Budget = time.Minute
	cfg.Retry.ConnectAttempts = 3
	logs := &syncBuffer{}
	tc, err := newTrainer(t, cfg, logs).CreateModel(context.Background(), createReq())
	require.NoError(t, err)
	f.Close()
	start := time.Now()
	_, err = tc.OptimStep(context.Background(), adam(1e-4)).Await(context.Background())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Regexp(t, `could not connect to http://127\.0\.0\.1:\d+ \(3 attempts\): connection refused`, err.Error())
	lines := retriesLogged(logs.String())
	require.Len(t, lines, 2, "two retries after the first refusal:\n%s", logs.String())
	assert.Equal(t, []string{"2", "3"}, []string{lines[0][2], lines[1][2]})
	assert.Equal(t, []string{"3", "3"}, []string{lines[0][3], lines[1][3]}, "(n/3)")
}

// TestBillingPausesAreBoundedOnEveryPath: 402 follows one rule whether it
// answers a submit or a poll: pause, log, and give up once the total
// pause reaches the limit.
func TestBillingPausesAreBoundedOnEveryPath(t *testing.T) {
	for _, path := range []string{"forward_backward", "retrieve_future"} {
		t.Run(path, func(t *testing.T) {
			f := startFake(t, tf.Options{Faults: []tf.FaultRule{{Kind: tf.Fault402, Path: path}}})
			cfg := quickConfig(f.URL)
			cfg.Retry.BillingMax = 30 * time.Millisecond
			logs := &syncBuffer{}
			// With retrieve_future refused, create_model's own poll
			// is the one that pauses.
			tc, err := newTrainer(t, cfg, logs).CreateModel(context.Background(), createReq())
			if err == nil {
				_, err = tc.ForwardBackward(context.Background(), batch(1, 2), ports.LossCrossEntropy, nil).Await(context.Background())
			}
			require.ErrorContains(t, err, "still refused for billing after pausing 30ms: HTTP 402")
			if path == "retrieve_future" {
				assert.Contains(t, err.Error(), "polling req-")
			}
			assert.Contains(t, logs.String(), "paused by the service for billing (HTTP 402)")
			assert.Positive(t, f.RuleFirings()[0])
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
