package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// Define returns a stage kind whose inputs decode into a C (its Config
// struct, see Decode) before run is called. Defaults, enums and bounds
// live once, in s: run gets every input with its default filled in and
// re-checks nothing the schema declares.
func Define[C any](s *schema.StageKind, run func(ctx context.Context, env *Env, cfg C) (Outputs, error)) Kind {
	return Kind{Schema: s, Config: reflect.TypeFor[C](), Impl: Func(func(ctx context.Context, env *Env) (Outputs, error) {
		var cfg C
		if err := Decode(env.Inputs, s, &cfg); err != nil {
			return nil, err
		}
		return run(ctx, env, cfg)
	})}
}

// Declare returns a kind that is part of the language but has no
// implementation in this build yet: its schema and the Config type its
// implementation will decode (checked against the schema like any other).
// Replace Declare by Define to implement it.
func Declare[C any](s *schema.StageKind) Kind {
	return Kind{Schema: s, Config: reflect.TypeFor[C]()}
}

// Decode fills dst, a pointer to a kind's Config struct, from a stage's
// resolved inputs. Each field tagged `input:"NAME"` receives input NAME;
// untagged embedded structs (the shared groups of fields.go) are walked
// the same way. An input the stage does not set takes the schema's
// default, or leaves the field's zero value (nil for pointers, which is
// how a Config tells "unset" from a zero value). Values are checked
// against the schema's enum and bounds too: the compiler guarantees them
// for plans it wrote, but a plan.json may have been edited by hand.
//
// Go field types by schema type: string -> a string kind; int -> an int
// kind; number -> float64; bool -> bool; dataset -> ir.Dataset; renderer
// -> RendererRef; checkpoint -> ports.Checkpoint; list(T) -> a slice of
// T's type; map(T) -> a map from string to T's type; any -> any. Any of
// them may be a pointer.
func Decode(in *Inputs, k *schema.StageKind, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("stage %s: decoding inputs needs a pointer to a struct, got %T", k.Name, dst)
	}
	fields, err := configFields(rv.Elem().Type())
	if err != nil {
		return fmt.Errorf("stage %s: %w", k.Name, err)
	}
	if in == nil {
		in = NewInputs(nil)
	}
	for name := range in.values {
		if _, ok := k.Input(name); !ok {
			return fmt.Errorf("input %q: %s has no such input", name, k.Name)
		}
	}
	for i := range k.Inputs {
		f := &k.Inputs[i]
		v, _ := in.Value(f.Name)
		if v == nil {
			v = f.Default
		}
		if v == nil {
			continue
		}
		if err := checkValue(f, v); err != nil {
			return fmt.Errorf("input %q: %w", f.Name, err)
		}
		cf, ok := fields[f.Name]
		if !ok {
			return fmt.Errorf("stage %s: input %q has no field in %s", k.Name, f.Name, rv.Elem().Type())
		}
		if err := assign(rv.Elem().FieldByIndex(cf.index), v); err != nil {
			return fmt.Errorf("input %q: %w", f.Name, err)
		}
	}
	return nil
}

// CheckConfig reports every disagreement between a kind's schema and the
// Config type its inputs decode into: an input without a field, a field
// naming no input, or a Go type that cannot hold the input's type.
func CheckConfig(k *schema.StageKind, t reflect.Type) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("%s: config type %s is not a struct", k.Name, t)
	}
	fields, err := configFields(t)
	if err != nil {
		return fmt.Errorf("%s: %w", k.Name, err)
	}
	var errs []error
	for _, f := range k.Inputs {
		cf, ok := fields[f.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: input %q (%s) has no field tagged input:%q in %s", k.Name, f.Name, f.Type, f.Name, t))
			continue
		}
		if !compatible(f.Type, cf.typ) {
			errs = append(errs, fmt.Errorf("%s: input %q is %s, but field %s is %s", k.Name, f.Name, f.Type, cf.path, cf.typ))
		}
	}
	for name, cf := range fields {
		if _, ok := k.Input(name); !ok {
			errs = append(errs, fmt.Errorf("%s: field %s names no input %q", k.Name, cf.path, name))
		}
	}
	return errors.Join(errs...)
}

// configField is where one input goes in a Config struct.
type configField struct {
	index []int
	typ   reflect.Type
	path  string // e.g. "Cadence.SaveEvery", for messages
}

var fieldCache sync.Map // reflect.Type -> map[string]configField

func configFields(t reflect.Type) (map[string]configField, error) {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]configField), nil
	}
	out := map[string]configField{}
	if err := walkFields(t, nil, "", out); err != nil {
		return nil, err
	}
	fieldCache.Store(t, out)
	return out, nil
}

