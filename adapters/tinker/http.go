package tinker

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatusError is an HTTP error answer of the service. Message is the
// server's message (redacted of credentials).
type StatusError struct {
	Status  int
	Message string
}

// Error implements error: "HTTP <status>: <server message>".
func (e *StatusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// RequestFailedError is a failure the service reported for a submitted
// request through its future ({"error", "category"}).
type RequestFailedError struct {
	RequestID string
	// Category is "user" (the request was wrong), "server" or "unknown".
	Category string
	Message  string
}

// Error implements error, naming the request and the failure category.
func (e *RequestFailedError) Error() string {
	return fmt.Sprintf("request %s failed (%s error): %s", e.RequestID, e.Category, e.Message)
}

// errRetriesExhausted wraps the last error when the retry budget is spent.
var errRetriesExhausted = errors.New("retry budget exhausted")

// transport sends requests to the service.
type transport struct {
	base   *url.URL
	client *http.Client
	auth   *auth
	red    *redactor
	policy RetryPolicy
	log    *slog.Logger
	ua     string
	// billingMax bounds the total 402 pause (server flag).
	billingMax time.Duration

	// firstSent is when the first attempt was made; answered is set by
	// the first HTTP answer. Until then the connect timeout applies.
	contactMu sync.Mutex
	firstSent time.Time
	answered  bool
}

// contact reports when the first attempt was sent and whether the
// service has answered since.
func (t *transport) contact() (first time.Time, answered bool) {
	t.contactMu.Lock()
	defer t.contactMu.Unlock()
	return t.firstSent, t.answered
}

// attemptTimeout notes an attempt and returns its timeout: timeout, cut
// to what is left of the connect timeout while the service has never
// answered, so a service that accepts connections but never answers
// fails within the connect timeout too.
func (t *transport) attemptTimeout(timeout time.Duration) time.Duration {
	t.contactMu.Lock()
	defer t.contactMu.Unlock()
	if t.firstSent.IsZero() {
		t.firstSent = time.Now()
	}
	if t.answered {
		return timeout
	}
	left := max(time.Until(t.firstSent.Add(t.policy.ConnectTimeout)), 100*time.Millisecond)
	if timeout <= 0 || left < timeout {
		return left
	}
	return timeout
}

func (t *transport) markAnswered() {
	t.contactMu.Lock()
	t.answered = true
	t.contactMu.Unlock()
}

// billingLimit bounds the total 402 pause of one request.
func (t *transport) billingLimit() time.Duration {
	if t.billingMax > 0 {
		return t.billingMax
	}
	return defaultBillingMax
}

// request is one logical request; its retries reuse IdemKey.
type request struct {
	Method string
	Path   string // relative to {base}/api/v1/, e.g. "create_session"
	Body   []byte
	// ContentType defaults to application/json when Body is set.
	ContentType     string
	ContentEncoding string
	Accept          string
	Header          map[string]string
	// IdemKey is the X-Idempotency-Key, generated once for non-GET
	// requests and re-sent on every retry.
	IdemKey string
	Timeout time.Duration
	// Credential overrides the X-API-Key value (the JWT exchange sends
	// the API key itself).
	Credential string
}

// response is a complete HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	// Attempt is the 0-based attempt that got this answer.
	Attempt int
}

func (r *response) contentType() string { return r.Header.Get("Content-Type") }

func newIdemKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "cookbookc-retry-" + hex.EncodeToString(b[:])
}

func newTransport(cfg Config, a *auth, red *redactor, log *slog.Logger) (*transport, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	return &transport{
		base:       base,
		client:     &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		auth:       a,
		red:        red,
		policy:     cfg.Retry,
		log:        log,
		ua:         strings.TrimSpace("cookbookc-tinker/" + SDKVersion + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") " + cfg.UserAgentSuffix),
		billingMax: cfg.Retry.BillingMax,
	}, nil
}

func (t *transport) url(path string) string {
	u := *t.base
	rel, _ := url.Parse("api/v1/" + path)
	return u.ResolveReference(rel).String()
}

