package compiler

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// HCL evaluates eagerly and has no way to stop an evaluation, so a few
// lines can ask for unbounded work: three nested `for` expressions over
// range(1000) build a billion values, and locals that each repeat the
// previous one twice double a value's size per line. The checker must
// finish on any input, so it meters evaluation:
//
//   - every value that feeds work proportional to its size (the collection
//     of a `for`, function arguments, template parts, the operands of an
//     operator or a conditional) is measured and charged to a budget per
//     compilation, before that work happens, and so is every function
//     result;
//   - a variable, local or attribute whose value is larger than
//     maxValueUnits is refused, so no later step walks a huge value.
//
// Measuring stops at the budget left, so metering itself is bounded. Real
// recipes use a tiny fraction of both limits. In JSON-syntax files only
// function calls and value sizes are metered: the expressions inside their
// strings are built by the hcl library, out of reach of meterExpressions.
//
// Once the budget is spent, metered expressions fail at once; the loops
// around them still finish their iterations, but those were charged
// before they started, so the wasted work is bounded by the budget times
// the size of a loop body.
const (
	// evalBudgetUnits bounds the work of all expressions of a recipe.
	evalBudgetUnits = 1 << 18
	// maxValueUnits bounds the size of any one variable, local or
	// attribute value.
	maxValueUnits = 1 << 17
	// stringBytesPerUnit: strings are cheap per byte compared with a
	// collection element, so a unit covers several bytes.
	stringBytesPerUnit = 16
	// valuesBudgetUnits bounds the total size of all variable, local and
	// attribute values: each is walked a few times (size, secrets,
	// conversion), and one large local named by 40,000 others was walked
	// 40,000 times (a minute and more for a 750 KB recipe).
	valuesBudgetUnits = 1 << 19
)

// costSummary is the summary of the diagnostic of a spent budget.
const costSummary = "Expression too costly to evaluate"

// meter is the evaluation budget of one compilation.
type meter struct {
	left int
	// valuesLeft is what is left of valuesBudgetUnits; valuesSpent is
	// set once that was reported.
	valuesLeft  int
	valuesSpent bool
	// spent is the diagnostic every metered expression returns once the
	// budget is spent: one shared value, since the loops around a
	// failing expression may return it a million times.
	spent *hcl.Diagnostic
}

// charge takes v's size from the budget; false when the budget is spent.
func (m *meter) charge(v cty.Value) bool {
	m.left -= valueUnits(v, m.left)
	return m.left >= 0
}

// valueUnits measures v: one unit per value (elements, attributes and
// nested values included) plus one per stringBytesPerUnit bytes of string.
// It stops counting once the count exceeds limit.
func valueUnits(v cty.Value, limit int) int {
	n, _ := measure(v, limit)
	return n
}

// measure returns valueUnits and the depth of v's nesting (1 for a
// scalar). It does not descend below lang.MaxNesting+1 levels, so the
// walk's own recursion is bounded too; values that deep are refused
// (sizeOK), so the units below them need not be counted.
func measure(v cty.Value, limit int) (units, depth int) {
	n := 0
	var walk func(v cty.Value, level int)
	walk = func(v cty.Value, level int) {
		n++
		depth = max(depth, level)
		v, _ = v.Unmark()
		if n > limit || level > lang.MaxNesting || !v.IsKnown() || v.IsNull() {
			return
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			n += len(v.AsString()) / stringBytesPerUnit
		case ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType():
			for it := v.ElementIterator(); n <= limit && it.Next(); {
				_, e := it.Element()
				walk(e, level+1)
			}
		}
	}
	walk(v, 1)
	return n, depth
}

// metered is an expression whose value is charged to a meter. It embeds
// a ParenthesesExpr around the expression it wraps (hclsyntax nodes have
// unexported methods, so a wrapper must embed one): tree walks
// (hclsyntax.VisitAll, Variables) then still reach the wrapped expression
// itself, and its value and range are unchanged.
type metered struct {
	hclsyntax.Expression // a *hclsyntax.ParenthesesExpr
	inner                hclsyntax.Expression
	m                    *meter
}

// UnwrapExpression lets hcl.UnwrapExpression (and so hcl.ExprList,
// hcl.AbsTraversalForExpr, ...) see the wrapped expression.
func (e *metered) UnwrapExpression() hcl.Expression { return e.inner }

// Value evaluates the wrapped expression and charges its value.
func (e *metered) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if e.m.left >= 0 {
		v, diags := e.Expression.Value(ctx)
		if diags.HasErrors() || e.m.charge(v) {
			return v, diags
		}
	}
	if e.m.spent == nil {
		e.m.spent = diag.New(diag.EvalError, e.Range(), costSummary, costDetail)
	}
	return cty.DynamicVal, hcl.Diagnostics{e.m.spent}
}

var costDetail = fmt.Sprintf("Evaluating the recipe's expressions would take more than %d steps (for expressions, function calls and templates over large values); cookbookc stops here so that checking always finishes quickly.",
	evalBudgetUnits)

