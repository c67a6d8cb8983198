package openai

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

func newTestChat(t *testing.T, f *fakeAPI, s *sleeps, edit func(*ChatOptions)) (*ChatClient, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	o := ChatOptions{Options: Options{BaseURL: f.srv.URL + "/v1/", APIKey: testKey, Logger: debugLogger(logs)}}
	if edit != nil {
		edit(&o)
	}
	c, err := NewChat(o)
	if err != nil {
		t.Fatalf("NewChat: %v", err)
	}
	instant(c.c, s)
	return c, logs
}

func TestChatRequestShape(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(*ChatOptions)
		req      ports.ChatRequest
		wantBody map[string]any
	}{
		{
			name: "defaults",
			req:  ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}},
			wantBody: map[string]any{"model": DefaultChatModel, "temperature": 0.0,
				"messages": []any{map[string]any{"role": "user", "content": "hi"}}},
		},
		{
			name: "everything set",
			opts: func(o *ChatOptions) { o.Model = "cfg-model" },
			req: ports.ChatRequest{Model: "req-model", Temperature: 0.7, MaxTokens: 64, Stop: []string{"\n\nUser:"},
				Messages: []ports.ChatMessage{{Role: "system", Content: "be brief"}, {Role: "user", Content: "2+2?"}}},
			wantBody: map[string]any{"model": "req-model", "temperature": 0.7, "max_tokens": 64.0, "stop": []any{"\n\nUser:"},
				"messages": []any{map[string]any{"role": "system", "content": "be brief"}, map[string]any{"role": "user", "content": "2+2?"}}},
		},
		{
			name: "config model and max_completion_tokens",
			opts: func(o *ChatOptions) { o.Model, o.MaxTokensParam = "o-mini", MaxCompletionTokensParam },
			req:  ports.ChatRequest{MaxTokens: 10, Temperature: 1, Messages: []ports.ChatMessage{{Role: "user", Content: "x"}}},
			wantBody: map[string]any{"model": "o-mini", "temperature": 1.0, "max_completion_tokens": 10.0,
				"messages": []any{map[string]any{"role": "user", "content": "x"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ map[string]any) {
				writeJSON(w, 200, chatOK("four", "stop"))
			})
			c, _ := newTestChat(t, f, &sleeps{}, tt.opts)
			resp, err := c.Chat(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if resp != (ports.ChatResponse{Content: "four", FinishReason: "stop"}) {
				t.Fatalf("response %+v", resp)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Path != "/v1/chat/completions" {
				t.Errorf("path %q", r.Path)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
				t.Errorf("Authorization %q", got)
			}
			if got := r.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if !reflect.DeepEqual(r.Body, tt.wantBody) {
				t.Errorf("body\n got %v\nwant %v", r.Body, tt.wantBody)
			}
		})
	}
}

