package stage

import (
	"github.com/cookbookc/cookbookc/compiler/ir"
)

// RendererRef is a resolved renderer input: a built-in renderer name, or a
// custom renderer declared in the recipe.
type RendererRef struct {
	Name   string
	Custom *ir.Renderer // nil for built-in renderers
}

// Inputs holds a stage's resolved input values. The interpreter builds it:
// literals decoded (int inputs as int64, number inputs as float64),
// dataset references as ir.Dataset, renderer references as RendererRef,
// checkpoint values as ports.Checkpoint, other stage outputs decoded from
// JSON, secrets read from the environment. A kind reads them through its
// typed Config (Define, Decode).
type Inputs struct {
	values map[string]any
}

// NewInputs wraps resolved values.
func NewInputs(values map[string]any) *Inputs {
	if values == nil {
		values = map[string]any{}
	}
	return &Inputs{values: values}
}

// Has reports whether the input has a value.
func (in *Inputs) Has(name string) bool {
	_, ok := in.values[name]
	return ok
}

// Value returns the raw resolved value.
func (in *Inputs) Value(name string) (any, bool) {
	v, ok := in.values[name]
	return v, ok
}
