// Package openai holds the "openai" llm_client and embedding_client
// adapters: hand-written clients of the OpenAI-compatible HTTP API
// (POST {base_url}/chat/completions and {base_url}/embeddings), which
// OpenAI, Azure-style gateways, vLLM, llama.cpp, Ollama and most hosted
// model services speak.
//
// Both share one HTTP core: JSON requests, bounded retries on 429 and 5xx
// answers and on network failures (honouring Retry-After, otherwise
// exponential backoff with jitter), per-attempt timeouts, context
// cancellation, and errors that carry the server's own message. The API
// key is sent only in the Authorization header: it is never logged, and
// it is scrubbed from every error message even when a server echoes it.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is OpenAI's API root.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults of Options.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultMaxRetries  = 4
	DefaultRetryBudget = 2 * time.Minute
)

// maxResponseBytes caps how much of a response is read (a large
// embeddings batch is tens of MiB of JSON).
const maxResponseBytes = 256 << 20

// Options configures the HTTP core shared by the chat and embedding
// clients.
type Options struct {
	// BaseURL is the API root, e.g. "https://api.openai.com/v1" or
	// "http://localhost:8000/v1" (default DefaultBaseURL).
	BaseURL string
	// APIKey is sent as "Authorization: Bearer ...". It may be empty for
	// servers that need none, but not for api.openai.com.
	APIKey string
	// Timeout bounds each attempt (default DefaultTimeout).
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt
	// (default DefaultMaxRetries; negative means none).
	MaxRetries int
	// RetryBudget bounds the time spent retrying: no retry starts, and no
	// wait ends, later than this after the first attempt started
	// (default DefaultRetryBudget).
	RetryBudget time.Duration
	// HTTPClient overrides the HTTP client (tests, proxies).
	HTTPClient *http.Client
	// Logger receives retry warnings and debug lines (never the key).
	Logger *slog.Logger
}

// core performs API calls.
type core struct {
	base        string
	key         string
	needsKey    bool
	timeout     time.Duration
	maxRetries  int
	retryBudget time.Duration
	http        *http.Client
	log         *slog.Logger

	// sleep waits d or until ctx is done; jitter randomises a backoff.
	// Tests replace both.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(d time.Duration) time.Duration
}

