package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// adapterSet holds the run's adapters: one instance per port, built on
// first use and closed at the end of the run.
type adapterSet struct {
	bindings boundPorts // with decoded configs
	env      registry.Env

	mu    sync.Mutex
	slots map[string]*adapterSlot
	order []string // ports in construction order
}

type adapterSlot struct {
	mu sync.Mutex
	v  any
}

func newAdapterSet(bindings boundPorts, env registry.Env) *adapterSet {
	s := &adapterSet{bindings: bindings, env: env, slots: map[string]*adapterSlot{}}
	s.env.Port = s.get
	return s
}

// get returns the adapter bound to port, constructing it on first use.
// Concurrent first uses construct it once.
func (s *adapterSet) get(ctx context.Context, port string) (any, error) {
	b, ok := s.bindings[port]
	if !ok || b.Adapter == "" {
		return nil, fmt.Errorf("%s: no adapter is bound to this port in the manifest", port)
	}
	if !b.registered {
		return nil, fmt.Errorf("%s: no adapter named %q", port, b.Adapter) // buildGraph reports it first
	}
	s.mu.Lock()
	slot := s.slots[port]
	if slot == nil {
		slot = &adapterSlot{}
		s.slots[port] = slot
	}
	s.mu.Unlock()

	slot.mu.Lock()
	defer slot.mu.Unlock()
	if slot.v != nil {
		return slot.v, nil
	}
	// Errors are not cached: a later stage may succeed (e.g. after a
	// transient network failure of the constructor).
	env := s.env
	if env.Logger != nil {
		// An adapter is shared by the stages, so its lines name the
		// adapter rather than a stage.
		env.Logger = env.Logger.With("port", port, "adapter", b.Adapter)
	}
	v, err := b.adapter.Construct(ctx, b.config, env)
	if err != nil {
		return nil, err
	}
	slot.v = v
	s.mu.Lock()
	s.order = append(s.order, port)
	s.mu.Unlock()
	return v, nil
}

// constructed returns the instance for port if it was built.
func (s *adapterSet) constructed(port string) (any, bool) {
	s.mu.Lock()
	slot := s.slots[port]
	s.mu.Unlock()
	if slot == nil {
		return nil, false
	}
	slot.mu.Lock()
	defer slot.mu.Unlock()
	return slot.v, slot.v != nil
}

// closeAll closes the constructed adapters in reverse construction order
// and returns one error per failure, naming port and adapter.
func (s *adapterSet) closeAll() map[string]error {
	s.mu.Lock()
	order := append([]string(nil), s.order...)
	s.mu.Unlock()
	errs := map[string]error{}
	for i := len(order) - 1; i >= 0; i-- {
		port := order[i]
		v, _ := s.constructed(port)
		var err error
		switch a := v.(type) {
		case ports.Trainer:
			err = a.Close()
		case ports.SamplingService:
			err = a.Close()
		case ports.MetricsSink:
			err = a.Close()
		case io.Closer:
			err = a.Close()
		}
		if err != nil {
			errs[port] = ports.Wrap(port, s.bindings.adapterName(port), "close", err)
		}
	}
	return errs
}

// stagePorts is a stage's view of the adapters: only the ports its kind
// declares.
type stagePorts struct {
	set     *adapterSet
	stage   string
	allowed []string
}

func (p *stagePorts) port(ctx context.Context, port string) (any, error) {
	ok := false
	for _, a := range p.allowed {
		ok = ok || a == port
	}
	if !ok {
		return nil, fmt.Errorf("stage %q uses port %s, which its kind does not declare (it declares %v)", p.stage, port, p.allowed)
	}
	return p.set.get(ctx, port)
}

func typed[T any](v any, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, errors.New("adapter does not implement the port") // registry.New already checks
	}
	return t, nil
}

// Trainer implements stage.Ports.
func (p *stagePorts) Trainer(ctx context.Context) (ports.Trainer, error) {
	return typed[ports.Trainer](p.port(ctx, schema.PortTrainingClient))
}

// Sampling implements stage.Ports.
func (p *stagePorts) Sampling(ctx context.Context) (ports.SamplingService, error) {
	return typed[ports.SamplingService](p.port(ctx, schema.PortSamplingClient))
}

// Datasets implements stage.Ports.
func (p *stagePorts) Datasets(ctx context.Context) (ports.DatasetStore, error) {
	return typed[ports.DatasetStore](p.port(ctx, schema.PortDatasetStore))
}

// Blobs implements stage.Ports.
func (p *stagePorts) Blobs(ctx context.Context) (ports.BlobStore, error) {
	return typed[ports.BlobStore](p.port(ctx, schema.PortBlobStore))
}

// Hub implements stage.Ports.
func (p *stagePorts) Hub(ctx context.Context) (ports.HubClient, error) {
	return typed[ports.HubClient](p.port(ctx, schema.PortHubClient))
}

// LLM implements stage.Ports.
func (p *stagePorts) LLM(ctx context.Context) (ports.LLMClient, error) {
	return typed[ports.LLMClient](p.port(ctx, schema.PortLLMClient))
}

// Embeddings implements stage.Ports.
func (p *stagePorts) Embeddings(ctx context.Context) (ports.EmbeddingClient, error) {
	return typed[ports.EmbeddingClient](p.port(ctx, schema.PortEmbeddingClient))
}

// Vectors implements stage.Ports.
func (p *stagePorts) Vectors(ctx context.Context) (ports.VectorStore, error) {
	return typed[ports.VectorStore](p.port(ctx, schema.PortVectorStore))
}

// Adapter implements stage.Ports.
func (p *stagePorts) Adapter(port string) string { return p.set.bindings.adapterName(port) }

// stagePortList is the ports a stage may call: the plan's list, else its
// kind's.
func stagePortList(st *ir.Stage, cat *catalog.Catalog) []string {
	if len(st.Ports) > 0 {
		return st.Ports
	}
	if k := cat.Stages[st.Kind]; k != nil {
		out := append([]string(nil), k.Ports...)
		sort.Strings(out)
		return out
	}
	return nil
}
