package ports

import (
	"context"
	"io"
	"iter"
)

// DatasetRef says which dataset to open. Source is a URI ("file://...",
// "hf://org/name"); relative file paths are resolved against BaseDir.
type DatasetRef struct {
	Source     string
	FileFormat string // "auto", "jsonl", "json", "csv", "parquet"
	Split      string
	BaseDir    string
	// MaxRowBytes bounds the size of one row (a line, an array element,
	// a CSV record, a Parquet row as JSON); a larger row is a bad row,
	// skipped without being held in memory where the format allows. 0
	// means DefaultMaxRowBytes.
	MaxRowBytes int
}

// DefaultMaxRowBytes is the row size bound when a dataset sets none:
// 8 MiB, sixteen times the text of a 128k-token context, which is as much
// as any model here can train on.
const DefaultMaxRowBytes = 8 << 20

// RowLimit returns MaxRowBytes or its default.
func (r DatasetRef) RowLimit() int {
	if r.MaxRowBytes > 0 {
		return r.MaxRowBytes
	}
	return DefaultMaxRowBytes
}

// Record is one raw row and where it came from, so errors can name the
// file and line.
type Record struct {
	// File is the file the row was read from (display form).
	File string
	// Line is the 1-based line (JSONL, CSV) or row index (JSON, Parquet)
	// of the row.
	Line int
	// Fields holds the row decoded as JSON would decode it: strings,
	// float64, bool, nil, []any and map[string]any.
	Fields map[string]any
	// Err is set when the row could not be decoded; Fields is then nil.
	Err error
}

// DatasetStore is the dataset_store port.
type DatasetStore interface {
	// Open returns the rows of a dataset in their stored order. Decoding
	// errors of single rows are reported through Record.Err so the caller
	// can skip or fail; errors that end the iteration (I/O, a missing
	// file) are yielded as the second value.
	Open(ctx context.Context, ref DatasetRef) (iter.Seq2[Record, error], error)
}

// BlobStore is the blob_store port: named byte blobs.
type BlobStore interface {
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores r under key atomically: readers never see a partial blob.
	Put(ctx context.Context, key string, r io.Reader) error
	Exists(ctx context.Context, key string) (bool, error)
	List(ctx context.Context, prefix string) ([]string, error)
	Delete(ctx context.Context, key string) error
}

// DatasetRepoPrefix marks a dataset repository in HubClient calls:
// "datasets/owner/name", as in the hub's URLs; "owner/name" is a model
// repository.
const DatasetRepoPrefix = "datasets/"

// HubClient is the hub_client port (Hugging Face hub and compatible).
// Repositories are "owner/name" (models) or "datasets/owner/name" (see
// DatasetRepoPrefix).
type HubClient interface {
	// Download fetches one file of a repository (cached) and returns its
	// local path.
	Download(ctx context.Context, repo, filename, revision string) (string, error)
	ListFiles(ctx context.Context, repo, revision string) ([]string, error)
}

// ChatMessage is a message for an LLM API.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest asks an LLM API for one completion.
type ChatRequest struct {
	Model       string
	Messages    []ChatMessage
	Temperature float64
	MaxTokens   int
	Stop        []string
}

// ChatResponse is an LLM API completion.
type ChatResponse struct {
	Content      string
	FinishReason string
}

// LLMClient is the llm_client port (OpenAI-compatible chat APIs).
type LLMClient interface {
	Chat(ctx context.Context, req ChatRequest) (ChatResponse, error)
}

// EmbeddingClient is the embedding_client port.
type EmbeddingClient interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// VectorItem is a vector with an id and payload.
type VectorItem struct {
	ID      string
	Vector  []float32
	Payload map[string]any
}

// VectorMatch is a query result.
type VectorMatch struct {
	VectorItem
	Score float32
}

// VectorStore is the vector_store port.
type VectorStore interface {
	Upsert(ctx context.Context, collection string, items []VectorItem) error
	Query(ctx context.Context, collection string, vector []float32, k int) ([]VectorMatch, error)
}

// MetricsSink is the metrics_sink port: an extra destination for step
// metrics besides the run directory's metrics.jsonl (which is always
// written).
type MetricsSink interface {
	Log(ctx context.Context, stage string, step int, metrics map[string]float64) error
	Close() error
}
