package compiler

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// typeName describes a cty value's type in diagnostics, in the catalog's
// vocabulary ("number", "string", "list", "object").
func typeName(v cty.Value) string {
	t := v.Type()
	switch {
	case t == cty.String:
		return "string"
	case t == cty.Number:
		if v.IsKnown() && !v.IsNull() {
			if bf := v.AsBigFloat(); bf.IsInt() {
				return "number " + bf.Text('f', -1)
			}
		}
		return "number"
	case t == cty.Bool:
		return "bool"
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		return "list"
	case t.IsMapType() || t.IsObjectType():
		return "object"
	case t == cty.DynamicPseudoType:
		return "dynamic"
	}
	return t.FriendlyName()
}

// fieldValue checks v against field f and converts it to a Go value
// (string, float64, int64, bool, []any, map[string]any). ok is false when a
// diagnostic was added. Unknown values (from variables with errors, or
// env()) pass with a nil result: their type is checked only when known.
func fieldValue(f *schema.Field, v cty.Value, rng hcl.Range, what string) (any, hcl.Diagnostics) {
	if v.IsNull() {
		return nil, hcl.Diagnostics{diag.New(diag.TypeMismatch, rng, "Null value for "+f.Name,
			fmt.Sprintf("%s %q must be %s, not null.", what, f.Name, diag.A(f.Type.String())))}
	}
	got, err := convertValue(f.Type, v, "")
	if err != nil {
		return nil, hcl.Diagnostics{diag.New(diag.TypeMismatch, rng, "Wrong type for "+f.Name,
			fmt.Sprintf("%s %q expects %s%s.", what, f.Name, f.Type, err.Error()))}
	}
	if got == nil {
		return nil, nil
	}
	return got, checkConstraints(f, got, rng, what)
}

// checkConstraints checks Enum, Min and Max.
func checkConstraints(f *schema.Field, got any, rng hcl.Range, what string) hcl.Diagnostics {
	if s, ok := got.(string); ok && len(f.Enum) > 0 {
		if f.InEnum(s) {
			return nil
		}
		return hcl.Diagnostics{diag.New(diag.NotInEnum, rng, "Invalid value for "+f.Name,
			fmt.Sprintf("%q is not a valid %s.%s Allowed values: %s.", s, f.Name, diag.DidYouMean(s, f.Enum), quoteList(f.Enum)))}
	}
	var n float64
	switch x := got.(type) {
	case float64:
		n = x
	case int64:
		n = float64(x)
	default:
		return nil
	}
	if !f.InRange(n) {
		return hcl.Diagnostics{diag.New(diag.OutOfRange, rng, "Value out of range for "+f.Name,
			fmt.Sprintf("%s %q must be %s; got %s.", what, f.Name, strings.Join(f.BoundsText(), " and "), fmt.Sprint(n)))}
	}
	return nil
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// convertValue converts v to the Go representation of type t. The error
// text completes "expects T" (", got X" or "; element 2 ...").
func convertValue(t schema.Type, v cty.Value, path string) (any, error) {
	if !v.IsKnown() {
		if v.Type() != cty.DynamicPseudoType && !typeCompatible(t, v.Type()) {
			return nil, fmt.Errorf("%s, got %s", at(path), typeName(v))
		}
		return nil, nil
	}
	if v.IsNull() {
		return nil, fmt.Errorf("%s, got null", at(path))
	}
	v, _ = v.Unmark()
	ty := v.Type()
	switch t.Kind {
	case schema.KindAny:
		x, err := anyValue(v)
		if err != nil {
			return nil, fmt.Errorf("%s, but %v", at(path), err)
		}
		return x, nil
	case schema.KindString, schema.KindCheckpoint:
		if ty == cty.String {
			return v.AsString(), nil
		}
	case schema.KindNumber:
		if ty == cty.Number {
			f, _ := v.AsBigFloat().Float64()
			if math.IsInf(f, 0) {
				return nil, fmt.Errorf("%s, got a number too large", at(path))
			}
			return f, nil
		}
	case schema.KindInt:
		if ty == cty.Number {
			bf := v.AsBigFloat()
			if !bf.IsInt() {
				return nil, fmt.Errorf("%s (a whole number), got %s", at(path), bf.Text('g', -1))
			}
			i, acc := bf.Int64()
			if acc != big.Exact {
				return nil, fmt.Errorf("%s, got an integer too large", at(path))
			}
			return i, nil
		}
	case schema.KindBool:
		if ty == cty.Bool {
			return v.True(), nil
		}
	case schema.KindList:
		if ty.IsListType() || ty.IsTupleType() || ty.IsSetType() {
			out := []any{}
			i := 0
			for it := v.ElementIterator(); it.Next(); i++ {
				_, ev := it.Element()
				x, err := convertValue(*t.Elem, ev, fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
			return out, nil
		}
	case schema.KindMap:
		if ty.IsMapType() || ty.IsObjectType() {
			out := map[string]any{}
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				x, err := convertValue(*t.Elem, ev, fmt.Sprintf("%s[%q]", path, k.AsString()))
				if err != nil {
					return nil, err
				}
				out[k.AsString()] = x
			}
			return out, nil
		}
	case schema.KindDataset, schema.KindRenderer:
		return nil, fmt.Errorf("%s (a reference such as %s.NAME), got %s", at(path), t, typeName(v))
	}
	return nil, fmt.Errorf("%s, got %s", at(path), typeName(v))
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return " at " + path
}

// typeCompatible reports whether a value of cty type ty could convert to t.
func typeCompatible(t schema.Type, ty cty.Type) bool {
	switch t.Kind {
	case schema.KindAny:
		return true
	case schema.KindString, schema.KindCheckpoint:
		return ty == cty.String
	case schema.KindNumber, schema.KindInt:
		return ty == cty.Number
	case schema.KindBool:
		return ty == cty.Bool
	case schema.KindList:
		return ty.IsListType() || ty.IsTupleType() || ty.IsSetType()
	case schema.KindMap:
		return ty.IsMapType() || ty.IsObjectType()
	}
	return false
}

// anyValue converts a cty value to plain Go data; a value that is not
// wholly known converts to nil.
func anyValue(v cty.Value) (any, error) {
	if !v.IsWhollyKnown() {
		return nil, nil
	}
	return knownValue(v)
}

// knownValue is anyValue for a wholly known value. It checks that once,
// at the top: checking every level of its own recursion walked each
// subtree again per level, quadratic in the depth (8,192 levels took 6 s).
func knownValue(v cty.Value) (any, error) {
	v, _ = v.Unmark()
	if v.IsNull() {
		return nil, nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			if i, acc := bf.Int64(); acc == big.Exact {
				return i, nil
			}
		}
		f, _ := bf.Float64()
		if math.IsInf(f, 0) {
			return nil, fmt.Errorf("the number is too large")
		}
		return f, nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			x, err := knownValue(ev)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			x, err := knownValue(ev)
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("values of type %s are not supported", ty.FriendlyName())
}

// catalogType returns the catalog name of a variable's cty type, for
// Plan.Variables.
func catalogType(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "string"
	case ty == cty.Number:
		return "number"
	case ty == cty.Bool:
		return "bool"
	case ty.IsListType() || ty.IsSetType():
		return "list(" + catalogType(ty.ElementType()) + ")"
	case ty.IsMapType():
		return "map(" + catalogType(ty.ElementType()) + ")"
	}
	return "any"
}

func fieldNames(fields []schema.Field) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}
