// Package none is the metrics_sink adapter "none": metrics go only to the
// run directory's metrics.jsonl files, which the interpreter always writes.
package none

import (
	"context"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// Name is the adapter name.
const Name = "none"

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port: schema.PortMetricsSink, Name: Name,
			Summary: "No extra destination: metrics are only written to <run dir>/<stage>/metrics.jsonl.",
		},
		New: func(context.Context, registry.Config, registry.Env) (any, error) { return Sink{}, nil },
	})
}

// Sink discards metrics.
type Sink struct{}

// Log does nothing: the run directory already holds the metrics.
func (Sink) Log(context.Context, string, int, map[string]float64) error { return nil }

// Close does nothing.
func (Sink) Close() error { return nil }
