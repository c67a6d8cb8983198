// Package catalog is what the compiler checks recipes against: the stage
// kinds with their typed inputs and outputs, the config schema of every
// adapter, the built-in manifests, and the built-in renderer names.
//
// It is data only, in the vocabulary of lang/schema. Stage kinds (stdlib)
// and adapters declare their schemas beside their code; the compiler sees
// them only through this catalog, which is why `cookbookc check` needs no
// network and runs in milliseconds.
package catalog

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cookbookc/cookbookc/lang/schema"
)

// Catalog is everything the compiler checks against.
type Catalog struct {
	Stages    map[string]*schema.StageKind
	Adapters  map[string]map[string]*schema.AdapterSchema // port -> name -> schema
	Manifests map[string]*schema.Manifest
	// Renderers lists the built-in renderer names (renderer.NAME).
	Renderers map[string]string // name -> one-line summary
	// DatasetFields is the schema of a `dataset` block.
	DatasetFields []schema.Field
}

// New returns a catalog with the built-in stage kinds, manifests,
// renderers and dataset schema, and no adapters.
func New() *Catalog {
	c := &Catalog{
		Stages:        map[string]*schema.StageKind{},
		Adapters:      map[string]map[string]*schema.AdapterSchema{},
		Manifests:     map[string]*schema.Manifest{},
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
func (c *Catalog) AddAdapter(a *schema.AdapterSchema) error {
	if !schema.IsPort(a.Port) {
		return fmt.Errorf("adapter %q: unknown port %q", a.Name, a.Port)
	}
	byName := c.Adapters[a.Port]
	if byName == nil {
		byName = map[string]*schema.AdapterSchema{}
		c.Adapters[a.Port] = byName
	}
	if _, dup := byName[a.Name]; dup {
		return fmt.Errorf("adapter %q registered twice for port %q", a.Name, a.Port)
	}
	byName[a.Name] = a
	return nil
}

// Adapter looks up an adapter schema.
func (c *Catalog) Adapter(port, name string) (*schema.AdapterSchema, bool) {
	a, ok := c.Adapters[port][name]
	return a, ok
}

// StageNames returns the stage kind names, sorted.
func (c *Catalog) StageNames() []string { return slices.Sorted(maps.Keys(c.Stages)) }

// ManifestNames returns the built-in manifest names, sorted.
func (c *Catalog) ManifestNames() []string { return slices.Sorted(maps.Keys(c.Manifests)) }

// RendererNames returns the built-in renderer names, sorted.
func (c *Catalog) RendererNames() []string { return slices.Sorted(maps.Keys(c.Renderers)) }

// AdapterNames returns the adapter names registered for port, sorted.
func (c *Catalog) AdapterNames(port string) []string {
	return slices.Sorted(maps.Keys(c.Adapters[port]))
}
