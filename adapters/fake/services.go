package fake

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

// HubClient is the fake hub_client: a test fake whose repositories each
// hold two files, README.md and data.jsonl, with content derived from the
// repository name. Download writes them under Dir.
type HubClient struct {
	Dir string
}

// ListFiles lists the two files of every repository.
func (h *HubClient) ListFiles(ctx context.Context, repo, revision string) ([]string, error) {
	return []string{"README.md", "data.jsonl"}, nil
}

// Download writes the file (atomically) and returns its path.
func (h *HubClient) Download(ctx context.Context, repo, filename, revision string) (string, error) {
	var content string
	switch filename {
	case "README.md":
		content = "# " + repo + "\n\nA fake repository (test fake hub).\n"
	case "data.jsonl":
		var b strings.Builder
		for i := 0; i < 8; i++ {
			fmt.Fprintf(&b, "{\"question\":\"What is %d + %d?\",\"answer\":\"#### %d\"}\n", i, i+1, 2*i+1)
		}
		content = b.String()
	default:
		return "", ports.Wrap("hub_client", Name, "download", fmt.Errorf("%s has no file %q: %w", repo, filename, os.ErrNotExist))
	}
	if revision == "" {
		revision = "main"
	}
	path := filepath.Join(h.Dir, filepath.FromSlash(repo), revision, filename)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", ports.Wrap("hub_client", Name, "download", err)
	}
	// Written atomically, so a concurrent reader never sees half a file;
	// 0600 as before (the temp file's mode).
	if err := atomicfile.Write(path, []byte(content), 0o600); err != nil {
		return "", ports.Wrap("hub_client", Name, "download", err)
	}
	return path, nil
}

// LLMClient is the fake llm_client: a test fake that answers
// "fake reply #N to: <last message>", N derived from the whole request.
type LLMClient struct{}

// Chat returns a deterministic reply.
func (LLMClient) Chat(ctx context.Context, req ports.ChatRequest) (ports.ChatResponse, error) {
	if len(req.Messages) == 0 {
		return ports.ChatResponse{}, ports.Wrap("llm_client", Name, "chat", fmt.Errorf("no messages"))
	}
	parts := []string{req.Model}
	for _, m := range req.Messages {
		parts = append(parts, m.Role, m.Content)
	}
	n := digestSeed(digestOf(parts...)) % 1000
	last := req.Messages[len(req.Messages)-1].Content
	content := fmt.Sprintf("fake reply #%d to: %s", n, last)
	if req.MaxTokens > 0 && len(content) > req.MaxTokens {
		return ports.ChatResponse{Content: content[:req.MaxTokens], FinishReason: "length"}, nil
	}
	return ports.ChatResponse{Content: content, FinishReason: "stop"}, nil
}

// EmbeddingClient is the fake embedding_client: a test fake returning
// unit vectors of Dim dimensions derived from each text's bytes, so equal
// texts embed equally.
type EmbeddingClient struct {
	Dim int
}

// Embed embeds each text.
func (e EmbeddingClient) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	dim := e.Dim
	if dim <= 0 {
		dim = 8
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		seed := digestSeed(digestOf(model, t))
		v := make([]float32, dim)
		var norm float64
		for j := range v {
			seed = mix(seed)
			x := unit(seed)*2 - 1
			v[j] = float32(x)
			norm += x * x
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j] = float32(float64(v[j]) / norm)
		}
		out[i] = v
	}
	return out, nil
}

// VectorStore is the fake vector_store: a test fake keeping collections in
// memory and ranking by cosine similarity (ties by id).
type VectorStore struct {
	mu    sync.Mutex
	items map[string]map[string]ports.VectorItem
}

// NewVectorStore returns an empty store.
func NewVectorStore() *VectorStore {
	return &VectorStore{items: map[string]map[string]ports.VectorItem{}}
}

// Upsert adds or replaces items by id.
func (v *VectorStore) Upsert(ctx context.Context, collection string, items []ports.VectorItem) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := v.items[collection]
	if c == nil {
		c = map[string]ports.VectorItem{}
		v.items[collection] = c
	}
	for _, it := range items {
		c[it.ID] = it
	}
	return nil
}

// Query returns the k items most similar to vector.
func (v *VectorStore) Query(ctx context.Context, collection string, vector []float32, k int) ([]ports.VectorMatch, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []ports.VectorMatch
	for _, it := range v.items[collection] {
		if len(it.Vector) != len(vector) {
			return nil, ports.Wrap("vector_store", Name, "query",
				fmt.Errorf("item %q has %d dimensions, query has %d", it.ID, len(it.Vector), len(vector)))
		}
		out = append(out, ports.VectorMatch{VectorItem: it, Score: cosine(it.Vector, vector)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if k >= 0 && len(out) > k {
		out = out[:k]
	}
	return out, nil
}

func cosine(a, b []float32) float32 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return float32(dot / math.Sqrt(na*nb))
}

// MetricsSink is the fake metrics_sink: a test fake that keeps what it was
// sent in memory, for tests that check metrics reach the sink.
type MetricsSink struct {
	mu      sync.Mutex
	Records []SinkRecord
	closed  bool
}

// SinkRecord is one Log call.
type SinkRecord struct {
	Stage   string
	Step    int
	Metrics map[string]float64
}

// Log records the call.
func (m *MetricsSink) Log(ctx context.Context, stage string, step int, metrics map[string]float64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ports.Wrap("metrics_sink", Name, "log", errClosed)
	}
	m.Records = append(m.Records, SinkRecord{Stage: stage, Step: step, Metrics: metrics})
	return nil
}

// Close marks the sink closed.
func (m *MetricsSink) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
