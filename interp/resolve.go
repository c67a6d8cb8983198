package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// typeCache memoises schema.ParseType: plans repeat a handful of types.
var typeCache sync.Map // string -> schema.Type

func parseType(s string) (schema.Type, error) {
	if t, ok := typeCache.Load(s); ok {
		return t.(schema.Type), nil
	}
	t, err := schema.ParseType(s)
	if err != nil {
		return schema.Type{}, err
	}
	typeCache.Store(s, t)
	return t, nil
}

// valueType returns the type a value is decoded as: its own Type, else
// the kind's declared input type, else any.
func valueType(v ir.Value, field *schema.Field) (schema.Type, error) {
	if v.Type != "" {
		return parseType(v.Type)
	}
	if field != nil {
		return field.Type, nil
	}
	return schema.Any, nil
}

// decodeTyped decodes a JSON value as typ: int as int64, number as
// float64, checkpoint as ports.Checkpoint, lists as []any and maps as
// map[string]any of decoded elements. An "any" value keeps JSON's shapes,
// with whole numbers written without a fraction or exponent as int64 and
// other numbers as float64.
func decodeTyped(raw json.RawMessage, typ schema.Type) (any, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	switch typ.Kind {
	case schema.KindString:
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case schema.KindBool:
		var b bool
		err := json.Unmarshal(raw, &b)
		return b, err
	case schema.KindInt:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, err
		}
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
		f, err := n.Float64()
		if err != nil || f != float64(int64(f)) {
			return nil, fmt.Errorf("%s is not a whole number", n)
		}
		return int64(f), nil
	case schema.KindNumber:
		var f float64
		err := json.Unmarshal(raw, &f)
		return f, err
	case schema.KindCheckpoint:
		var c ports.Checkpoint
		err := json.Unmarshal(raw, &c)
		return c, err
	case schema.KindDataset:
		var d ir.Dataset
		err := json.Unmarshal(raw, &d)
		return d, err
	case schema.KindRenderer:
		var name string
		if err := json.Unmarshal(raw, &name); err == nil {
			return stage.RendererRef{Name: name}, nil
		}
		var r ir.Renderer
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		return stage.RendererRef{Name: r.Name, Custom: &r}, nil
	case schema.KindList:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			v, err := decodeTyped(it, *typ.Elem)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case schema.KindMap:
		var items map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(items))
		for k, it := range items {
			v, err := decodeTyped(it, *typ.Elem)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	default:
		if v, ok := decodeSimple(raw); ok {
			return v, nil
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		return numbers(v), nil
	}
}

// decodeSimple decodes the common scalar literals of "any" values without
// a json.Decoder (which costs more than the rest of a noop stage).
func decodeSimple(raw json.RawMessage) (any, bool) {
	switch c := raw[0]; {
	case c == '"':
		if bytes.IndexByte(raw[1:], '\\') >= 0 {
			return nil, false
		}
		if len(raw) >= 2 && raw[len(raw)-1] == '"' {
			return string(raw[1 : len(raw)-1]), true
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
			return f, true
		}
	case bytes.Equal(raw, []byte("true")):
		return true, true
	case bytes.Equal(raw, []byte("false")):
		return false, true
	}
	return nil, false
}

// numbers replaces json.Number in a decoded "any" value.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if i, err := x.Int64(); err == nil {
				return i
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbers(x[k])
		}
	}
	return v
}

// outputsOf gives access to finished stages' outputs (JSON-encoded, so a
// dependent sees the same values whether its producer ran in this process
// or in an earlier attempt).
type outputsOf func(stageID string) (map[string]json.RawMessage, bool)

// resolveInputs builds a stage's input values.
func resolveInputs(p *ir.Plan, cat *catalog.Catalog, st *ir.Stage, secrets map[string]string, outs outputsOf, kindOf func(id string) string) (map[string]any, error) {
	kind := cat.Stages[st.Kind]
	values := make(map[string]any, len(st.Inputs))
	for name, v := range st.Inputs {
		var field *schema.Field
		if kind != nil {
			field, _ = kind.Input(name)
		}
		val, err := resolveValue(p, cat, v, field, secrets, outs, kindOf)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", name, err)
		}
		values[name] = val
	}
	return values, nil
}

func resolveValue(p *ir.Plan, cat *catalog.Catalog, v ir.Value, field *schema.Field, secrets map[string]string, outs outputsOf, kindOf func(id string) string) (any, error) {
	switch {
	case v.Secret != nil:
		s, ok := secrets[secretKey(v.Secret)]
		if !ok {
			return nil, fmt.Errorf("secret from %s was not resolved", describeSecret(v.Secret))
		}
		return s, nil
	case v.IsRef("dataset"):
		d, ok := p.Datasets[v.RefName()]
		if !ok {
			return nil, fmt.Errorf("%s: the plan has no such dataset", v.Ref)
		}
		return d, nil
	case v.IsRef("renderer"):
		name := v.RefName()
		if r, ok := p.Renderers[name]; ok {
			return stage.RendererRef{Name: name, Custom: &r}, nil
		}
		if _, ok := cat.Renderers[name]; ok {
			return stage.RendererRef{Name: name}, nil
		}
		return nil, fmt.Errorf("%s: no such renderer", v.Ref)
	case v.IsRef("stage"):
		id, output, ok := v.StageRef()
		if !ok {
			return nil, fmt.Errorf("malformed reference %q", v.Ref)
		}
		produced, ok := outs(id)
		if !ok {
			return nil, fmt.Errorf("%s: stage %q has not finished", v.Ref, id)
		}
		raw, ok := produced[output]
		if !ok {
			return nil, fmt.Errorf("%s: stage %q produced no output %q (it produced %s)", v.Ref, id, output, keyList(produced))
		}
		typ, err := refType(cat, v, field, kindOf(id), output)
		if err != nil {
			return nil, err
		}
		val, err := decodeTyped(raw, typ)
		if err != nil {
			return nil, fmt.Errorf("%s: decoding as %s: %w", v.Ref, typ, err)
		}
		return val, nil
	case v.Ref != "":
		return nil, fmt.Errorf("unknown reference %q", v.Ref)
	default:
		typ, err := valueType(v, field)
		if err != nil {
			return nil, err
		}
		val, err := decodeTyped(v.Value, typ)
		if err != nil {
			return nil, fmt.Errorf("decoding %s literal: %w", typ, err)
		}
		return val, nil
	}
}

// refType is the type a stage output reference decodes as: the
// consumer's type unless that is "any", then the producer's declared
// output type.
func refType(cat *catalog.Catalog, v ir.Value, field *schema.Field, producerKind, output string) (schema.Type, error) {
	typ, err := valueType(v, field)
	if err != nil || typ.Kind != schema.KindAny {
		return typ, err
	}
	if kind := cat.Stages[producerKind]; kind != nil {
		if out, ok := kind.Output(output); ok {
			return out.Type, nil
		}
	}
	return schema.Any, nil
}

func keyList(m map[string]json.RawMessage) string {
	if len(m) == 0 {
		return "nothing"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// secretKey identifies a secret reference (its env names and expression).
func secretKey(s *ir.SecretRef) string {
	return strings.Join(s.Env, ",") + "\x00" + s.Expr
}

// describeSecret names where a secret comes from, never its value.
func describeSecret(s *ir.SecretRef) string {
	if s.Expr != "" {
		return s.Expr
	}
	quoted := make([]string, len(s.Env))
	for i, e := range s.Env {
		quoted[i] = fmt.Sprintf("env(%q)", e)
	}
	return strings.Join(quoted, ", ")
}