func TestChatErrors(t *testing.T) {
	user := ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}}
	tests := []struct {
		name     string
		respond  func(w http.ResponseWriter)
		req      *ports.ChatRequest
		wantReqs int
		want     []string
	}{
		{"bad request is not retried", func(w http.ResponseWriter) {
			w.Header().Set("X-Request-Id", "req_42")
			writeJSON(w, 400, apiErr("Invalid value for 'temperature'.", "invalid_request_error", "invalid_value"))
		}, nil, 1, []string{"llm_client (openai): chat:", "HTTP 400 (invalid_request_error, invalid_value): Invalid value for 'temperature'.", "[request req_42]"}},
		{"echoed key is scrubbed", func(w http.ResponseWriter) {
			writeJSON(w, 401, apiErr("Incorrect API key provided: "+testKey+".", "invalid_request_error", "invalid_api_key"))
		}, nil, 1, []string{"HTTP 401", "Incorrect API key provided: [REDACTED]."}},
		{"exhausted quota is not retried", func(w http.ResponseWriter) {
			writeJSON(w, 429, apiErr("You exceeded your current quota.", "insufficient_quota", "insufficient_quota"))
		}, nil, 1, []string{"HTTP 429", "You exceeded your current quota."}},
		{"plain-text proxy error is retried then reported", func(w http.ResponseWriter) {
			w.WriteHeader(502)
			w.Write([]byte("<html>Bad Gateway</html>"))
		}, nil, 1 + DefaultMaxRetries, []string{"giving up after 5 attempts", "HTTP 502: <html>Bad Gateway</html>"}},
		{"string error field", func(w http.ResponseWriter) {
			writeJSON(w, 404, map[string]any{"error": "model 'nope' not found"})
		}, nil, 1, []string{"HTTP 404: model 'nope' not found"}},
		{"no choices", func(w http.ResponseWriter) {
			writeJSON(w, 200, map[string]any{"choices": []any{}})
		}, nil, 1, []string{"the response has no choices"}},
		{"refusal", func(w http.ResponseWriter) {
			writeJSON(w, 200, map[string]any{"choices": []any{map[string]any{"finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": nil, "refusal": "I can't help with that."}}}})
		}, nil, 1, []string{"refused: I can't help with that."}},
		{"malformed JSON", func(w http.ResponseWriter) {
			w.WriteHeader(200)
			w.Write([]byte("{not json"))
		}, nil, 1, []string{"decoding /chat/completions response"}},
		{"no messages", nil, &ports.ChatRequest{}, 0, []string{"no messages"}},
		{"message without role", nil, &ports.ChatRequest{Messages: []ports.ChatMessage{{Content: "x"}}}, 0, []string{"message 0 has no role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ map[string]any) { tt.respond(w) })
			c, logs := newTestChat(t, f, &sleeps{}, nil)
			req := user
			if tt.req != nil {
				req = *tt.req
			}
			_, err := c.Chat(context.Background(), req)
			if err == nil {
				t.Fatal("Chat succeeded")
			}
			var pe *ports.Error
			if !errors.As(err, &pe) || pe.Port != "llm_client" || pe.Adapter != "openai" {
				t.Errorf("error %T is not a llm_client (openai) *ports.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if n := len(f.requests()); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(logs.String(), testKey) {
				t.Errorf("the API key leaked into the error or the log")
			}
		})
	}
}

