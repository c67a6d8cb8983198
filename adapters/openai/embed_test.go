package openai

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// vectorOf is the fake embedding of a text: deterministic and distinct.
func vectorOf(text string) []float32 {
	return []float32{float32(len(text)), float32(text[0]), float32(text[len(text)-1])}
}

// embedHandler answers like the real API, but lists the data in reverse
// order (each item keeps its index) to prove the client orders by index.
func embedHandler(edit func(data []map[string]any) []map[string]any) func(int, http.ResponseWriter, *http.Request, map[string]any) {
	return func(_ int, w http.ResponseWriter, _ *http.Request, body map[string]any) {
		inputs, _ := body["input"].([]any)
		var data []map[string]any
		for i := len(inputs) - 1; i >= 0; i-- {
			s, _ := inputs[i].(string)
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": vectorOf(s)})
		}
		if edit != nil {
			data = edit(data)
		}
		writeJSON(w, 200, map[string]any{"object": "list", "data": data, "model": body["model"]})
	}
}

func newTestEmbedding(t *testing.T, f *fakeAPI, edit func(*EmbeddingOptions)) *EmbeddingClient {
	t.Helper()
	o := EmbeddingOptions{Options: Options{BaseURL: f.srv.URL + "/v1", APIKey: testKey}}
	if edit != nil {
		edit(&o)
	}
	e, err := NewEmbedding(o)
	if err != nil {
		t.Fatalf("NewEmbedding: %v", err)
	}
	instant(e.c, &sleeps{})
	return e
}

func TestEmbedBatchesInOrder(t *testing.T) {
	texts := []string{"alpha", "bravo!", "c", "delta delta", "echo"}
	tests := []struct {
		name      string
		batch     int
		dims      int
		model     string
		wantReqs  int
		wantModel string
	}{
		{"one batch", 0, 0, "", 1, DefaultEmbeddingModel},
		{"batches of two", 2, 0, "", 3, DefaultEmbeddingModel},
		{"batch of one, model and dimensions", 1, 256, "text-embedding-3-large", 5, "text-embedding-3-large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, embedHandler(nil))
			e := newTestEmbedding(t, f, func(o *EmbeddingOptions) { o.BatchSize, o.Dimensions = tt.batch, tt.dims })
			got, err := e.Embed(context.Background(), tt.model, texts)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			var want [][]float32
			for _, s := range texts {
				want = append(want, vectorOf(s))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("vectors\n got %v\nwant %v", got, want)
			}
			reqs := f.requests()
			if len(reqs) != tt.wantReqs {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantReqs)
			}
			var sent []any
			for _, r := range reqs {
				if r.Path != "/v1/embeddings" || r.Body["model"] != tt.wantModel || r.Body["encoding_format"] != "float" {
					t.Errorf("request %s %v", r.Path, r.Body)
				}
				if d, has := r.Body["dimensions"]; has != (tt.dims > 0) || (has && d != float64(tt.dims)) {
					t.Errorf("dimensions sent as %v (present %v), want %d", d, has, tt.dims)
				}
				sent = append(sent, r.Body["input"].([]any)...)
			}
			if len(sent) != len(texts) {
				t.Fatalf("sent %d texts, want %d", len(sent), len(texts))
			}
		})
	}
}

func TestEmbedRejectsBadAnswers(t *testing.T) {
	tests := []struct {
		name string
		edit func([]map[string]any) []map[string]any
		want string
	}{
		{"too few", func(d []map[string]any) []map[string]any { return d[1:] }, "2 embeddings for 3 texts"},
		{"repeated index", func(d []map[string]any) []map[string]any { d[1]["index"] = d[0]["index"]; return d }, "out of range or repeated"},
		{"index out of range", func(d []map[string]any) []map[string]any { d[0]["index"] = 3; return d }, "out of range or repeated"},
		{"ragged dimensions", func(d []map[string]any) []map[string]any { d[1]["embedding"] = []float32{1}; return d }, "has 1 dimensions, earlier ones 3"},
		{"empty vector", func(d []map[string]any) []map[string]any { d[0]["embedding"] = []float32{}; return d }, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, embedHandler(tt.edit))
			e := newTestEmbedding(t, f, nil)
			_, err := e.Embed(context.Background(), "", []string{"a", "bb", "ccc"})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "embedding_client (openai): embed:") {
				t.Fatalf("error %v, want an embedding_client error containing %q", err, tt.want)
			}
		})
	}
}

func TestEmbedInputs(t *testing.T) {
	f := newFakeAPI(t, embedHandler(nil))
	e := newTestEmbedding(t, f, nil)
	got, err := e.Embed(context.Background(), "", nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("Embed(nil) = %v, %v; want empty", got, err)
	}
	if _, err := e.Embed(context.Background(), "", []string{"ok", ""}); err == nil || !strings.Contains(err.Error(), "text 1 is empty") {
		t.Fatalf("empty text: %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d requests for no valid input", n)
	}
}

func TestEmbedRetriesLikeChat(t *testing.T) {
	f := newFakeAPI(t, func(n int, w http.ResponseWriter, r *http.Request, body map[string]any) {
		if n == 0 {
			writeJSON(w, 429, apiErr("Rate limit reached for text-embedding-3-small", "requests", "rate_limit_exceeded"))
			return
		}
		embedHandler(nil)(n, w, r, body)
	})
	e := newTestEmbedding(t, f, nil)
	got, err := e.Embed(context.Background(), "", []string{"abc"})
	if err != nil || !reflect.DeepEqual(got, [][]float32{vectorOf("abc")}) {
		t.Fatalf("Embed = %v, %v", got, err)
	}
	if n := len(f.requests()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}
