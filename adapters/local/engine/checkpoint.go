package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/cookbookc/cookbookc/adapters/local/engine/kern"
	"github.com/cookbookc/cookbookc/adapters/local/safetensors"
)

// Checkpoint metadata keys (the safetensors "__metadata__" map).
const (
	metaFormat      = "format"
	formatVersion   = "cookbookc-local/1"
	metaConfig      = "config"
	metaLoRA        = "lora"
	metaFingerprint = "base_fingerprint"
	metaStep        = "step"
	metaLayout      = "layout"
)

func dtypeOf[T kern.Float]() string {
	if sizeOf[T]() == 4 {
		return "F32"
	}
	return "F64"
}

func encodeFloats[T kern.Float](v []T) []byte {
	var z T
	switch any(z).(type) {
	case float32:
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return safetensors.F32Bytes(f)
	}
	f := make([]float64, len(v))
	for i, x := range v {
		f[i] = float64(x)
	}
	return safetensors.F64Bytes(f)
}

func (m *Model[T]) meta() (map[string]string, error) {
	cfg, err := json.Marshal(m.Cfg)
	if err != nil {
		return nil, err
	}
	lora, err := json.Marshal(m.LoRA)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		metaFormat: formatVersion, metaConfig: string(cfg), metaLoRA: string(lora),
		metaFingerprint: m.Fingerprint(), metaStep: strconv.Itoa(m.opt.step),
		metaLayout: "projection weights are stored in×out (y = x·W); wte is tied to the unembedding",
	}, nil
}

// WriteWeights writes the trainable weights as safetensors: every base
// tensor for full fine-tuning, or the LoRA tensors (the base is rebuilt
// from the config's seed on load and checked against base_fingerprint).
func (m *Model[T]) WriteWeights(w io.Writer) error {
	meta, err := m.meta()
	if err != nil {
		return err
	}
	ps := m.Trainable()
	ts := make([]safetensors.Tensor, 0, len(ps.Tensors))
	for _, t := range ps.Tensors {
		ts = append(ts, safetensors.Tensor{Name: t.Name, DType: dtypeOf[T](), Shape: t.Shape, Data: encodeFloats(ps.Data[t.Off : t.Off+t.Size()])})
	}
	return safetensors.Write(w, ts, meta)
}

// WriteOptimizer writes the AdamW moments ("adam_m.NAME", "adam_v.NAME")
// and the step count.
func (m *Model[T]) WriteOptimizer(w io.Writer) error {
	meta, err := m.meta()
	if err != nil {
		return err
	}
	ps := m.Trainable()
	ts := make([]safetensors.Tensor, 0, 2*len(ps.Tensors))
	for _, pre := range []struct {
		name string
		v    []T
	}{{"adam_m.", m.opt.m}, {"adam_v.", m.opt.v}} {
		for _, t := range ps.Tensors {
			ts = append(ts, safetensors.Tensor{Name: pre.name + t.Name, DType: dtypeOf[T](), Shape: t.Shape, Data: encodeFloats(pre.v[t.Off : t.Off+t.Size()])})
		}
	}
	return safetensors.Write(w, ts, meta)
}

// LoadWeights builds a model from a file written by WriteWeights.
func LoadWeights[T kern.Float](buf []byte, pool *kern.Pool) (*Model[T], error) {
	f, err := safetensors.Read(buf)
	if err != nil {
		return nil, err
	}
	if f.Metadata[metaFormat] != formatVersion {
		return nil, fmt.Errorf("not a local-backend checkpoint (format %q, want %q)", f.Metadata[metaFormat], formatVersion)
	}
	var cfg Config
	var lora LoRA
	if err := json.Unmarshal([]byte(f.Metadata[metaConfig]), &cfg); err != nil {
		return nil, fmt.Errorf("checkpoint config: %w", err)
	}
	if err := json.Unmarshal([]byte(f.Metadata[metaLoRA]), &lora); err != nil {
		return nil, fmt.Errorf("checkpoint lora: %w", err)
	}
	m, err := New[T](cfg, lora, pool)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if err := fill(f, "", m.Trainable().Tensors, m.Trainable().Data); err != nil {
		return nil, err
	}
	if fp := f.Metadata[metaFingerprint]; fp != m.Fingerprint() {
		return nil, fmt.Errorf("checkpoint was saved over base weights %s but %s rebuilds %s", fp, cfg.Name, m.Fingerprint())
	}
	return m, nil
}

// LoadOptimizer restores the AdamW state written by WriteOptimizer.
func (m *Model[T]) LoadOptimizer(buf []byte) error {
	f, err := safetensors.Read(buf)
	if err != nil {
		return err
	}
	step, err := strconv.Atoi(f.Metadata[metaStep])
	if err != nil || step < 0 {
		return fmt.Errorf("optimizer state: step %q is not a step count", f.Metadata[metaStep])
	}
	ps := m.Trainable()
	if err := fill(f, "adam_m.", ps.Tensors, m.opt.m); err != nil {
		return err
	}
	if err := fill(f, "adam_v.", ps.Tensors, m.opt.v); err != nil {
		return err
	}
	m.opt.step = step
	return nil
}

func fill[T kern.Float](f *safetensors.File, prefix string, tensors []Tensor, dst []T) error {
	for _, t := range tensors {
		st, ok := f.Lookup(prefix + t.Name)
		if !ok {
			return fmt.Errorf("checkpoint has no tensor %q", prefix+t.Name)
		}
		if len(st.Shape) != len(t.Shape) {
			return fmt.Errorf("checkpoint tensor %q has shape %v, want %v", st.Name, st.Shape, t.Shape)
		}
		for i := range t.Shape {
			if st.Shape[i] != t.Shape[i] {
				return fmt.Errorf("checkpoint tensor %q has shape %v, want %v", st.Name, st.Shape, t.Shape)
			}
		}
		v, err := st.Floats()
		if err != nil {
			return err
		}
		d := dst[t.Off : t.Off+t.Size()]
		for i, x := range v {
			d[i] = T(x)
		}
	}
	return nil
}
