package ir

import (
	"encoding/json"
	"strings"
)

// Value is a typed stage input or adapter config value. Exactly one of
// Value, Ref and Secret is set.
type Value struct {
	// Type is the catalog type of the value, e.g. "string", "number",
	// "int", "bool", "list(string)", "map(number)", "dataset", "renderer",
	// "checkpoint", "any".
	Type string `json:"type"`

	// Value is the literal, JSON-encoded.
	Value json.RawMessage `json:"value,omitempty"`

	// Ref is a reference resolved when the stage runs:
	// "dataset.NAME", "renderer.NAME" (built-in or custom) or
	// "stage.ID.OUTPUT".
	Ref string `json:"ref,omitempty"`

	// Secret marks a value that came from env(); the plan keeps only
	// where to find it.
	Secret *SecretRef `json:"secret,omitempty"`
}

// SecretRef says how to rebuild a sensitive value at run time.
type SecretRef struct {
	// Env lists the environment variables the value is derived from.
	Env []string `json:"env"`
	// Expr is the HCL expression that derives the value from those
	// variables when it is more than a bare env("NAME"); empty otherwise.
	Expr string `json:"expr,omitempty"`
}

// Literal builds a literal Value of type typ from a Go value.
func Literal(typ string, v any) (Value, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return Value{}, err
	}
	return Value{Type: typ, Value: raw}, nil
}

// IsRef reports whether v is a reference of the given root
// ("dataset", "renderer" or "stage").
func (v Value) IsRef(root string) bool {
	return strings.HasPrefix(v.Ref, root+".")
}

// StageRef splits a "stage.ID.OUTPUT" reference. ok is false for any other
// kind of value.
func (v Value) StageRef() (id, output string, ok bool) {
	if !v.IsRef("stage") {
		return "", "", false
	}
	parts := strings.SplitN(v.Ref, ".", 3)
	if len(parts) != 3 {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// RefName returns NAME for "dataset.NAME" and "renderer.NAME" references.
func (v Value) RefName() string {
	_, name, _ := strings.Cut(v.Ref, ".")
	return name
}
