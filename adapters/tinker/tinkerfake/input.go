package tinkerfake

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// in reads a JSON request object; the first problem is kept in err and
// becomes a 400 naming the field.
type in struct {
	m   map[string]any
	err error
}

func parseObject(body []byte) (*in, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %v", err)
	}
	return &in{m: m}, nil
}

func (p *in) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

func (p *in) has(k string) bool { _, ok := p.m[k]; return ok }

func (p *in) str(k string) string {
	v, ok := p.m[k]
	if !ok {
		p.fail("%s is required", k)
		return ""
	}
	s, ok := v.(string)
	if !ok {
		p.fail("%s must be a string", k)
	}
	return s
}

func (p *in) optStr(k string) string {
	if !p.has(k) {
		return ""
	}
	return p.str(k)
}

func (p *in) num(k string) float64 {
	v, ok := p.m[k]
	if !ok {
		p.fail("%s is required", k)
		return 0
	}
	n, ok := v.(json.Number)
	if !ok {
		p.fail("%s must be a number", k)
		return 0
	}
	f, err := n.Float64()
	if err != nil {
		p.fail("%s: %v", k, err)
	}
	return f
}

func (p *in) integer(k string) int {
	f := p.num(k)
	if f != float64(int64(f)) {
		p.fail("%s must be an integer", k)
	}
	return int(f)
}

func (p *in) boolean(k string) bool {
	v, ok := p.m[k]
	if !ok {
		p.fail("%s is required", k)
		return false
	}
	b, ok := v.(bool)
	if !ok {
		p.fail("%s must be a boolean", k)
	}
	return b
}

func (p *in) object(k string) *in {
	v, ok := p.m[k].(map[string]any)
	if !ok {
		p.fail("%s must be an object", k)
		return &in{m: map[string]any{}}
	}
	return &in{m: v}
}

// typeIs checks the "type" discriminator the SDK always sends.
func (p *in) typeIs(want string) {
	if got := p.str("type"); got != want && p.err == nil {
		p.fail("type is %q, want %q", got, want)
	}
}

func toInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// modelInput parses {"chunks":[{"tokens":[...],"type":"encoded_text"}]}.
func modelInput(v any) (ports.ModelInput, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return ports.ModelInput{}, fmt.Errorf("model_input must be an object")
	}
	chunks, ok := obj["chunks"].([]any)
	if !ok || len(chunks) == 0 {
		return ports.ModelInput{}, fmt.Errorf("model_input.chunks must be a non-empty list")
	}
	var out ports.ModelInput
	for i, c := range chunks {
		co, ok := c.(map[string]any)
		if !ok || co["type"] != "encoded_text" {
			return out, fmt.Errorf("chunk %d: only encoded_text chunks are supported", i)
		}
		toks, ok := co["tokens"].([]any)
		if !ok || len(toks) == 0 {
			//lint:ignore ST1005 the service's own message (../shared/reference/tinker-protocol.md §3)
			return out, fmt.Errorf("Chunk %d has empty tokens list", i)
		}
		ch := ports.Chunk{Tokens: make([]int, len(toks))}
		for j, t := range toks {
			n, ok := toInt(t)
			if !ok || n < 0 {
				return out, fmt.Errorf("chunk %d token %d is not a token id", i, j)
			}
			ch.Tokens[j] = int(n)
		}
		out.Chunks = append(out.Chunks, ch)
	}
	return out, nil
}

// tensor parses {"data":[...],"dtype":"int64"|"float32","shape"?:[...]}.
func tensor(v any) (ports.TensorData, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return ports.TensorData{}, fmt.Errorf("tensor must be an object")
	}
	data, ok := obj["data"].([]any)
	if !ok {
		return ports.TensorData{}, fmt.Errorf("tensor data must be a list")
	}
	if _, sparse := obj["sparse_crow_indices"]; sparse {
		return ports.TensorData{}, fmt.Errorf("the fake does not take sparse tensors")
	}
	t := ports.TensorData{}
	dtype, _ := obj["dtype"].(string)
	switch dtype {
	case ports.Int64:
		t = ports.TensorData{DType: dtype, Ints: make([]int64, len(data))}
		for i, x := range data {
			n, ok := toInt(x)
			if !ok {
				return t, fmt.Errorf("int64 tensor element %d is not an integer", i)
			}
			t.Ints[i] = n
		}
	case ports.Float32:
		t = ports.TensorData{DType: dtype, Floats: make([]float32, len(data))}
		for i, x := range data {
			n, ok := x.(json.Number)
			f, err := n.Float64()
			if !ok || err != nil {
				return t, fmt.Errorf("float32 tensor element %d is not a number", i)
			}
			t.Floats[i] = float32(f)
		}
	default:
		return t, fmt.Errorf("dtype %q is not int64 or float32", dtype)
	}
	if sh, ok := obj["shape"]; ok {
		list, ok := sh.([]any)
		if !ok {
			return t, fmt.Errorf("shape must be a list")
		}
		size := 1
		for _, d := range list {
			n, ok := toInt(d)
			if !ok || n < 0 {
				return t, fmt.Errorf("bad shape")
			}
			t.Shape = append(t.Shape, int(n))
			size *= int(n)
		}
		if size != t.Len() {
			return t, fmt.Errorf("shape %v does not hold %d values", t.Shape, t.Len())
		}
	}
	return t, nil
}

// datums parses a list of Datum objects.
func datums(v any) ([]ports.Datum, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("data must be a non-empty list")
	}
	out := make([]ports.Datum, len(list))
	for i, x := range list {
		obj, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("datum %d must be an object", i)
		}
		mi, err := modelInput(obj["model_input"])
		if err != nil {
			return nil, fmt.Errorf("datum %d: %w", i, err)
		}
		inputs, ok := obj["loss_fn_inputs"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("datum %d: loss_fn_inputs must be an object", i)
		}
		out[i] = ports.Datum{ModelInput: mi, LossFnInputs: map[string]ports.TensorData{}}
		for k, tv := range inputs {
			t, err := tensor(tv)
			if err != nil {
				return nil, fmt.Errorf("datum %d loss_fn_inputs[%q]: %w", i, k, err)
			}
			out[i].LossFnInputs[k] = t
		}
	}
	return out, nil
}

// floatMap parses {str: number}.
func floatMap(v any) (map[string]float64, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be an object of numbers")
	}
	out := map[string]float64{}
	for k, x := range obj {
		n, ok := x.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil {
			return nil, fmt.Errorf("%s is not a number", k)
		}
		out[k] = f
	}
	return out, nil
}
