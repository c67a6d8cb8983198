package catalog

import (
	"fmt"
	"sort"
)

// Port names. Every adapter implements exactly one port.
const (
	PortTrainingClient  = "training_client"
	PortSamplingClient  = "sampling_client"
	PortDatasetStore    = "dataset_store"
	PortBlobStore       = "blob_store"
	PortHubClient       = "hub_client"
	PortLLMClient       = "llm_client"
	PortEmbeddingClient = "embedding_client"
	PortVectorStore     = "vector_store"
	PortMetricsSink     = "metrics_sink"
)

// Ports lists every port name in a fixed order.
var Ports = []string{
	PortTrainingClient, PortSamplingClient, PortDatasetStore, PortBlobStore,
	PortHubClient, PortLLMClient, PortEmbeddingClient, PortVectorStore,
	PortMetricsSink,
}

// IsPort reports whether name is a port.
func IsPort(name string) bool {
	for _, p := range Ports {
		if p == name {
			return true
		}
	}
	return false
}

// StageKind declares a stage kind: what it takes, what it produces and
// which ports it calls.
type StageKind struct {
	Name    string
	Summary string
	Inputs  []Field
	Outputs []Output
	// Ports the kind may call. A manifest must bind each of them.
	Ports []string
	// Check, when set, validates relations between inputs that single
	// fields cannot express (e.g. "checkpoint or model is required"). It
	// sees the inputs that are known at compile time (literal values;
	// references and secrets are present as keys with a nil value) and
	// returns one Problem per violation.
	Check func(inputs map[string]any) []Problem
}

// Problem is a violation found by StageKind.Check. Field names the input
// the diagnostic should point at ("" for the stage as a whole).
type Problem struct {
	Field   string
	Summary string
	Detail  string
}

// Input returns the named input field.
func (k *StageKind) Input(name string) (*Field, bool) {
	for i := range k.Inputs {
		if k.Inputs[i].Name == name {
			return &k.Inputs[i], true
		}
	}
	return nil, false
}

// Output returns the named output.
func (k *StageKind) Output(name string) (*Output, bool) {
	for i := range k.Outputs {
		if k.Outputs[i].Name == name {
			return &k.Outputs[i], true
		}
	}
	return nil, false
}

// AdapterSchema declares an adapter's port, name and config attributes.
type AdapterSchema struct {
	Port    string
	Name    string
	Summary string
	Config  []Field
	// Fake marks adapters that exist only for tests (the `test`
	// manifest); listings label them.
	Fake bool
}

// Field returns the named config field.
func (a *AdapterSchema) Field(name string) (*Field, bool) {
	for i := range a.Config {
		if a.Config[i].Name == name {
			return &a.Config[i], true
		}
	}
	return nil, false
}

// Manifest is a built-in manifest: an adapter (and config) per port.
// Ports not listed are unbound; a stage that needs an unbound port is a
// check error under that manifest.
type Manifest struct {
	Name    string
	Summary string
	Ports   map[string]Binding
}

// Binding is one port's adapter in a built-in manifest.
type Binding struct {
	Adapter string
	Config  map[string]any
}

// Catalog is everything the compiler checks against.
type Catalog struct {
	Stages    map[string]*StageKind
	Adapters  map[string]map[string]*AdapterSchema // port -> name -> schema
	Manifests map[string]*Manifest
	// Renderers lists the built-in renderer names (renderer.NAME).
	Renderers map[string]string // name -> one-line summary
	// DatasetFields is the schema of a `dataset` block.
	DatasetFields []Field
}

// New returns a catalog with the built-in stage kinds, manifests,
// renderers and dataset schema, and no adapters.
func New() *Catalog {
	c := &Catalog{
		Stages:        map[string]*StageKind{},
		Adapters:      map[string]map[string]*AdapterSchema{},
		Manifests:     map[string]*Manifest{},
		Renderers:     map[string]string{},
		DatasetFields: datasetFields(),
	}
	for _, k := range builtinStages() {
		c.Stages[k.Name] = k
	}
	for _, m := range builtinManifests() {
		c.Manifests[m.Name] = m
	}
	for name, summary := range builtinRenderers {
		c.Renderers[name] = summary
	}
	return c
}

// AddAdapter adds an adapter schema. It fails on an unknown port or a
// duplicate name.
func (c *Catalog) AddAdapter(a *AdapterSchema) error {
	if !IsPort(a.Port) {
		return fmt.Errorf("adapter %q: unknown port %q", a.Name, a.Port)
	}
	byName := c.Adapters[a.Port]
	if byName == nil {
		byName = map[string]*AdapterSchema{}
		c.Adapters[a.Port] = byName
	}
	if _, dup := byName[a.Name]; dup {
		return fmt.Errorf("adapter %q registered twice for port %q", a.Name, a.Port)
	}
	byName[a.Name] = a
	return nil
}

// Adapter looks up an adapter schema.
func (c *Catalog) Adapter(port, name string) (*AdapterSchema, bool) {
	a, ok := c.Adapters[port][name]
	return a, ok
}

// StageNames returns the stage kind names, sorted.
func (c *Catalog) StageNames() []string { return sortedKeys(c.Stages) }

// ManifestNames returns the built-in manifest names, sorted.
func (c *Catalog) ManifestNames() []string { return sortedKeys(c.Manifests) }

// RendererNames returns the built-in renderer names, sorted.
func (c *Catalog) RendererNames() []string { return sortedKeys(c.Renderers) }

// AdapterNames returns the adapter names registered for port, sorted.
func (c *Catalog) AdapterNames(port string) []string { return sortedKeys(c.Adapters[port]) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