func walkFields(t reflect.Type, index []int, prefix string, out map[string]configField) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		tag, tagged := f.Tag.Lookup("input")
		switch {
		case !tagged && f.Anonymous && f.Type.Kind() == reflect.Struct:
			if err := walkFields(f.Type, idx, prefix+f.Name+".", out); err != nil {
				return err
			}
		case !tagged:
			return fmt.Errorf("field %s%s of %s has no input tag", prefix, f.Name, t)
		case !f.IsExported():
			return fmt.Errorf("field %s%s of %s is not exported", prefix, f.Name, t)
		default:
			if prev, dup := out[tag]; dup {
				return fmt.Errorf("fields %s and %s%s both take input %q", prev.path, prefix, f.Name, tag)
			}
			out[tag] = configField{index: idx, typ: f.Type, path: prefix + f.Name}
		}
	}
	return nil
}

var (
	datasetType    = reflect.TypeFor[ir.Dataset]()
	rendererType   = reflect.TypeFor[RendererRef]()
	checkpointType = reflect.TypeFor[ports.Checkpoint]()
)

// compatible reports whether a Go field of type g can hold every value of
// schema type t (see Decode).
func compatible(t schema.Type, g reflect.Type) bool {
	if g.Kind() == reflect.Pointer {
		g = g.Elem()
	}
	switch t.Kind {
	case schema.KindAny:
		return g.Kind() == reflect.Interface && g.NumMethod() == 0
	case schema.KindString:
		return g.Kind() == reflect.String
	case schema.KindInt:
		switch g.Kind() {
		case reflect.Int, reflect.Int64:
			return true
		}
		return false
	case schema.KindNumber:
		return g.Kind() == reflect.Float64
	case schema.KindBool:
		return g.Kind() == reflect.Bool
	case schema.KindDataset:
		return g == datasetType
	case schema.KindRenderer:
		return g == rendererType
	case schema.KindCheckpoint:
		return g == checkpointType
	case schema.KindList:
		return g.Kind() == reflect.Slice && compatible(*t.Elem, g.Elem())
	case schema.KindMap:
		return g.Kind() == reflect.Map && g.Key().Kind() == reflect.String && compatible(*t.Elem, g.Elem())
	}
	return false
}

// checkValue checks a value against the field's enum and bounds.
func checkValue(f *schema.Field, v any) error {
	if s, ok := v.(string); ok && !f.InEnum(s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(f.Enum, ", "))
	}
	if f.Min == nil && f.Max == nil {
		return nil
	}
	if n, ok := toFloat(v); ok && !f.InRange(n) {
		return fmt.Errorf("%v is out of range: it must be %s", v, strings.Join(f.BoundsText(), " and "))
	}
	return nil
}

// assign stores v (a resolved input value: see Inputs) in dst.
func assign(dst reflect.Value, v any) error {
	if v == nil {
		return nil
	}
	t := dst.Type()
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		if err := assign(p.Elem(), v); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	}
	rv := reflect.ValueOf(v)
	switch t.Kind() {
	case reflect.Interface:
		if rv.Type().Implements(t) {
			dst.Set(rv)
			return nil
		}
	case reflect.String:
		if rv.Kind() == reflect.String {
			dst.SetString(rv.String())
			return nil
		}
	case reflect.Int, reflect.Int64:
		if n, ok := toInt(v); ok {
			if dst.OverflowInt(n) {
				return fmt.Errorf("%d does not fit in %s", n, t)
			}
			dst.SetInt(n)
			return nil
		}
	case reflect.Float64:
		if f, ok := toFloat(v); ok {
			dst.SetFloat(f)
			return nil
		}
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			dst.SetBool(b)
			return nil
		}
	case reflect.Slice:
		if rv.Kind() == reflect.Slice {
			out := reflect.MakeSlice(t, rv.Len(), rv.Len())
			for i := 0; i < rv.Len(); i++ {
				if err := assign(out.Index(i), rv.Index(i).Interface()); err != nil {
					return fmt.Errorf("element %d: %w", i, err)
				}
			}
			dst.Set(out)
			return nil
		}
	case reflect.Map:
		if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
			out := reflect.MakeMapWithSize(t, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				elem := reflect.New(t.Elem()).Elem()
				if err := assign(elem, it.Value().Interface()); err != nil {
					return fmt.Errorf("key %q: %w", it.Key().String(), err)
				}
				out.SetMapIndex(reflect.ValueOf(it.Key().String()).Convert(t.Key()), elem)
			}
			dst.Set(out)
			return nil
		}
	default:
		if rv.Type() == t {
			dst.Set(rv)
			return nil
		}
	}
	return fmt.Errorf("a %T cannot be decoded into %s", v, t)
}

// toInt converts a whole number to int64.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// toFloat converts a number to float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
