package stage

import (
	"encoding/json"
	"fmt"
	"math"
)

// CheckpointRecord is one line of a stage's checkpoints.jsonl (SPEC.md
// §11), with tinker-cookbook's keys
// (../shared/reference/cookbook-semantics.md §3.4): the checkpoint's name, where its training
// state and sampler weights were saved, and the loop position it resumes
// at (epoch, batch, step: the NEXT step to train). The final record sets
// Final. Renderer is the chat format the weights were trained with.
type CheckpointRecord struct {
	Name        string
	StatePath   string
	SamplerPath string
	Epoch       int
	Batch       int
	Step        int
	Final       bool
	Renderer    string
	// Extra holds further loop-state keys a kind records (tinker-cookbook
	// writes e.g. elapsed_tokens); they are written beside the known keys
	// and read back with numbers as float64.
	Extra map[string]any
}

// checkpointKeys are the JSON keys of CheckpointRecord's fields.
var checkpointKeys = map[string]bool{
	"name": true, "state_path": true, "sampler_path": true, "epoch": true,
	"batch": true, "step": true, "final": true, "renderer": true,
}

// MarshalJSON writes the record as one JSON object with its keys sorted
// (as encoding/json writes a map): name, epoch, batch and step always;
// state_path, sampler_path and renderer when set; final only when true.
func (r CheckpointRecord) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Extra)+8)
	for k, v := range r.Extra {
		if checkpointKeys[k] {
			return nil, fmt.Errorf("checkpoint record %q: extra key %q is a field of the record", r.Name, k)
		}
		if v != nil {
			m[k] = v
		}
	}
	m["name"], m["epoch"], m["batch"], m["step"] = r.Name, r.Epoch, r.Batch, r.Step
	if r.StatePath != "" {
		m["state_path"] = r.StatePath
	}
	if r.SamplerPath != "" {
		m["sampler_path"] = r.SamplerPath
	}
	if r.Final {
		m["final"] = true
	}
	if r.Renderer != "" {
		m["renderer"] = r.Renderer
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads a record written by MarshalJSON (or by
// tinker-cookbook: missing keys stay zero).
func (r *CheckpointRecord) UnmarshalJSON(data []byte) error {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*r = CheckpointRecord{}
	str := func(key string, dst *string) error {
		if v, ok := m[key]; ok && v != nil {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("checkpoint record: %s is %T, not a string", key, v)
			}
			*dst = s
		}
		return nil
	}
	num := func(key string, dst *int) error {
		if v, ok := m[key]; ok && v != nil {
			f, ok := v.(float64)
			if !ok || f != math.Trunc(f) {
				return fmt.Errorf("checkpoint record: %s is %v, not a whole number", key, v)
			}
			*dst = int(f)
		}
		return nil
	}
	for _, err := range []error{
		str("name", &r.Name), str("state_path", &r.StatePath), str("sampler_path", &r.SamplerPath), str("renderer", &r.Renderer),
		num("epoch", &r.Epoch), num("batch", &r.Batch), num("step", &r.Step),
	} {
		if err != nil {
			return err
		}
	}
	if v, ok := m["final"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("checkpoint record: final is %T, not a bool", v)
		}
		r.Final = b
	}
	for k, v := range m {
		if !checkpointKeys[k] {
			if r.Extra == nil {
				r.Extra = map[string]any{}
			}
			r.Extra[k] = v
		}
	}
	return nil
}
