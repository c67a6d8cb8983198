package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// variable is a `variable` block and its final value.
type variable struct {
	name        string
	block       *hcl.Block
	typ         cty.Type
	def         *hcl.Attribute
	validations []*hcl.Block
	value       cty.Value
	secret      *ir.SecretRef
	used        bool
}

// local is one attribute of a `locals` block.
type local struct {
	name     string
	attr     *hcl.Attribute
	value    cty.Value
	secret   *ir.SecretRef
	done     bool
	visiting bool
	// failed marks a local with an error, or built on one: locals that
	// use it are not evaluated (their problem is the one reported).
	failed bool
}

// cmdLineRange is the range of diagnostics about command-line values.
var cmdLineRange = hcl.Range{Filename: "<command-line>", Start: hcl.InitialPos, End: hcl.InitialPos}

func (c *compiler) declareVariables(blocks []*hcl.Block) {
	seen := map[string]*hcl.Block{}
	for _, b := range blocks {
		if !c.declared(b, "variable", seen) {
			continue
		}
		v := &variable{name: b.Labels[0], block: b, typ: cty.DynamicPseudoType, value: cty.DynamicVal}
		content, diags := b.Body.Content(lang.VariableSchema)
		c.addAll(diag.Classify(diags, diag.UnknownAttribute))
		if a, ok := content.Attributes["type"]; ok {
			ty, tdiags := typeexpr.TypeConstraint(a.Expr)
			c.addAll(diag.Classify(tdiags, diag.InvalidValue))
			if !tdiags.HasErrors() {
				v.typ = ty
			}
		}
		v.def = content.Attributes["default"]
		for _, vb := range content.Blocks {
			v.validations = append(v.validations, vb)
		}
		c.vars[v.name] = v
		c.varOrder = append(c.varOrder, v.name)
	}
	for _, name := range slices.Sorted(maps.Keys(c.opts.Vars)) {
		if _, ok := c.vars[name]; !ok {
			c.errorf(diag.BadVarFlag, cmdLineRange, "Unknown variable "+name,
				"--var %s=... names no variable declared in the recipe.%s", name, diag.DidYouMean(name, slices.Sorted(maps.Keys(c.vars))))
		}
	}
}

func (c *compiler) declareLocals(blocks []*hcl.Block) {
	for _, b := range blocks {
		attrs, diags := b.Body.JustAttributes()
		c.addAll(diag.Classify(diags, diag.UnknownBlock))
		names := slices.Sorted(maps.Keys(attrs))
		for _, n := range names {
			a := attrs[n]
			if prev, dup := c.locals[n]; dup {
				c.errorf(diag.Duplicate, a.NameRange, "Duplicate local "+n, "A local named %q is already defined at %s.", n, prev.attr.NameRange)
				continue
			}
			c.locals[n] = &local{name: n, attr: a, value: cty.DynamicVal}
		}
	}
}

// evalVariables gives every variable its value: --var, else default.
func (c *compiler) evalVariables() {
	values := map[string]cty.Value{}
	for _, name := range c.varOrder {
		v := c.vars[name]
		c.evalVariable(v)
		values[name] = v.value
	}
	c.ctx.Variables[rootVar] = cty.ObjectVal(values)
	// Validations see only their own variable's final value.
	for _, name := range c.varOrder {
		c.validateVariable(c.vars[name])
	}
}

func (c *compiler) evalVariable(v *variable) {
	raw, fromFlag := c.opts.Vars[v.name]
	var val cty.Value
	var rng hcl.Range
	switch {
	case fromFlag:
		rng = cmdLineRange
		if v.typ == cty.String || v.typ == cty.DynamicPseudoType {
			val = cty.StringVal(raw)
			break
		}
		if deep := lang.CheckExpressionNesting([]byte(raw), "<var "+v.name+">", hcl.InitialPos); deep != nil {
			c.errorf(diag.BadVarFlag, cmdLineRange, "Invalid value for variable "+v.name,
				"--var %s=...: the value nests deeper than %d levels.", v.name, lang.MaxNesting)
			return
		}
		expr, diags := hclsyntax.ParseExpression([]byte(raw), "<var "+v.name+">", hcl.InitialPos)
		if !diags.HasErrors() {
			meterExpressions(expr, &c.meter)
			val, diags = expr.Value(&hcl.EvalContext{Functions: meterFunctions(baseFunctions(), &c.meter)})
		}
		if diags.HasErrors() {
			c.errorf(diag.BadVarFlag, cmdLineRange, "Invalid value for variable "+v.name,
				"--var %s=...: the value is not a valid %s expression.", v.name, typeexpr.TypeString(v.typ))
			return
		}
	case v.def != nil:
		rng = v.def.Expr.Range()
		if !c.checkRefs(v.def.Expr, "a variable default") {
			return
		}
		var diags hcl.Diagnostics
		val, diags = v.def.Expr.Value(c.ctx)
		c.addAll(codeFunctionErrors(diags, diag.EvalError))
		if diags.HasErrors() {
			return
		}
		if isSecret(val) {
			ref, d := directSecret(v.def.Expr, c.source(rng))
			if d != nil {
				c.add(d)
				return
			}
			v.secret = ref
		}
	default:
		c.errorf(diag.MissingAttribute, v.block.DefRange, "No value for variable "+v.name,
			"Variable %q has no default; set one or pass --var %s=VALUE.", v.name, v.name)
		return
	}
	if !c.sizeOK(val, rng) {
		return
	}
	conv, err := convert.Convert(val, v.typ)
	if err != nil {
		c.errorf(diag.TypeMismatch, rng, "Wrong type for variable "+v.name,
			"Variable %q is declared as %s: %s.", v.name, typeexpr.TypeString(v.typ), err.Error())
		return
	}
	v.value = conv
}