// errBudgetSpent is the error of a function called once the budget is
// spent, or whose arguments or result spend it.
var errBudgetSpent = errors.New("the evaluation budget is spent")

// meterFunctions returns fns with every call charged to m: the arguments
// before the call, the result after it (range(1000) in a loop builds a
// thousand values per iteration from a tiny argument). Calls also get
// plainPanic's error messages.
func meterFunctions(fns map[string]function.Function, m *meter) map[string]function.Function {
	out := make(map[string]function.Function, len(fns))
	for name, f := range fns {
		out[name] = function.New(&function.Spec{
			Description: f.Description(),
			Params:      f.Params(),
			VarParam:    f.VarParam(),
			Type:        f.ReturnTypeForValues,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				for _, a := range args {
					if !m.charge(a) {
						return cty.NilVal, errBudgetSpent
					}
				}
				v, err := f.Call(args)
				if err == nil && !m.charge(v) {
					return cty.NilVal, errBudgetSpent
				}
				return v, plainPanic(err)
			},
		})
	}
	return out
}

// meterExpressions wraps, in the syntax tree under node, the
// subexpressions whose values feed work proportional to their size
// (function calls are metered by meterFunctions). Literals are left
// alone: their size is bounded by the source.
func meterExpressions(node hclsyntax.Node, m *meter) {
	wrap := func(e *hclsyntax.Expression) {
		switch x := (*e).(type) {
		case nil, *hclsyntax.LiteralValueExpr:
		case *metered:
			x.m = m // a recipe compiled again
		default:
			paren := &hclsyntax.ParenthesesExpr{Expression: x, SrcRange: x.Range()}
			*e = &metered{Expression: paren, inner: x, m: m}
		}
	}
	hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		switch x := n.(type) {
		case *hclsyntax.ForExpr:
			wrap(&x.CollExpr)
		case *hclsyntax.TemplateExpr:
			for i := range x.Parts {
				wrap(&x.Parts[i])
			}
		case *hclsyntax.BinaryOpExpr:
			wrap(&x.LHS)
			wrap(&x.RHS)
		case *hclsyntax.ConditionalExpr:
			wrap(&x.TrueResult)
			wrap(&x.FalseResult)
		}
		return nil
	})
}

// sizeOK reports whether a variable, local or attribute value is small
// and shallow enough to use, reporting a diagnostic at rng when it is
// not. Every later pass over values (type checks, lowering, hashing,
// the plan's JSON) then works on bounded input: syntax nests at most
// lang.MaxNesting levels, but functions (jsondecode) and chains of
// locals can build deeper values.
func (c *compiler) sizeOK(v cty.Value, rng hcl.Range) bool {
	units, depth := 0, 0
	if c.meter.valuesLeft > 0 {
		units, depth = measure(v, min(maxValueUnits, c.meter.valuesLeft))
	}
	c.meter.valuesLeft -= units
	switch {
	case c.meter.valuesLeft <= 0:
		if !c.meter.valuesSpent {
			c.meter.valuesSpent = true
			c.errorf(diag.EvalError, rng, "Values too large in total",
				"The recipe's variables, locals and attributes hold more than %d values in total (a value named in several places counts each time); cookbookc stops here so that checking always finishes quickly.", valuesBudgetUnits)
		}
		return false
	case units > maxValueUnits:
		c.errorf(diag.EvalError, rng, "Value too large",
			"This value is larger than a recipe value may be (about %d elements, or %d MB of text); recipes hold settings, while data sets are read by the stages from their source.",
			maxValueUnits, maxValueUnits*stringBytesPerUnit>>20)
		return false
	case depth > lang.MaxNesting:
		// A value holding unknowns is built on a value refused earlier
		// (say the local it wraps): that was reported, this is refused
		// quietly, so one root cause stays one diagnostic.
		if v.IsWhollyKnown() {
			c.errorf(diag.EvalError, rng, "Value nested too deeply",
				"This value nests lists and objects more than %d levels deep; recipes hold settings, which need a few levels.", lang.MaxNesting)
		}
		return false
	}
	return true
}

// firstCostDiag keeps one diagnostic about the spent budget: once it is
// spent, every metered expression and function call still evaluated
// reports it again.
func (c *compiler) firstCostDiag() {
	first := false
	out := c.diags[:0]
	for _, d := range c.diags {
		call, isCall := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d)
		fromCall := isCall && errors.Is(call.FunctionCallError(), errBudgetSpent)
		if d == c.meter.spent || fromCall {
			if first {
				continue
			}
			first = true
			if fromCall {
				d.Summary, d.Detail = costSummary, costDetail
			}
		}
		out = append(out, d)
	}
	c.diags = out
}

// plainPanic replaces the error cty makes of a panicking function
// (log(-1, 10) panics on NaN), whose message carries a goroutine stack
// trace, with one sentence fit for a diagnostic.
func plainPanic(err error) error {
	var pe function.PanicError
	if errors.As(err, &pe) {
		return fmt.Errorf("no result can be computed for these arguments (%v)", pe.Value)
	}
	return err
}