func TestRetrySchedule(t *testing.T) {
	tests := []struct {
		name      string
		failures  []func(w http.ResponseWriter)
		budget    time.Duration
		wantWaits []time.Duration
		wantErr   string
	}{
		{"retry-after-ms", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("Retry-After-Ms", "1500")
			writeJSON(w, 429, apiErr("Rate limit reached", "requests", "rate_limit_exceeded"))
		}}, 0, []time.Duration{1500 * time.Millisecond}, ""},
		{"retry-after seconds", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "2")
			writeJSON(w, 503, apiErr("overloaded", "server_error", ""))
		}}, 0, []time.Duration{2 * time.Second}, ""},
		{"exponential backoff without a hint", []func(http.ResponseWriter){
			func(w http.ResponseWriter) { w.WriteHeader(500) },
			func(w http.ResponseWriter) { w.WriteHeader(502) },
			func(w http.ResponseWriter) { w.WriteHeader(504) },
		}, 0, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}, ""},
		{"a wait past the budget gives up at once", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "600")
			writeJSON(w, 429, apiErr("Rate limit reached", "requests", "rate_limit_exceeded"))
		}}, time.Minute, nil, "the next retry (in 10m0s) would pass the 1m0s retry budget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(n int, w http.ResponseWriter, _ *http.Request, _ map[string]any) {
				if n < len(tt.failures) {
					tt.failures[n](w)
					return
				}
				writeJSON(w, 200, chatOK("ok", "stop"))
			})
			s := &sleeps{}
			c, logs := newTestChat(t, f, s, func(o *ChatOptions) { o.RetryBudget = tt.budget })
			resp, err := c.Chat(context.Background(), ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || resp.Content != "ok" {
				t.Fatalf("Chat = %+v, %v", resp, err)
			}
			if got := s.all(); !reflect.DeepEqual(got, tt.wantWaits) {
				t.Errorf("waits %v, want %v", got, tt.wantWaits)
			}
			if len(tt.wantWaits) > 0 && !strings.Contains(logs.String(), "retrying") {
				t.Errorf("retries were not logged: %s", logs)
			}
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		header map[string]string
		want   time.Duration
	}{
		{nil, 0},
		{map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{map[string]string{"Retry-After": "0.25"}, 250 * time.Millisecond},
		{map[string]string{"Retry-After-Ms": "20", "Retry-After": "3"}, 20 * time.Millisecond},
		{map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second},
		{map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{map[string]string{"Retry-After": "soon"}, 0},
		{map[string]string{"Retry-After": "-4"}, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		if got := retryAfter(h, now); got != tt.want {
			t.Errorf("retryAfter(%v) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestJitterStaysInRange(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 10, time.Second, 30 * time.Second} {
		for range 100 {
			if j := equalJitter(d); j > d || j < d/2 {
				t.Fatalf("equalJitter(%v) = %v, outside [d/2, d]", d, j)
			}
		}
	}
}

func TestNetworkFailuresAndTimeouts(t *testing.T) {
	t.Run("slow attempt times out and is retried", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		f := newFakeAPI(t, func(n int, w http.ResponseWriter, r *http.Request, _ map[string]any) {
			if n == 0 {
				select { // hang until the client gives up on this attempt
				case <-r.Context().Done():
				case <-release:
				}
				return
			}
			writeJSON(w, 200, chatOK("second time lucky", "stop"))
		})
		s := &sleeps{}
		c, _ := newTestChat(t, f, s, func(o *ChatOptions) { o.Timeout = 100 * time.Millisecond })
		resp, err := c.Chat(context.Background(), ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
		if err != nil || resp.Content != "second time lucky" {
			t.Fatalf("Chat = %+v, %v", resp, err)
		}
		if len(s.all()) != 1 {
			t.Fatalf("waits %v, want one backoff", s.all())
		}
	})
	t.Run("unreachable server", func(t *testing.T) {
		f := newFakeAPI(t, func(int, http.ResponseWriter, *http.Request, map[string]any) {})
		c, _ := newTestChat(t, f, &sleeps{}, func(o *ChatOptions) { o.MaxRetries = 2 })
		f.srv.Close()
		_, err := c.Chat(context.Background(), ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
		if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempts") || !strings.Contains(err.Error(), "connect") {
			t.Fatalf("error %v, want give-up after 3 attempts naming the connection failure", err)
		}
	})
}

func TestCancellation(t *testing.T) {
	t.Run("during a request", func(t *testing.T) {
		f := newFakeAPI(t, func(_ int, w http.ResponseWriter, r *http.Request, _ map[string]any) {
			<-r.Context().Done()
		})
		c, _ := newTestChat(t, f, &sleeps{}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Chat(ctx, ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("cancellation took %v", d)
		}
		if n := len(f.requests()); n != 1 {
			t.Fatalf("%d requests after cancellation, want 1", n)
		}
	})
	t.Run("during a backoff wait", func(t *testing.T) {
		f := newFakeAPI(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ map[string]any) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(503)
		})
		c, _ := newTestChat(t, f, &sleeps{}, nil)
		c.c.sleep = sleepCtx // really wait, so that cancel interrupts the wait
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Chat(ctx, ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
		if !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
			t.Fatalf("error %v after %v, want context.Canceled well before the 30s wait", err, time.Since(start))
		}
	})
}

// A client for api.openai.com without a key fails before sending anything.
func TestMissingKeyForOpenAI(t *testing.T) {
	c, err := NewChat(ChatOptions{Options: Options{HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("a request was sent without a key")
		return nil, nil
	})}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Chat(context.Background(), ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
	if err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Fatalf("error %v, want one naming OPENAI_API_KEY", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