// once sends one attempt. attempt is reported in x-stainless-retry-count.
func (t *transport) once(ctx context.Context, req *request, attempt int) (*response, error) {
	timeout := t.attemptTimeout(req.Timeout)
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, timeoutError{timeout})
		defer cancel()
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, t.url(req.Path), body)
	if err != nil {
		return nil, err
	}
	cred := req.Credential
	if cred == "" {
		if cred, err = t.auth.header(ctx); err != nil {
			return nil, &authSetupError{err}
		}
	}
	hr.Header.Set("X-API-Key", cred)
	hr.Header.Set("User-Agent", t.ua)
	hr.Header.Set("Accept", "application/json")
	if req.Accept != "" {
		hr.Header.Set("Accept", req.Accept)
	}
	if req.Body != nil {
		ct := req.ContentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
		if req.ContentEncoding != "" {
			hr.Header.Set("Content-Encoding", req.ContentEncoding)
		}
	}
	if req.IdemKey != "" {
		hr.Header.Set("X-Idempotency-Key", req.IdemKey)
	}
	hr.Header.Set("x-stainless-retry-count", strconv.Itoa(attempt))
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := t.client.Do(hr)
	if err != nil {
		if cause := context.Cause(ctx); errors.As(cause, &timeoutError{}) {
			return nil, cause
		}
		// url.Error quotes the URL only; no header ever reaches an error.
		return nil, err
	}
	defer resp.Body.Close()
	t.markAnswered()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if cause := context.Cause(ctx); errors.As(cause, &timeoutError{}) {
			return nil, fmt.Errorf("reading response: %w", cause)
		}
		return nil, fmt.Errorf("reading response: %w", err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// call sends req, retrying connection errors, timeouts, 408, 409, 429,
// 5xx and Cloudflare's empty 400 with backoff (or the server's
// retry-after), and pausing on 402, as the RetryPolicy says (retrier).
// Other answers are returned; non-2xx become *StatusError. When pass409
// is set a 409 is returned as an answer instead of retried (named saves:
// the name exists, or an earlier attempt already saved it).
func (t *transport) call(ctx context.Context, req *request, pass409 bool) (*response, error) {
	if req.Method != http.MethodGet && req.IdemKey == "" {
		req.IdemKey = newIdemKey()
	}
	r := t.retrier(req.Path)
	for attempt := 0; ; attempt++ {
		resp, err := t.once(ctx, req, attempt)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch {
		case err != nil:
			if isAuthSetupError(err) {
				return nil, err
			}
			err = r.retry(ctx, err, 0)
		case resp.Status == http.StatusPaymentRequired:
			err = r.pause402(ctx, t.statusError(resp))
		case resp.Status == http.StatusConflict && pass409:
			resp.Attempt = attempt
			return resp, nil
		case retryable(resp):
			err = r.retry(ctx, t.statusError(resp), retryAfter(resp.Header))
		case resp.Status >= 300:
			return nil, t.statusError(resp)
		default:
			resp.Attempt = attempt
			return resp, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// retryable reports whether a status is retried at the request layer.
func retryable(resp *response) bool {
	switch resp.Header.Get("x-should-retry") {
	case "true":
		return true
	case "false":
		return false
	}
	switch {
	case resp.Status == http.StatusRequestTimeout, resp.Status == http.StatusConflict,
		resp.Status == http.StatusTooManyRequests, resp.Status >= 500:
		return true
	case resp.Status == http.StatusBadRequest && len(resp.Body) == 0:
		// An empty 400 is an edge proxy rejecting the connection, not
		// the service rejecting the request (../shared/reference/tinker-protocol.md §8).
		return true
	}
	return false
}

// retryAfter reads retry-after-ms or retry-after when 0 < value <= 60 s.
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms <= 60000 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := h.Get("retry-after"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 && s <= 60 {
			return time.Duration(s * float64(time.Second))
		}
		if at, err := http.ParseTime(v); err == nil {
			if d := time.Until(at); d > 0 && d <= time.Minute {
				return d
			}
		}
	}
	return 0
}

// statusError builds a *StatusError from the server's message.
func (t *transport) statusError(resp *response) error {
	msg := strings.TrimSpace(string(resp.Body))
	var body struct {
		Detail  any    `json:"detail"`
		Message string `json:"message"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(resp.Body, &body) == nil {
		switch {
		case body.Message != "":
			msg = body.Message
		case body.Detail != nil:
			msg = fmt.Sprint(body.Detail)
		case body.Error != nil:
			msg = fmt.Sprint(body.Error)
		}
	}
	if len(msg) > 2000 {
		msg = msg[:2000] + "..."
	}
	return &StatusError{Status: resp.Status, Message: t.red.redact(msg)}
}

// authSetupError marks failures to produce a credential; retrying the
// HTTP request cannot fix them.
type authSetupError struct{ err error }

func (e *authSetupError) Error() string { return e.err.Error() }
func (e *authSetupError) Unwrap() error { return e.err }

func isAuthSetupError(err error) bool {
	var a *authSetupError
	return errors.As(err, &a)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// postJSON marshals body and calls path with retries.
func (t *transport) postJSON(ctx context.Context, path string, body any, timeout time.Duration) (*response, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding %s request: %w", path, err)
	}
	return t.call(ctx, &request{Method: http.MethodPost, Path: path, Body: data, Timeout: timeout}, false)
}

// decode unmarshals a JSON response body.
func decode[T any](resp *response, what string) (T, error) {
	var v T
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return v, fmt.Errorf("decoding %s response: %w", what, err)
	}
	return v, nil
}
