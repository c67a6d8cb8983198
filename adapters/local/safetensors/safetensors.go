// Package safetensors reads and writes the safetensors format: an 8-byte
// little-endian header length, a JSON header mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
// the data section) plus an optional "__metadata__" string map, then the
// raw little-endian tensor bytes, packed in offset order with no holes.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
)

// Tensor is one named tensor with its raw little-endian bytes.
type Tensor struct {
	Name  string
	DType string // "F32", "F64", "I64", ...
	Shape []int
	Data  []byte
}

// File is a decoded safetensors file.
type File struct {
	Metadata map[string]string
	// Tensors in data-offset order.
	Tensors []Tensor
}

// Lookup returns the tensor with the given name.
func (f *File) Lookup(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

var dtypeSize = map[string]int{"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}

type entry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// Write encodes tensors (in the given order) and metadata to w. The header
// is padded with spaces to a multiple of 8 bytes so the data is aligned.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	off := 0
	for _, t := range tensors {
		if t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: tensor name %q is reserved", t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("safetensors: duplicate tensor %q", t.Name)
		}
		size, ok := dtypeSize[t.DType]
		if !ok {
			return fmt.Errorf("safetensors: tensor %q: unknown dtype %q", t.Name, t.DType)
		}
		n := 1
		for _, s := range t.Shape {
			n *= s
		}
		if n*size != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q: shape %v needs %d bytes, have %d", t.Name, t.Shape, n*size, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = entry{DType: t.DType, Shape: shape, DataOffsets: [2]int{off, off + len(t.Data)}}
		off += len(t.Data)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors: encode header: %w", err)
	}
	if pad := (8 - len(js)%8) % 8; pad > 0 {
		js = append(js, bytes.Repeat([]byte(" "), pad)...)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// maxHeader bounds the JSON header (the reference implementation uses
// 100 MB).
const maxHeader = 100 << 20

// Read decodes a whole safetensors file held in memory. Tensor data
// aliases buf.
func Read(buf []byte) (*File, error) {
	if len(buf) < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too short", len(buf))
	}
	hl := binary.LittleEndian.Uint64(buf[:8])
	if hl > maxHeader || hl > uint64(len(buf)-8) {
		return nil, fmt.Errorf("safetensors: header length %d is invalid for a file of %d bytes", hl, len(buf))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(buf[8:8+hl], &raw); err != nil {
		return nil, fmt.Errorf("safetensors: header: %w", err)
	}
	data := buf[8+hl:]
	f := &File{}
	type placed struct {
		t     Tensor
		begin int
	}
	var all []placed
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors: __metadata__: %w", err)
			}
			continue
		}
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		size, ok := dtypeSize[e.DType]
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q", name, e.DType)
		}
		n := 1
		for _, s := range e.Shape {
			if s < 0 || (s > 0 && n > math.MaxInt32/s) {
				return nil, fmt.Errorf("safetensors: tensor %q: bad shape %v", name, e.Shape)
			}
			n *= s
		}
		b, end := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || end < b || end > len(data) || end-b != n*size {
			return nil, fmt.Errorf("safetensors: tensor %q: offsets %v do not fit shape %v (%s) in %d data bytes", name, e.DataOffsets, e.Shape, e.DType, len(data))
		}
		all = append(all, placed{Tensor{Name: name, DType: e.DType, Shape: e.Shape, Data: data[b:end:end]}, b})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].begin != all[j].begin {
			return all[i].begin < all[j].begin
		}
		return all[i].t.Name < all[j].t.Name
	})
	// Tensors must tile the data section exactly.
	pos := 0
	for _, p := range all {
		if p.begin != pos {
			return nil, fmt.Errorf("safetensors: tensor %q starts at %d, expected %d (holes or overlaps)", p.t.Name, p.begin, pos)
		}
		pos += len(p.t.Data)
		f.Tensors = append(f.Tensors, p.t)
	}
	if pos != len(data) {
		return nil, fmt.Errorf("safetensors: %d trailing data bytes", len(data)-pos)
	}
	return f, nil
}

// F32Bytes encodes float32 values little-endian.
func F32Bytes(v []float32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out
}

// F64Bytes encodes float64 values little-endian.
func F64Bytes(v []float64) []byte {
	out := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(x))
	}
	return out
}

// Floats decodes an F32 or F64 tensor into float64 values.
func (t Tensor) Floats() ([]float64, error) {
	switch t.DType {
	case "F32":
		out := make([]float64, len(t.Data)/4)
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:])))
		}
		return out, nil
	case "F64":
		out := make([]float64, len(t.Data)/8)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("safetensors: tensor %q has dtype %s, want F32 or F64", t.Name, t.DType)
}
