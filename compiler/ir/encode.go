package ir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Encode returns the canonical JSON encoding of p: two-space indented,
// map keys sorted (encoding/json sorts them), a trailing newline. Equal
// plans encode to identical bytes.
func Encode(p *Plan) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encoding plan: %w", err)
	}
	return buf.Bytes(), nil
}

// Decode parses a plan and checks its version.
func Decode(data []byte) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding plan: %w", err)
	}
	if err := CheckVersion(p.IRVersion); err != nil {
		return nil, err
	}
	return &p, nil
}

// CheckVersion reports whether a plan written with IR version v can be read
// by this build.
func CheckVersion(v string) error {
	if v == "" {
		return fmt.Errorf("not a cookbookc plan: no ir_version")
	}
	major, _, _ := strings.Cut(v, ".")
	want, _, _ := strings.Cut(Version, ".")
	if major != want {
		return fmt.Errorf("plan has ir_version %q; this cookbookc reads version %s", v, Version)
	}
	return nil
}

// Stage returns the stage with the given ID.
func (p *Plan) Stage(id string) (*Stage, bool) {
	for i := range p.Stages {
		if p.Stages[i].ID == id {
			return &p.Stages[i], true
		}
	}
	return nil, false
}
