// Package stagetest holds test-only doubles for stage kinds' tests (and
// the shared helpers' tests): in-memory metrics and checkpoint logs, a recording training
// client that remembers exactly which batches its weights have seen, and
// a Ports implementation. Nothing here trains a model; it exists only for
// tests.
package stagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Metrics is an in-memory stage.MetricsWriter (test-only).
type Metrics struct {
	mu   sync.Mutex
	recs []map[string]any
}

// Write implements stage.MetricsWriter.
func (m *Metrics) Write(step int, metrics map[string]any) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := map[string]any{"step": step}
	maps.Copy(rec, metrics)
	m.recs = append(m.recs, rec)
	return nil
}

// Records implements stage.MetricsWriter.
func (m *Metrics) Records() ([]map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]map[string]any(nil), m.recs...), nil
}

// TruncateFrom implements stage.MetricsWriter.
func (m *Metrics) TruncateFrom(step int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keep []map[string]any
	for _, r := range m.recs {
		if r["step"].(int) < step {
			keep = append(keep, r)
		}
	}
	m.recs = keep
	return nil
}

// Checkpoints is an in-memory stage.CheckpointLog (test-only). Records
// go through JSON as in the real log, so tests see what a resumed stage
// reads back.
type Checkpoints struct {
	mu   sync.Mutex
	recs []stage.CheckpointRecord
}

// Append implements stage.CheckpointLog.
func (c *Checkpoints) Append(rec stage.CheckpointRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var back stage.CheckpointRecord
	if err := json.Unmarshal(data, &back); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, back)
	return nil
}

// LastWithState implements stage.CheckpointLog.
func (c *Checkpoints) LastWithState() (stage.CheckpointRecord, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.recs) - 1; i >= 0; i-- {
		if c.recs[i].StatePath != "" {
			return c.recs[i], true, nil
		}
	}
	return stage.CheckpointRecord{}, false, nil
}

// Records implements stage.CheckpointLog.
func (c *Checkpoints) Records() ([]stage.CheckpointRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]stage.CheckpointRecord(nil), c.recs...), nil
}

// Progress records progress updates (test-only).
type Progress struct {
	Total int
	Done  []int
}

// Start implements stage.Progress.
func (p *Progress) Start(total int, _ string) { p.Total = total }

// Update implements stage.Progress.
func (p *Progress) Update(done int, _ map[string]float64) { p.Done = append(p.Done, done) }

var _ stage.MetricsWriter = (*Metrics)(nil)
var _ stage.CheckpointLog = (*Checkpoints)(nil)
var _ stage.Progress = (*Progress)(nil)

// Ports is a test-only stage.Ports serving fixed instances.
type Ports struct {
	TrainerPort  ports.Trainer
	SamplingPort ports.SamplingService
	DatasetPort  ports.DatasetStore
	HubPort      ports.HubClient
}

var errUnbound = errors.New("port not bound in this test")

// Trainer implements stage.Ports.
func (p *Ports) Trainer(context.Context) (ports.Trainer, error) {
	if p.TrainerPort == nil {
		return nil, fmt.Errorf("training_client: %w", errUnbound)
	}
	return p.TrainerPort, nil
}

// Sampling implements stage.Ports.
func (p *Ports) Sampling(context.Context) (ports.SamplingService, error) {
	if p.SamplingPort == nil {
		return nil, fmt.Errorf("sampling_client: %w", errUnbound)
	}
	return p.SamplingPort, nil
}

// Datasets implements stage.Ports.
func (p *Ports) Datasets(context.Context) (ports.DatasetStore, error) {
	if p.DatasetPort == nil {
		return nil, fmt.Errorf("dataset_store: %w", errUnbound)
	}
	return p.DatasetPort, nil
}

// Blobs implements stage.Ports.
func (p *Ports) Blobs(context.Context) (ports.BlobStore, error) { return nil, errUnbound }

// Hub implements stage.Ports.
func (p *Ports) Hub(context.Context) (ports.HubClient, error) {
	if p.HubPort == nil {
		return nil, fmt.Errorf("hub_client: %w", errUnbound)
	}
	return p.HubPort, nil
}

// LLM implements stage.Ports.
func (p *Ports) LLM(context.Context) (ports.LLMClient, error) { return nil, errUnbound }

// Embeddings implements stage.Ports.
func (p *Ports) Embeddings(context.Context) (ports.EmbeddingClient, error) { return nil, errUnbound }

// Vectors implements stage.Ports.
func (p *Ports) Vectors(context.Context) (ports.VectorStore, error) { return nil, errUnbound }

// Adapter implements stage.Ports.
func (p *Ports) Adapter(string) string { return "test" }