func (c *compiler) validateVariable(v *variable) {
	if !v.value.IsWhollyKnown() {
		return
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{rootVar: cty.ObjectVal(map[string]cty.Value{v.name: v.value})}, Functions: c.funcs}
	for _, vb := range v.validations {
		content, diags := vb.Body.Content(lang.ValidationSchema)
		c.addAll(diag.Classify(diags, diag.UnknownAttribute))
		cond, ok := content.Attributes["condition"]
		if !ok {
			continue
		}
		bad := false
		for _, t := range cond.Expr.Variables() {
			if t.RootName() != rootVar || len(t) < 2 || attrName(t[1]) != v.name {
				c.errorf(diag.InvalidRef, t.SourceRange(), "Invalid reference in validation",
					"A validation condition may only refer to its own variable, var.%s.", v.name)
				bad = true
			}
		}
		if bad {
			continue
		}
		res, diags := cond.Expr.Value(ctx)
		c.addAll(codeFunctionErrors(diags, diag.EvalError))
		if diags.HasErrors() || !res.IsKnown() {
			continue
		}
		if res.Type() != cty.Bool || res.IsNull() {
			c.errorf(diag.TypeMismatch, cond.Expr.Range(), "Condition is not a bool", "A validation condition must be true or false; got %s.", typeName(res))
			continue
		}
		if res.True() {
			continue
		}
		msg := "The value does not satisfy the validation condition."
		if m, ok := content.Attributes["error_message"]; ok {
			if s, ok := lang.StaticString(m.Expr); ok {
				msg = s
			}
		}
		subject := v.block.DefRange
		if _, fromFlag := c.opts.Vars[v.name]; fromFlag {
			subject = cmdLineRange
		} else if v.def != nil {
			subject = v.def.Expr.Range()
		}
		c.errorf(diag.VarValidation, subject, "Invalid value for variable "+v.name, "%s", msg)
	}
}

// evalLocals evaluates every local, each after the locals it uses.
func (c *compiler) evalLocals() {
	for _, name := range slices.Sorted(maps.Keys(c.locals)) {
		c.evalLocal(c.locals[name], nil)
	}
	c.ctx.Variables[rootLocal] = c.localObject()
}

func (c *compiler) localObject() cty.Value {
	values := make(map[string]cty.Value, len(c.locals))
	for n, l := range c.locals {
		values[n] = l.value
	}
	return cty.ObjectVal(values)
}

// localContext is the evaluation context of a local's expression: local
// holds only the locals it refers to. Building the object of every local
// for each local made checking quadratic in their number (4,000 locals
// took 20 s).
func (c *compiler) localContext(expr hcl.Expression) *hcl.EvalContext {
	used := map[string]cty.Value{}
	for _, t := range expr.Variables() {
		if t.RootName() == rootLocal && len(t) > 1 {
			if dep, ok := c.locals[attrName(t[1])]; ok {
				used[dep.name] = dep.value
			}
		}
	}
	ctx := c.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{rootLocal: cty.ObjectVal(used)}
	return ctx
}

func (c *compiler) evalLocal(l *local, stack []*local) {
	if l.done {
		return
	}
	if l.visiting {
		// Report the cycle once, at the local that closes it.
		start := 0
		for i, s := range stack {
			if s == l {
				start = i
			}
		}
		path := []string{}
		for _, s := range stack[start:] {
			path = append(path, "local."+s.name)
		}
		path = append(path, "local."+l.name)
		c.errorf(diag.Cycle, stack[len(stack)-1].attr.Expr.Range(), "Dependency cycle between locals",
			"The locals depend on each other in a cycle: %s.", strings.Join(path, " -> "))
		for _, s := range stack[start:] {
			s.done, s.failed = true, true
		}
		return
	}
	l.visiting = true
	var deps []*local
	for _, t := range l.attr.Expr.Variables() {
		if t.RootName() == rootLocal && len(t) > 1 {
			if dep, ok := c.locals[attrName(t[1])]; ok {
				c.evalLocal(dep, append(stack, l))
				deps = append(deps, dep)
			}
		}
	}
	l.visiting = false
	if l.done {
		return // part of a reported cycle
	}
	l.done, l.failed = true, true // until its value is good
	if !c.checkRefs(l.attr.Expr, "a local") {
		return
	}
	for _, dep := range deps {
		if dep.failed {
			return
		}
	}
	val, diags := l.attr.Expr.Value(c.localContext(l.attr.Expr))
	c.addAll(codeFunctionErrors(diags, diag.EvalError))
	if diags.HasErrors() || !c.sizeOK(val, l.attr.Expr.Range()) {
		return
	}
	if isSecret(val) {
		ref, d := c.secretRef(l.attr.Expr)
		if d != nil {
			c.add(d)
			return
		}
		l.secret = ref
	}
	l.value, l.failed = val, false
}

