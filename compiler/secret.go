package compiler

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// ResolveSecret rebuilds a secret value at run time from the environment:
// getenv(NAME) for a bare env("NAME"), otherwise ref.Expr evaluated with
// env() reading getenv and the standard functions. Errors name the
// environment variables involved but never contain a value.
func ResolveSecret(ref *ir.SecretRef, getenv func(string) string) (string, error) {
	if ref == nil || len(ref.Env) == 0 {
		return "", fmt.Errorf("secret reference names no environment variable")
	}
	if ref.Expr == "" {
		v := getenv(ref.Env[0])
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set (or empty)", ref.Env[0])
		}
		return v, nil
	}
	for _, name := range ref.Env {
		if getenv(name) == "" {
			return "", fmt.Errorf("environment variable %s is not set (or empty)", name)
		}
	}
	if lang.CheckExpressionNesting([]byte(ref.Expr), "<secret>", hcl.InitialPos) != nil {
		return "", fmt.Errorf("secret from %v: the expression nests deeper than %d levels", ref.Env, lang.MaxNesting)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(ref.Expr), "<secret>", hcl.InitialPos)
	if diags.HasErrors() {
		return "", fmt.Errorf("secret from %v: invalid expression: %s", ref.Env, diags[0].Summary)
	}
	fns := baseFunctions()
	fns["env"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "name", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(getenv(args[0].AsString())), nil
		},
	})
	val, diags := expr.Value(&hcl.EvalContext{Functions: fns})
	if diags.HasErrors() {
		// Summaries never quote values; details might, so they are dropped.
		return "", fmt.Errorf("secret from %v: %s", ref.Env, diags[0].Summary)
	}
	if val.IsNull() || !val.IsKnown() {
		return "", fmt.Errorf("secret from %v: the expression has no value", ref.Env)
	}
	str, err := convertToString(val)
	if err != nil {
		return "", fmt.Errorf("secret from %v: %w", ref.Env, err)
	}
	return str, nil
}

func convertToString(v cty.Value) (string, error) {
	switch v.Type() {
	case cty.String:
		return v.AsString(), nil
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), nil
	case cty.Bool:
		if v.True() {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("the expression yields %s, not a string", diag.A(v.Type().FriendlyName()))
}
