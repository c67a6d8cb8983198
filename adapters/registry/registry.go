// Package registry is where adapters register themselves: their port, name,
// config schema (which `cookbookc check` validates manifests against) and
// constructor. Adapter packages call Register from init; the CLI imports
// them all (adapters/all) so that the registry is complete. It also holds
// the built-in manifests (manifests.go), which say which adapter serves
// each port under each named manifest.
package registry

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// Config is an adapter's decoded configuration: every field of its schema
// that has a value or a default, as string, float64, int64, bool, []any or
// map[string]any. Secrets are already resolved; adapters must never log
// or persist sensitive fields.
type Config map[string]any

// String returns a string field or "".
func (c Config) String(name string) string { s, _ := c[name].(string); return s }

// Int returns an integer field or 0.
func (c Config) Int(name string) int64 {
	switch v := c[name].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case int:
		return int64(v)
	}
	return 0
}

// Float returns a numeric field or 0.
func (c Config) Float(name string) float64 {
	switch v := c[name].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return 0
}

// Bool returns a boolean field or false.
func (c Config) Bool(name string) bool { b, _ := c[name].(bool); return b }

// Env is what a constructor gets besides its config.
type Env struct {
	// RunDir is the run directory; adapters that store files locally
	// (local checkpoints, blobs) keep them under it unless configured
	// otherwise.
	RunDir string
	// Logger writes to the run's log. Never log secrets.
	Logger *slog.Logger
	// Getenv reads the environment (os.Getenv in production, a map in
	// tests).
	Getenv func(string) string
	// Port returns the instance bound to another port (constructing it
	// on first use), for adapters built on other ports (e.g. a hub-backed
	// dataset store).
	Port func(ctx context.Context, port string) (any, error)
}

// Factory constructs an adapter instance. The returned value must
// implement the port's interface (see Interface).
type Factory func(ctx context.Context, cfg Config, env Env) (any, error)

// Adapter is a registered adapter.
type Adapter struct {
	Schema schema.AdapterSchema
	New    Factory
	// Preflight, when set, checks what the adapter needs from its config
	// and the environment (a credential, a well-formed URL) without side
	// effects or network, so a run can refuse to start before it creates
	// anything. Its error must not quote secret values.
	Preflight func(cfg Config, env Env) error
}

var (
	mu       sync.RWMutex
	adapters = map[string]map[string]Adapter{}
)

// interfaces maps each port to the interface its adapters implement.
var interfaces = map[string]reflect.Type{
	schema.PortTrainingClient:  reflect.TypeFor[ports.Trainer](),
	schema.PortSamplingClient:  reflect.TypeFor[ports.SamplingService](),
	schema.PortDatasetStore:    reflect.TypeFor[ports.DatasetStore](),
	schema.PortBlobStore:       reflect.TypeFor[ports.BlobStore](),
	schema.PortHubClient:       reflect.TypeFor[ports.HubClient](),
	schema.PortLLMClient:       reflect.TypeFor[ports.LLMClient](),
	schema.PortEmbeddingClient: reflect.TypeFor[ports.EmbeddingClient](),
	schema.PortVectorStore:     reflect.TypeFor[ports.VectorStore](),
	schema.PortMetricsSink:     reflect.TypeFor[ports.MetricsSink](),
}

// Interface returns the interface type adapters of port implement.
func Interface(port string) (reflect.Type, bool) {
	t, ok := interfaces[port]
	return t, ok
}

// Register adds an adapter. It panics on an unknown port or a duplicate:
// both are programming errors caught by any test that imports the adapter.
func Register(a Adapter) {
	if _, ok := interfaces[a.Schema.Port]; !ok {
		panic(fmt.Sprintf("registry: adapter %q: unknown port %q", a.Schema.Name, a.Schema.Port))
	}
	if a.New == nil {
		panic(fmt.Sprintf("registry: adapter %s/%s has no constructor", a.Schema.Port, a.Schema.Name))
	}
	mu.Lock()
	defer mu.Unlock()
	byName := adapters[a.Schema.Port]
	if byName == nil {
		byName = map[string]Adapter{}
		adapters[a.Schema.Port] = byName
	}
	if _, dup := byName[a.Schema.Name]; dup {
		panic(fmt.Sprintf("registry: adapter %s/%s registered twice", a.Schema.Port, a.Schema.Name))
	}
	byName[a.Schema.Name] = a
}

// Lookup returns a registered adapter.
func Lookup(port, name string) (Adapter, bool) {
	mu.RLock()
	defer mu.RUnlock()
	a, ok := adapters[port][name]
	return a, ok
}

// All returns every registered adapter, sorted by port then name.
func All() []Adapter {
	mu.RLock()
	defer mu.RUnlock()
	var out []Adapter
	for _, byName := range adapters {
		for _, a := range byName {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema.Port != out[j].Schema.Port {
			return out[i].Schema.Port < out[j].Schema.Port
		}
		return out[i].Schema.Name < out[j].Schema.Name
	})
	return out
}

// Schemas returns the schema of every registered adapter, sorted by port
// then name: the adapters of the catalog (compiler/catalog.Assemble).
func Schemas() []*schema.AdapterSchema {
	all := All()
	out := make([]*schema.AdapterSchema, len(all))
	for i := range all {
		out[i] = &all[i].Schema
	}
	return out
}

// New looks up an adapter and constructs it (Construct).
func New(ctx context.Context, port, name string, cfg Config, env Env) (any, error) {
	a, ok := Lookup(port, name)
	if !ok {
		return nil, fmt.Errorf("%s: no adapter named %q", port, name)
	}
	return a.Construct(ctx, cfg, env)
}

// Construct builds an instance of the adapter and checks that it
// implements its port's interface; errors name the port and adapter.
func (a Adapter) Construct(ctx context.Context, cfg Config, env Env) (any, error) {
	port, name := a.Schema.Port, a.Schema.Name
	v, err := a.New(ctx, cfg, env)
	if err != nil {
		return nil, ports.Wrap(port, name, "init", err)
	}
	if want := interfaces[port]; !reflect.TypeOf(v).Implements(want) {
		return nil, fmt.Errorf("%s (%s): constructor returned %T, which does not implement %v", port, name, v, want)
	}
	return v, nil
}
