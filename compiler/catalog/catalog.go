// Package catalog is what the compiler checks recipes against: the stage
// kinds with their typed inputs and outputs, the config schema of every
// adapter, the built-in manifests, and the built-in renderer names.
//
// It is data only, in the vocabulary of lang/schema, and the compiler
// takes it as an input: stage kinds (stdlib/stages) and adapters
// (adapters/...) declare their schemas beside their code and register
// them, and Assemble builds the catalog from those registrations
// (interp.Catalog gathers them for the CLI and the interpreter). The
// compiler sees stage kinds and adapters only through this catalog, which
// is why `cookbookc check` needs no network and runs in milliseconds.
package catalog

import (
	"errors"
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
	// Recommend names the recommended renderer of a model and whether
	// the model table listed it; a stage that omits its renderer gets
	// that one (with a warning). Nil leaves omitted renderers unset.
	Recommend func(model string) (renderer string, listed bool)
	// DatasetFields is the schema of a `dataset` block.
	DatasetFields []schema.Field
}

// Parts are what a catalog is assembled from: the registrations of this
// build (see interp.Catalog).
type Parts struct {
	Stages    []*schema.StageKind
	Adapters  []*schema.AdapterSchema
	Manifests []*schema.Manifest
	// Renderers maps built-in renderer names to one-line summaries.
	Renderers map[string]string
	Recommend func(model string) (renderer string, listed bool)
}

// New returns an empty catalog: the dataset schema and nothing else.
func New() *Catalog {
	return &Catalog{
		Stages:        map[string]*schema.StageKind{},
		Adapters:      map[string]map[string]*schema.AdapterSchema{},
		Manifests:     map[string]*schema.Manifest{},
		Renderers:     map[string]string{},
		DatasetFields: datasetFields(),
	}
}

// Assemble builds a catalog from its parts. It fails on a duplicate stage
// kind, adapter or manifest name, and on a stage kind, adapter or manifest
// that names an unknown port; a manifest may bind adapters the parts do
// not include (the compiler reports them when a stage needs the port).
func Assemble(p Parts) (*Catalog, error) {
	c := New()
	var errs []error
	for _, k := range p.Stages {
		if _, dup := c.Stages[k.Name]; dup {
			errs = append(errs, fmt.Errorf("stage kind %q declared twice", k.Name))
			continue
		}
		for _, port := range k.Ports {
			if !schema.IsPort(port) {
				errs = append(errs, fmt.Errorf("stage kind %q: unknown port %q", k.Name, port))
			}
		}
		c.Stages[k.Name] = k
	}
	for _, a := range p.Adapters {
		if err := c.AddAdapter(a); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range p.Manifests {
		if _, dup := c.Manifests[m.Name]; dup {
			errs = append(errs, fmt.Errorf("manifest %q declared twice", m.Name))
			continue
		}
		for _, port := range slices.Sorted(maps.Keys(m.Ports)) {
			if !schema.IsPort(port) {
				errs = append(errs, fmt.Errorf("manifest %q: unknown port %q", m.Name, port))
			}
		}
		c.Manifests[m.Name] = m
	}
	maps.Copy(c.Renderers, p.Renderers)
	c.Recommend = p.Recommend
	return c, errors.Join(errs...)
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

// RecommendedRenderer names the renderer a stage that omits its renderer
// uses for model, and whether the model table listed the model; "" when
// the catalog has no model table.
func (c *Catalog) RecommendedRenderer(model string) (string, bool) {
	if c.Recommend == nil {
		return "", false
	}
	return c.Recommend(model)
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
