package tinker

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

func TestRetryAfter(t *testing.T) {
	cases := []struct {
		hdr  map[string]string
		want time.Duration
	}{
		{map[string]string{"retry-after-ms": "250"}, 250 * time.Millisecond},
		{map[string]string{"retry-after-ms": "250", "retry-after": "9"}, 250 * time.Millisecond},
		{map[string]string{"retry-after": "2"}, 2 * time.Second},
		{map[string]string{"retry-after": "61"}, 0},   // over 60 s: our own backoff
		{map[string]string{"retry-after-ms": "0"}, 0}, // not positive
		{map[string]string{"retry-after": "soon"}, 0},
		{nil, 0},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		assert.Equal(t, c.want, retryAfter(h), "%v", c.hdr)
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		status int
		body   string
		should string
		want   bool
	}{
		{408, "x", "", true}, {409, "x", "", true}, {429, "x", "", true}, {500, "x", "", true}, {503, "x", "", true},
		{400, "", "", true}, // edge proxy
		{400, `{"detail":"bad"}`, "", false}, {401, "x", "", false}, {404, "x", "", false}, {422, "x", "", false},
		{500, "x", "false", false}, {400, "x", "true", true},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.should != "" {
			h.Set("x-should-retry", c.should)
		}
		assert.Equal(t, c.want, retryable(&response{Status: c.status, Header: h, Body: []byte(c.body)}), "%d %q %q", c.status, c.body, c.should)
	}
}

func TestBackoffIsBoundedAndJittered(t *testing.T) {
	p := RetryPolicy{Jitter: func() float64 { return 0 }}.withDefaults()
	assert.Equal(t, 500*time.Millisecond, p.backoff(0))
	assert.Equal(t, 4*time.Second, p.backoff(3))
	assert.Equal(t, 10*time.Second, p.backoff(10))
	assert.Equal(t, 10*time.Second, p.backoff(1000), "no overflow")
	p.Jitter = func() float64 { return 0.999 }
	assert.InDelta(t, float64(375*time.Millisecond), float64(p.backoff(0)), float64(time.Millisecond), "at most 25% less")
}

func TestSplitChunks(t *testing.T) {
	d := func(n int) ports.Datum {
		return ports.Datum{ModelInput: ports.TokensInput(make([]int, n)), LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor(make([]int64, n))}}
	}
	sizes := func(chunks [][]ports.Datum) []int {
		var out []int
		for _, c := range chunks {
			out = append(out, len(c))
		}
		return out
	}
	data := []ports.Datum{d(10), d(10), d(10), d(10), d(10)}
	assert.Equal(t, []int{2, 2, 1}, sizes(splitChunks(data, 2, 1<<20, true)), "by count")
	// JSON estimate: 10 B/token + 10 B/element = 200 B per datum.
	assert.Equal(t, []int{2, 2, 1}, sizes(splitChunks(data, 100, 450, false)), "by bytes")
	// Proto estimate: 4 B/token + 8 B/int64 = 120 B per datum.
	assert.Equal(t, []int{3, 2}, sizes(splitChunks(data, 100, 360, true)))
	assert.Equal(t, []int{1, 1}, sizes(splitChunks([]ports.Datum{d(1000), d(1000)}, 100, 10, true)), "an oversized datum goes alone")
}

func TestMergeOutputs(t *testing.T) {
	out := mergeOutputs([]ports.ForwardBackwardOutput{
		{LossFnOutputs: make([]map[string]ports.TensorData, 3), Metrics: map[string]float64{"loss:sum": 1, "acc:mean": 1, "m:min": 5, "x:max": 1, "h:unique": 7}},
		{LossFnOutputs: make([]map[string]ports.TensorData, 1), Metrics: map[string]float64{"loss:sum": 2, "acc:mean": 0, "m:min": 2, "x:max": 4, "h:unique": 8}},
	})
	assert.Len(t, out.LossFnOutputs, 4)
	assert.Equal(t, map[string]float64{"loss:sum": 3, "acc:mean": 0.75, "m:min": 2, "x:max": 4, "h:unique": 7}, out.Metrics)
}

func TestTinkerPath(t *testing.T) {
	for _, p := range []string{"tinker://run:train:0/weights/a", "tinker://r/sampler_weights/final"} {
		_, _, _, err := tinkerPath(p)
		assert.NoError(t, err, p)
	}
	for _, p := range []string{"tinker://r/other/a", "tinker://r/weights/", "local://x", "tinker:///weights/a", "tinker://r/weights/a/b"} {
		_, _, _, err := tinkerPath(p)
		assert.Error(t, err, p)
	}
}

func TestJWTExpiry(t *testing.T) {
	now := time.Unix(1000, 0)
	enc := base64.RawURLEncoding.EncodeToString
	assert.Equal(t, time.Unix(5000, 0), jwtExpiry("eyJ."+enc([]byte(`{"exp":5000}`))+".sig", now))
	assert.Equal(t, now.Add(time.Hour), jwtExpiry("eyJnot-a-jwt", now))
}

func TestRedactor(t *testing.T) {
	r := &redactor{}
	r.add("tml-secret-1")
	r.add("abc") // too short to be a credential; never redacted
	assert.Equal(t, "bad key [redacted] (abc)", r.redact("bad key tml-secret-1 (abc)"))
}

func TestDescribeFailures(t *testing.T) {
	cases := []struct {
		err  error
		want string
		kind failureKind
	}{
		{&url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, "connection refused", failConnect},
		{&url.Error{Op: "Post", URL: "http://x", Err: &net.DNSError{Name: "tinker.invalid", Err: "no such host", IsNotFound: true}}, "unknown host tinker.invalid", failUnknownHost},
		{&net.DNSError{Name: "h", Err: "server misbehaving", IsTemporary: true}, "cannot resolve h: server misbehaving", failConnect},
		{fmt.Errorf("reading response: %w", timeoutError{60 * time.Second}), "no answer within 1m0s", failNoAnswer},
		{&url.Error{Op: "Post", URL: "http://x", Err: io.EOF}, "connection closed before the answer", failNoAnswer},
		{&StatusError{Status: 503, Message: "busy"}, "HTTP 503: busy", failAnswer},
	}
	for _, c := range cases {
		got, kind := describe(c.err)
		assert.Equal(t, c.want, got, "%v", c.err)
		assert.Equal(t, c.kind, kind, "%v", c.err)
	}
}

// TestUnknownHostGivesUpQuickly: a name the resolver does not know is
// tried three times, well inside the connect timeout.
func TestUnknownHostGivesUpQuickly(t *testing.T) {
	cfg, err := Config{BaseURL: "http://tinker.invalid", APIKey: "tml-x", Retry: RetryPolicy{Base: time.Millisecond}}.withDefaults()
	require.NoError(t, err)
	tr, err := newTransport(cfg, nil, &redactor{}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	tr.attemptTimeout(0) // the first attempt
	r := tr.retrier("client/config")
	dnsErr := &net.DNSError{Name: "tinker.invalid", Err: "no such host", IsNotFound: true}
	require.NoError(t, r.retry(context.Background(), dnsErr, 0))
	require.NoError(t, r.retry(context.Background(), dnsErr, 0))
	err = r.retry(context.Background(), dnsErr, 0)
	require.ErrorIs(t, err, errUnreachable)
	assert.Equal(t, "could not connect to http://tinker.invalid (3 attempts): unknown host tinker.invalid", err.Error())
}
