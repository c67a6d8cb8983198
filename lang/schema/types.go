package schema

import (
	"fmt"
	"strings"
)

// Kind is the kind of a Type.
type Kind int

// The kinds of values a stage input or adapter config field can hold.
const (
	KindAny        Kind = iota // any value
	KindString                 // a string
	KindNumber                 // a number (float64)
	KindInt                    // a whole number
	KindBool                   // true or false
	KindList                   // list(Elem)
	KindMap                    // map(Elem), string keys
	KindDataset                // a reference to a dataset block: dataset.NAME
	KindRenderer               // a reference to a renderer: renderer.NAME
	KindCheckpoint             // a checkpoint produced by a training stage
)

// Type is a value type. Elem is set for lists and maps.
type Type struct {
	Kind Kind
	Elem *Type
}

// Predefined types.
var (
	Any        = Type{Kind: KindAny}
	String     = Type{Kind: KindString}
	Number     = Type{Kind: KindNumber}
	Int        = Type{Kind: KindInt}
	Bool       = Type{Kind: KindBool}
	Dataset    = Type{Kind: KindDataset}
	Renderer   = Type{Kind: KindRenderer}
	Checkpoint = Type{Kind: KindCheckpoint}
)

// ListOf returns list(elem).
func ListOf(elem Type) Type { return Type{Kind: KindList, Elem: &elem} }

// MapOf returns map(elem).
func MapOf(elem Type) Type { return Type{Kind: KindMap, Elem: &elem} }

// String returns the type's name as written in the IR and in SPEC.md,
// e.g. "list(string)".
func (t Type) String() string {
	switch t.Kind {
	case KindString:
		return "string"
	case KindNumber:
		return "number"
	case KindInt:
		return "int"
	case KindBool:
		return "bool"
	case KindList:
		return "list(" + t.Elem.String() + ")"
	case KindMap:
		return "map(" + t.Elem.String() + ")"
	case KindDataset:
		return "dataset"
	case KindRenderer:
		return "renderer"
	case KindCheckpoint:
		return "checkpoint"
	default:
		return "any"
	}
}

// ParseType parses the output of Type.String.
func ParseType(s string) (Type, error) {
	switch s {
	case "any":
		return Any, nil
	case "string":
		return String, nil
	case "number":
		return Number, nil
	case "int":
		return Int, nil
	case "bool":
		return Bool, nil
	case "dataset":
		return Dataset, nil
	case "renderer":
		return Renderer, nil
	case "checkpoint":
		return Checkpoint, nil
	}
	for prefix, mk := range map[string]func(Type) Type{"list(": ListOf, "map(": MapOf} {
		if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, ")") {
			elem, err := ParseType(s[len(prefix) : len(s)-1])
			if err != nil {
				return Type{}, err
			}
			return mk(elem), nil
		}
	}
	return Type{}, fmt.Errorf("unknown type %q", s)
}

// Bound is one end of a numeric range.
type Bound struct {
	Value     float64
	Exclusive bool
}

// Field declares one stage input or one adapter config attribute.
type Field struct {
	Name string
	Type Type
	Doc  string // one sentence, shown by `cookbookc stages` / `adapters`

	Required bool
	// Default is the value used when the field is omitted: a string,
	// float64, int64, bool, []any or map[string]any matching Type; nil
	// means no default.
	Default any

	// Enum, when non-empty, lists the allowed string values.
	Enum []string
	// Min and Max bound numeric values.
	Min, Max *Bound

	// Sensitive fields hold secrets (API keys). Their values must come
	// from env(); check rejects literals, and plans keep references only.
	Sensitive bool
}

// Output declares one output of a stage kind.
type Output struct {
	Name string
	Type Type
	Doc  string
}

// AtLeast returns an inclusive lower bound.
func AtLeast(v float64) *Bound { return &Bound{Value: v} }

// Above returns an exclusive lower bound.
func Above(v float64) *Bound { return &Bound{Value: v, Exclusive: true} }

// AtMost returns an inclusive upper bound.
func AtMost(v float64) *Bound { return &Bound{Value: v} }

// Below returns an exclusive upper bound.
func Below(v float64) *Bound { return &Bound{Value: v, Exclusive: true} }

// InEnum reports whether s is allowed by the field's Enum (any string is
// when Enum is empty).
func (f *Field) InEnum(s string) bool {
	if len(f.Enum) == 0 {
		return true
	}
	for _, e := range f.Enum {
		if e == s {
			return true
		}
	}
	return false
}

// InRange reports whether n satisfies the field's Min and Max.
func (f *Field) InRange(n float64) bool {
	if f.Min != nil && (n < f.Min.Value || (f.Min.Exclusive && n == f.Min.Value)) {
		return false
	}
	if f.Max != nil && (n > f.Max.Value || (f.Max.Exclusive && n == f.Max.Value)) {
		return false
	}
	return true
}

// BoundsText describes the field's bounds, lower first, e.g. [">= 0",
// "< 1"]; nil when it has none. Diagnostics, `cookbookc stages` and
// SPEC.md's tables join the parts in their own way.
func (f *Field) BoundsText() []string {
	var parts []string
	if f.Min != nil {
		op := ">="
		if f.Min.Exclusive {
			op = ">"
		}
		parts = append(parts, op+" "+fmt.Sprint(f.Min.Value))
	}
	if f.Max != nil {
		op := "<="
		if f.Max.Exclusive {
			op = "<"
		}
		parts = append(parts, op+" "+fmt.Sprint(f.Max.Value))
	}
	return parts
}
