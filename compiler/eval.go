package compiler

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// secretMark marks values derived from env(). Such values are never
// known at compile time: env() returns an unknown string so that nothing
// can print, hash or store the secret; plans keep a SecretRef instead.
type secretMark struct{}

// Reference roots.
const (
	rootVar      = "var"
	rootLocal    = "local"
	rootDataset  = "dataset"
	rootRenderer = "renderer"
	rootStage    = "stage"
)

var allRoots = []string{rootDataset, rootLocal, rootRenderer, rootStage, rootVar}

// maxFileBytes bounds file(): recipes read small text (templates, prompts),
// never data sets, so check stays cheap.
const maxFileBytes = 1 << 20

// fileError is returned by the file functions so that their diagnostics
// get the right code.
type fileError struct {
	code diag.Code
	msg  string
}

func (e *fileError) Error() string { return e.msg }

// baseFunctions are the go-cty standard library functions available in
// every expression. Time functions that read the clock are left out so
// that compilation stays deterministic.
func baseFunctions() map[string]function.Function {
	return map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
		"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc, "parseint": stdlib.ParseIntFunc, "int": stdlib.IntFunc,
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "replace": stdlib.ReplaceFunc, "regex_replace": stdlib.RegexReplaceFunc,
		"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "strlen": stdlib.StrlenFunc,
		"substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "keys": stdlib.KeysFunc,
		"length": stdlib.LengthFunc, "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
		"range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc, "slice": stdlib.SliceFunc,
		"sort": stdlib.SortFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		"coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
		"chunklist": stdlib.ChunklistFunc, "setunion": stdlib.SetUnionFunc, "setintersection": stdlib.SetIntersectionFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"formatdate": stdlib.FormatDateFunc,
		"tostring":   stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	}
}

// envFunc is env(NAME) at compile time: a secret, unknown string.
var envFunc = function.New(&function.Spec{
	Description: "Reads an environment variable when the stage runs; the value is sensitive and never stored.",
	Params:      []function.Parameter{{Name: "name", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.UnknownVal(cty.String).Mark(secretMark{}), nil
	},
})

// functions returns the function table for a recipe in dir.
func functions(dir string) map[string]function.Function {
	fns := baseFunctions()
	fns["env"] = envFunc
	fns["file"] = function.New(&function.Spec{
		Description: "Reads a text file in the recipe directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, err := confinedPath(dir, args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			info, err := os.Stat(p)
			if err != nil {
				return cty.NilVal, &fileError{diag.FileNotFound, fmt.Sprintf("no file %q in the recipe directory", args[0].AsString())}
			}
			if info.Size() > maxFileBytes {
				return cty.NilVal, &fileError{diag.InvalidValue, fmt.Sprintf("%q is larger than %d bytes; file() is for small text files", args[0].AsString(), maxFileBytes)}
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return cty.NilVal, &fileError{diag.FileNotFound, fmt.Sprintf("cannot read %q", args[0].AsString())}
			}
			return cty.StringVal(string(data)), nil
		},
	})
	fns["fileexists"] = function.New(&function.Spec{
		Description: "Reports whether a file exists in the recipe directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, err := confinedPath(dir, args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			_, err = os.Stat(p)
			return cty.BoolVal(err == nil), nil
		},
	})
	return fns
}

// confinedPath resolves a relative path against dir and refuses anything
// that leaves dir, including through symbolic links.
func confinedPath(dir, rel string) (string, error) {
	outside := &fileError{diag.FileOutsideRecipe, fmt.Sprintf("%q is outside the recipe directory; file functions only read files beside the recipe", rel)}
	if filepath.IsAbs(rel) || rel == "" {
		return "", outside
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if !within(dir, p) {
		return "", outside
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		realDir, derr := filepath.EvalSymlinks(dir)
		if derr == nil && !within(realDir, real) {
			return "", outside
		}
	}
	return p, nil
}

func within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// codeFunctionErrors gives diagnostics of failed function calls the code
// their error carries, and everything else fallback.
func codeFunctionErrors(diags hcl.Diagnostics, fallback diag.Code) hcl.Diagnostics {
	for _, d := range diags {
		if x, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d); ok {
			var fe *fileError
			if errors.As(x.FunctionCallError(), &fe) {
				diag.WithCode(d, fe.code)
			}
		}
	}
	return diag.Classify(diags, fallback)
}

// isSecret reports whether v carries a value derived from env().
func isSecret(v cty.Value) bool {
	return v.HasMark(secretMark{}) || v.ContainsMarked()
}

// envNames returns the sorted names of the env("NAME") calls in expr and
// whether every call has a literal name.
func envNames(expr hcl.Expression) ([]string, bool) {
	syn, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil, false
	}
	seen := map[string]bool{}
	literal := true
	hclsyntax.VisitAll(syn, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "env" {
			return nil
		}
		if len(call.Args) != 1 {
			literal = false
			return nil
		}
		v, diags := call.Args[0].Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.Type() != cty.String || v.IsNull() {
			literal = false
			return nil
		}
		seen[v.AsString()] = true
		return nil
	})
	// Never nil: a SecretRef encodes no names as [], not null.
	names := append([]string{}, slices.Sorted(maps.Keys(seen))...)
	return names, literal
}

// directSecret builds the SecretRef for an expression that derives a
// secret from env() calls and literals only. It returns nil with a
// diagnostic when the expression also uses variables or locals (their
// SecretRefs are looked up by the caller) or names env variables
// dynamically.
func directSecret(expr hcl.Expression, src []byte) (*ir.SecretRef, *hcl.Diagnostic) {
	names, literal := envNames(expr)
	if !literal || len(names) == 0 || len(expr.Variables()) > 0 {
		return nil, diag.New(diag.UnsupportedExpr, expr.Range(), "Unsupported use of env()",
			"A value derived from env() may be used directly, or through one variable or local whose expression uses only env(), literals and functions; env() needs a literal variable name.")
	}
	if call, ok := expr.(*hclsyntax.FunctionCallExpr); ok && call.Name == "env" {
		return &ir.SecretRef{Env: names}, nil
	}
	r := expr.Range()
	text := ""
	if r.Start.Byte >= 0 && r.End.Byte <= len(src) && r.Start.Byte <= r.End.Byte {
		text = string(src[r.Start.Byte:r.End.Byte])
	}
	return &ir.SecretRef{Env: names, Expr: text}, nil
}
