package stage

import (
	"encoding/json"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/ports"
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
// JSON, secrets read from the environment.
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

// String returns a string input ("" when absent).
func (in *Inputs) String(name string) string {
	s, _ := in.values[name].(string)
	return s
}

// Int returns an integer input (0 when absent).
func (in *Inputs) Int(name string) int64 {
	switch v := in.values[name].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	case json.Number:
		n, _ := v.Int64()
		return n
	}
	return 0
}

// Float returns a numeric input (0 when absent).
func (in *Inputs) Float(name string) float64 {
	switch v := in.values[name].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case int:
		return float64(v)
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return 0
}

// Bool returns a boolean input (false when absent).
func (in *Inputs) Bool(name string) bool {
	b, _ := in.values[name].(bool)
	return b
}

// Dataset returns a dataset input.
func (in *Inputs) Dataset(name string) (ir.Dataset, bool) {
	d, ok := in.values[name].(ir.Dataset)
	return d, ok
}

// Renderer returns a renderer input.
func (in *Inputs) Renderer(name string) (RendererRef, bool) {
	r, ok := in.values[name].(RendererRef)
	return r, ok
}

// Checkpoint returns a checkpoint input.
func (in *Inputs) Checkpoint(name string) (ports.Checkpoint, bool) {
	c, ok := in.values[name].(ports.Checkpoint)
	return c, ok
}

// Decode converts an input into v (a pointer) through JSON, for list and
// map inputs.
func (in *Inputs) Decode(name string, v any) error {
	raw, ok := in.values[name]
	if !ok {
		return fmt.Errorf("input %q is not set", name)
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("input %q: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("input %q: %w", name, err)
	}
	return nil
}