func newCore(o Options) (*core, error) {
	base := strings.TrimRight(o.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return nil, fmt.Errorf("base_url: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("base_url %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("base_url %q has no host", u.Redacted())
	case u.User != nil:
		return nil, errors.New("base_url: credentials in the URL are not allowed; use OPENAI_API_KEY")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("base_url %q: must not have a query or fragment", u.Redacted())
	}
	c := &core{
		base:        base,
		key:         o.APIKey,
		needsKey:    u.Hostname() == "api.openai.com",
		timeout:     o.Timeout,
		maxRetries:  o.MaxRetries,
		retryBudget: o.RetryBudget,
		http:        o.HTTPClient,
		log:         o.Logger,
		sleep:       sleepCtx,
		jitter:      equalJitter,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxRetries == 0 {
		c.maxRetries = DefaultMaxRetries
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.retryBudget <= 0 {
		c.retryBudget = DefaultRetryBudget
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// equalJitter returns a duration in [d/2, d): retries spread out without
// ever collapsing to zero.
func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}

// backoff is the wait before retry n (1-based) when the server gives no
// Retry-After: 0.5s, 1s, 2s, ... capped at 30s, jittered.
func (c *core) backoff(n int) time.Duration {
	d := 500 * time.Millisecond << min(n-1, 6)
	return c.jitter(min(d, 30*time.Second))
}

// post sends body as JSON to path and decodes a 2xx answer into out,
// retrying transient failures.
func (c *core) post(ctx context.Context, path string, body, out any) error {
	if c.needsKey && c.key == "" {
		return errors.New("no API key: set OPENAI_API_KEY (or api_key from env()), or point base_url at a server that needs none")
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encoding request: %w", err)
	}
	start := time.Now()
	deadline := start.Add(c.retryBudget)
	for attempt := 0; ; attempt++ {
		raw, wait, err := c.attempt(ctx, path, payload)
		if err == nil {
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("decoding %s response: %w", path, err)
			}
			c.log.DebugContext(ctx, "openai request done", "path", path, "attempts", attempt+1, "took", time.Since(start))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var retry *retryable
		if !errors.As(err, &retry) {
			return err
		}
		if attempt >= c.maxRetries {
			return fmt.Errorf("giving up after %d attempts in %s: %w", attempt+1, time.Since(start).Round(time.Millisecond), retry.err)
		}
		if wait <= 0 {
			wait = c.backoff(attempt + 1)
		}
		if time.Now().Add(wait).After(deadline) {
			return fmt.Errorf("giving up after %d attempts: the next retry (in %s) would pass the %s retry budget: %w",
				attempt+1, wait.Round(time.Millisecond), c.retryBudget, retry.err)
		}
		c.log.WarnContext(ctx, "openai request failed; retrying", "path", path, "attempt", attempt+1, "wait", wait, "error", retry.err.Error())
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryable marks an attempt's error as worth retrying.
type retryable struct{ err error }

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// attempt makes one request. It returns the body of a 2xx answer, or an
// error (wrapped in *retryable when a retry may succeed) and the wait the
// server asked for.
func (c *core) attempt(ctx context.Context, path string, payload []byte) ([]byte, time.Duration, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+path, bytes.NewReader(payload))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "cookbookc")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		// Network failures and per-attempt timeouts are transient.
		err = errors.New(c.scrub(err.Error()))
		if actx.Err() != nil {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, err)
		}
		return nil, 0, &retryable{err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, &retryable{fmt.Errorf("reading response: %s", c.scrub(err.Error()))}
	}
	if len(raw) > maxResponseBytes {
		return nil, 0, fmt.Errorf("response larger than %d MiB", maxResponseBytes>>20)
	}
	if resp.StatusCode/100 == 2 {
		return raw, 0, nil
	}
	apiErr := c.apiError(resp, raw)
	if apiErr.retryable() {
		return nil, retryAfter(resp.Header, time.Now()), &retryable{apiErr}
	}
	return nil, 0, apiErr
}

// APIError is an error answer of the API, with the server's message.
type APIError struct {
	Status    int
	Type      string // e.g. "invalid_request_error"
	Code      string // e.g. "invalid_api_key", "insufficient_quota"
	Message   string
	RequestID string // x-request-id, for support tickets
}

// Error implements error: "HTTP 429 (rate_limit_exceeded): Rate limit reached ... [request req_1]".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	var tags []string
	for _, t := range []string{e.Type, e.Code} {
		if t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(tags, ", "))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if t := http.StatusText(e.Status); t != "" {
		b.WriteString(": " + t)
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// retryable says whether the same request may succeed later: rate limits
// (but not an exhausted quota), timeouts and server errors.
func (e *APIError) retryable() bool {
	switch {
	case e.Code == "insufficient_quota":
		return false
	case e.Status == http.StatusTooManyRequests, e.Status == http.StatusRequestTimeout, e.Status == http.StatusConflict:
		return true
	default:
		return e.Status >= 500
	}
}

// apiError decodes an error body ({"error": {...}} as OpenAI sends, or
// plain text from proxies), scrubbing the key.
func (c *core) apiError(resp *http.Response, raw []byte) *APIError {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	var detail struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"` // a string, a number or null depending on server
	}
	switch {
	case json.Unmarshal(raw, &body) == nil && len(body.Error) > 0 && json.Unmarshal(body.Error, &detail) == nil:
		e.Message, e.Type = detail.Message, detail.Type
		if detail.Code != nil {
			e.Code = fmt.Sprint(detail.Code)
		}
	case json.Unmarshal(raw, &body) == nil && len(body.Error) > 0:
		var s string // {"error": "text"}, as some compatible servers answer
		_ = json.Unmarshal(body.Error, &s)
		e.Message = s
	default:
		e.Message = strings.TrimSpace(string(raw))
		if len(e.Message) > 300 {
			e.Message = e.Message[:300] + "..."
		}
	}
	e.Message = c.scrub(e.Message)
	return e
}

// retryAfter reads the wait a server asked for: retry-after-ms (OpenAI),
// or Retry-After in seconds or as an HTTP date. Zero means none.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// scrub removes the API key from text a server or transport produced.
func (c *core) scrub(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[REDACTED]")
}
