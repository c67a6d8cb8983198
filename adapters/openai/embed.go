package openai

import (
	"context"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// DefaultEmbeddingModel is used when neither the call nor the config
// names a model.
const DefaultEmbeddingModel = "text-embedding-3-small"

// DefaultBatchSize is the number of texts sent per request. OpenAI
// accepts up to MaxBatchSize.
const (
	DefaultBatchSize = 256
	MaxBatchSize     = 2048
)

// EmbeddingOptions configures an EmbeddingClient.
type EmbeddingOptions struct {
	Options
	// Model is the default model (default DefaultEmbeddingModel).
	Model string
	// BatchSize is the number of texts per request (default
	// DefaultBatchSize).
	BatchSize int
	// Dimensions, when positive, asks models that support it
	// (text-embedding-3-*) for shortened vectors.
	Dimensions int
}

// EmbeddingClient is the embedding_client port over POST
// {base_url}/embeddings.
type EmbeddingClient struct {
	c          *core
	model      string
	batchSize  int
	dimensions int
}

var _ ports.EmbeddingClient = (*EmbeddingClient)(nil)

// NewEmbedding returns an EmbeddingClient. It makes no request.
func NewEmbedding(o EmbeddingOptions) (*EmbeddingClient, error) {
	c, err := newCore(o.Options)
	if err != nil {
		return nil, err
	}
	e := &EmbeddingClient{c: c, model: o.Model, batchSize: o.BatchSize, dimensions: o.Dimensions}
	if e.model == "" {
		e.model = DefaultEmbeddingModel
	}
	if e.batchSize == 0 {
		e.batchSize = DefaultBatchSize
	}
	if e.batchSize < 1 || e.batchSize > MaxBatchSize {
		return nil, fmt.Errorf("batch size %d: want 1 to %d", e.batchSize, MaxBatchSize)
	}
	if e.dimensions < 0 {
		return nil, fmt.Errorf("dimensions %d is negative", e.dimensions)
	}
	return e, nil
}

type embeddingResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

// Embed implements ports.EmbeddingClient: one vector per text, in the
// order of texts, sent in batches. model "" means the configured model.
func (e *EmbeddingClient) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	out, err := e.embed(ctx, model, texts)
	return out, ports.Wrap(schema.PortEmbeddingClient, AdapterName, "embed", err)
}

func (e *EmbeddingClient) embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		model = e.model
	}
	for i, t := range texts {
		if t == "" {
			return nil, fmt.Errorf("text %d is empty (the API rejects empty input)", i)
		}
	}
	out := make([][]float32, 0, len(texts))
	dim := -1
	for start := 0; start < len(texts); start += e.batchSize {
		batch := texts[start:min(start+e.batchSize, len(texts))]
		body := map[string]any{"model": model, "input": batch, "encoding_format": "float"}
		if e.dimensions > 0 {
			body["dimensions"] = e.dimensions
		}
		var resp embeddingResponse
		if err := e.c.post(ctx, "/embeddings", body, &resp); err != nil {
			return nil, fmt.Errorf("model %s, texts %d-%d: %w", model, start, start+len(batch)-1, err)
		}
		// The API says data comes in input order, but each item carries
		// its index: place by index and check that each is filled once.
		vecs := make([][]float32, len(batch))
		if len(resp.Data) != len(batch) {
			return nil, fmt.Errorf("model %s: %d embeddings for %d texts", model, len(resp.Data), len(batch))
		}
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(batch) || vecs[d.Index] != nil {
				return nil, fmt.Errorf("model %s: embedding index %d is out of range or repeated", model, d.Index)
			}
			if len(d.Embedding) == 0 {
				return nil, fmt.Errorf("model %s: embedding %d is empty", model, start+d.Index)
			}
			if dim >= 0 && len(d.Embedding) != dim {
				return nil, fmt.Errorf("model %s: embedding %d has %d dimensions, earlier ones %d", model, start+d.Index, len(d.Embedding), dim)
			}
			dim = len(d.Embedding)
			vecs[d.Index] = d.Embedding
		}
		out = append(out, vecs...)
	}
	return out, nil
}