// secretRef returns the SecretRef of a secret expression: the one of the
// variable or local it names, or one built from its own env() calls.
func (c *compiler) secretRef(expr hcl.Expression) (*ir.SecretRef, *hcl.Diagnostic) {
	if t, diags := hcl.AbsTraversalForExpr(expr); !diags.HasErrors() && len(t) == 2 {
		name := attrName(t[1])
		switch t.RootName() {
		case rootVar:
			if v, ok := c.vars[name]; ok && v.secret != nil {
				return v.secret, nil
			}
		case rootLocal:
			if l, ok := c.locals[name]; ok && l.secret != nil {
				return l.secret, nil
			}
		}
	}
	return directSecret(expr, c.source(expr.Range()))
}

func attrName(t hcl.Traverser) string {
	if a, ok := t.(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// checkRefs validates every reference in expr for a value context
// (where): var.NAME and local.NAME must exist; dataset, renderer and stage
// references are only allowed as a stage input's whole value (handled by
// the caller before this) and variable defaults refer to nothing. It marks
// variables used and returns false when it reported a problem.
func (c *compiler) checkRefs(expr hcl.Expression, where string) bool {
	ok := true
	for _, t := range expr.Variables() {
		root := t.RootName()
		rng := t.SourceRange()
		switch root {
		case rootVar, rootLocal:
			if where == "a variable default" {
				c.errorf(diag.InvalidRef, rng, "Reference in a variable default",
					"A variable's default must be a constant (env() and functions are allowed); it cannot refer to %s.", root+".*")
				ok = false
				continue
			}
			if len(t) < 2 || attrName(t[1]) == "" {
				c.errorf(diag.InvalidRef, rng, "Invalid reference", "Write %s.NAME to refer to a %s.", root, longRoot(root))
				ok = false
				continue
			}
			name := attrName(t[1])
			if root == rootVar {
				if v, found := c.vars[name]; found {
					v.used = true
					continue
				}
				c.errorf(diag.UndefinedRef, rng, "Undefined variable "+name,
					"No variable %q is declared.%s", name, diag.DidYouMean(name, slices.Sorted(maps.Keys(c.vars))))
			} else {
				if _, found := c.locals[name]; found {
					continue
				}
				c.errorf(diag.UndefinedRef, rng, "Undefined local "+name,
					"No local %q is defined.%s", name, diag.DidYouMean(name, slices.Sorted(maps.Keys(c.locals))))
			}
			ok = false
		case rootDataset, rootRenderer, rootStage:
			c.errorf(diag.UnsupportedExpr, rng, "Reference not allowed here",
				"A %s reference can only be the whole value of a stage input (e.g. dataset = dataset.chat), not part of %s.", root, where)
			ok = false
		default:
			c.errorf(diag.UndefinedRef, rng, "Unknown reference "+root,
				"%q is not a reference root; references start with var., local., dataset., renderer. or stage..%s", root, diag.DidYouMean(root, allRoots))
			ok = false
		}
	}
	return ok
}

func longRoot(root string) string {
	if root == rootVar {
		return "variable"
	}
	return root
}

// evalValue checks references and evaluates expr; ok is false when a
// diagnostic was reported (the value is then cty.DynamicVal).
func (c *compiler) evalValue(expr hcl.Expression, where string) (cty.Value, bool) {
	if !c.checkRefs(expr, where) {
		return cty.DynamicVal, false
	}
	val, diags := expr.Value(c.ctx)
	c.addAll(codeFunctionErrors(diags, diag.EvalError))
	if diags.HasErrors() || !c.sizeOK(val, expr.Range()) {
		return cty.DynamicVal, false
	}
	return val, true
}

func (c *compiler) warnUnusedVariables() {
	for _, name := range c.varOrder {
		v := c.vars[name]
		if !v.used {
			c.warnf(diag.UnusedVariable, v.block.DefRange, "Unused variable "+name,
				"Variable %q is declared but nothing refers to it; remove it or use var.%s.", name, name)
		}
	}
}

// valueOf lowers a checked value to an IR value of catalog type typ.
func irLiteral(typ string, v any) ir.Value {
	val, err := ir.Literal(typ, v)
	if err != nil {
		// v is plain data built by convertValue; it always marshals.
		panic(fmt.Sprintf("compiler: cannot encode %T: %v", v, err))
	}
	return val
}
