package openai

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func TestSchemas(t *testing.T) {
	for _, s := range []schema.AdapterSchema{ChatSchema(), EmbeddingSchema()} {
		if s.Name != "openai" {
			t.Errorf("%s adapter named %q", s.Port, s.Name)
		}
		if _, ok := registry.Lookup(s.Port, s.Name); !ok {
			t.Errorf("%s/openai is not registered", s.Port)
		}
		for _, f := range s.Config {
			if f.Doc == "" || !strings.HasSuffix(f.Doc, ".") {
				t.Errorf("%s.%s: Doc %q is not a sentence", s.Port, f.Name, f.Doc)
			}
			if f.Sensitive != (f.Name == "api_key") {
				t.Errorf("%s.%s: Sensitive = %v", s.Port, f.Name, f.Sensitive)
			}
		}
		if f, ok := s.Field("base_url"); !ok || f.Default != nil {
			t.Errorf("%s.base_url must exist without a schema default, so OPENAI_BASE_URL can apply", s.Port)
		}
	}
}

// The factories resolve config against the environment through the
// registry, as the interpreter does.
func TestFactories(t *testing.T) {
	f := newFakeAPI(t, func(_ int, w http.ResponseWriter, r *http.Request, body map[string]any) {
		if r.URL.Path == "/v1/embeddings" {
			embedHandler(nil)(0, w, r, body)
			return
		}
		writeJSON(w, 200, chatOK("hello", "stop"))
	})
	tests := []struct {
		name    string
		cfg     registry.Config
		env     map[string]string
		wantKey string
	}{
		{"environment", registry.Config{"model": "m"},
			map[string]string{"OPENAI_BASE_URL": f.srv.URL + "/v1", "OPENAI_API_KEY": testKey}, testKey},
		{"config wins", registry.Config{"model": "m", "base_url": f.srv.URL + "/v1", "api_key": "sk-from-config"},
			map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "OPENAI_API_KEY": testKey}, "sk-from-config"},
		{"no key for a local server", registry.Config{"model": "m", "base_url": f.srv.URL + "/v1"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := registry.Env{Getenv: func(k string) string { return tt.env[k] }}
			ctx := context.Background()
			llm, err := registry.New(ctx, schema.PortLLMClient, "openai", tt.cfg, env)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := llm.(ports.LLMClient).Chat(ctx, ports.ChatRequest{Messages: []ports.ChatMessage{{Role: "user", Content: "hi"}}})
			if err != nil || resp.Content != "hello" {
				t.Fatalf("Chat = %+v, %v", resp, err)
			}
			emb, err := registry.New(ctx, schema.PortEmbeddingClient, "openai", tt.cfg, env)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := emb.(ports.EmbeddingClient).Embed(ctx, "", []string{"x"}); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			for _, r := range reqs[len(reqs)-2:] {
				want := ""
				if tt.wantKey != "" {
					want = "Bearer " + tt.wantKey
				}
				if got := r.Header.Get("Authorization"); got != want {
					t.Errorf("%s: Authorization %q, want %q", r.Path, got, want)
				}
				if r.Body["model"] != "m" {
					t.Errorf("%s: model %v", r.Path, r.Body["model"])
				}
			}
		})
	}
}

func TestOptionsFromConfig(t *testing.T) {
	env := registry.Env{Getenv: func(string) string { return "" }}
	o := options(registry.Config{"timeout_seconds": 1.5, "max_retries": int64(0), "retry_budget_seconds": int64(10)}, env)
	if o.Timeout != 1500*time.Millisecond || o.MaxRetries != -1 || o.RetryBudget != 10*time.Second {
		t.Fatalf("options %+v", o)
	}
	c, err := newCore(o)
	if err != nil || c.maxRetries != 0 {
		t.Fatalf("explicit max_retries = 0 gave %d retries (%v)", c.maxRetries, err)
	}
	c, err = newCore(options(registry.Config{}, env))
	if err != nil || c.maxRetries != DefaultMaxRetries || c.timeout != DefaultTimeout || c.base != DefaultBaseURL || !c.needsKey {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
}

func TestBadBaseURL(t *testing.T) {
	tests := []struct{ url, want string }{
		{"ftp://host/v1", "scheme must be http or https"},
		{"http://", "has no host"},
		{"https://user:hunter2@host/v1", "credentials in the URL"},
		{"https://host/v1?x=1", "query or fragment"},
	}
	for _, tt := range tests {
		_, err := NewChat(ChatOptions{Options: Options{BaseURL: tt.url}})
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("base_url %q: error %v, want %q without the password", tt.url, err, tt.want)
		}
	}
	if _, err := NewChat(ChatOptions{MaxTokensParam: "max_new_tokens"}); err == nil {
		t.Error("an unknown max_tokens_param was accepted")
	}
	if _, err := NewEmbedding(EmbeddingOptions{BatchSize: MaxBatchSize + 1}); err == nil {
		t.Error("an oversized batch was accepted")
	}
}
