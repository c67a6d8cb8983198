package template

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// node is one element of the checked template tree: textNode, outputNode
// or ifNode.
type node interface{ isNode() }

type textNode struct{ text string }

type outputNode struct {
	e *cexpr
	// literal is true when the expression uses no variable, i.e. the
	// text it produces was written in the template.
	literal bool
}

type branch struct {
	cond *cexpr
	body []node
}

type ifNode struct {
	branches []branch
	elseBody []node
}

func (textNode) isNode()   {}
func (outputNode) isNode() {}
func (*ifNode) isNode()    {}

type opcode int

const (
	opConst opcode = iota
	opVar
	opFilter
	opNot
	opAnd
	opOr
	opEq
	opNe
)

// cexpr is a checked expression with its static type.
type cexpr struct {
	op   opcode
	typ  Type
	val  value
	name string // variable or filter name
	args []*cexpr
}

// filters maps a filter name to its function; every filter takes and
// returns a string.
var filters = map[string]func(string) string{
	"trim":       strings.TrimSpace,
	"trim_start": func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) },
	"trim_end":   func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) },
	"upper":      strings.ToUpper,
	"lower":      strings.ToLower,
	"capitalize": func(s string) string {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 {
			return s
		}
		return string(unicode.ToUpper(r)) + s[size:]
	},
	"json": jsonQuote,
}

// FilterNames returns the filter names, sorted.
func FilterNames() []string {
	return slices.Sorted(maps.Keys(filters))
}

type builder struct {
	filename  string
	pos       PosFunc
	src       string
	uses      map[string]bool
	contentAt int
	top       []node
	diags     hcl.Diagnostics
}

func (b *builder) rng(start, end int) hcl.Range {
	if end <= start {
		end = start + 1
	}
	if end > len(b.src) {
		end = len(b.src)
	}
	if start > len(b.src) {
		start = len(b.src)
	}
	return hcl.Range{Filename: b.filename, Start: b.pos(start), End: b.pos(end)}
}

func (b *builder) errorAt(code diag.Code, start, end int, summary, detail string) {
	b.diags = append(b.diags, diag.New(code, b.rng(start, end), summary, detail))
}

// syntaxError converts a participle error into a diagnostic at the exact
// position of the offending token.
func (b *builder) syntaxError(err error) *hcl.Diagnostic {
	offset, length, msg := len(b.src), 1, err.Error()
	var perr participle.Error
	if errors.As(err, &perr) {
		offset, msg = perr.Position().Offset, perr.Message()
	}
	var unexpected *participle.UnexpectedTokenError
	if errors.As(err, &unexpected) && !unexpected.Unexpected.EOF() {
		length = len(unexpected.Unexpected.Value)
	}
	switch {
	case strings.Contains(msg, "unexpected token \"<EOF>\""):
		msg = "unexpected end of template (an action {{ ... }} is not closed)"
	case strings.Contains(msg, "invalid input text"):
		r, _ := utf8.DecodeRuneInString(b.src[min(offset, len(b.src)):])
		length = max(utf8.RuneLen(r), 1)
		msg = fmt.Sprintf("unexpected character %q inside {{ }}: actions hold variables, \"strings\", integers, ==, !=, and, or, not, parentheses and | filters", r)
	}
	return diag.New(diag.TemplateSyntax, b.rng(offset, offset+length),
		"Invalid renderer template", upperFirst(msg)+".")
}

// frame is an open {{ if }} while nesting is resolved.
type frame struct {
	n      *ifNode
	inElse bool
	start  int
}

// build resolves if/else/end nesting and type-checks every expression.
func (b *builder) build(segs []*segment) ([]node, hcl.Diagnostics) {
	b.uses = map[string]bool{}
	b.contentAt = -1
	cur := &b.top
	var stack []*frame
	for _, s := range segs {
		switch {
		case s.Text != nil:
			*cur = append(*cur, textNode{text: *s.Text})
		case s.Action == nil:
			continue
		case s.Action.If != nil:
			n := &ifNode{branches: []branch{{cond: b.checkCond(s.Action.If)}}}
			*cur = append(*cur, n)
			f := &frame{n: n, start: s.Pos.Offset}
			stack = append(stack, f)
			cur = &n.branches[0].body
		case s.Action.Else:
			if len(stack) == 0 {
				b.errorAt(diag.TemplateSyntax, s.Pos.Offset, s.EndPos.Offset, "Invalid renderer template", "{{ else }} without a matching {{ if }}.")
				continue
			}
			f := stack[len(stack)-1]
			if f.inElse {
				b.errorAt(diag.TemplateSyntax, s.Pos.Offset, s.EndPos.Offset, "Invalid renderer template", "This {{ if }} already has an {{ else }}; use {{ else if ... }} before the final {{ else }}.")
				continue
			}
			if s.Action.ElseIf != nil {
				f.n.branches = append(f.n.branches, branch{cond: b.checkCond(s.Action.ElseIf)})
				cur = &f.n.branches[len(f.n.branches)-1].body
			} else {
				f.inElse = true
				cur = &f.n.elseBody
			}
		case s.Action.End:
			if len(stack) == 0 {
				b.errorAt(diag.TemplateSyntax, s.Pos.Offset, s.EndPos.Offset, "Invalid renderer template", "{{ end }} without a matching {{ if }}.")
				continue
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			cur = b.bodyOf(stack)
			if len(stack) == 0 && b.contentAt < 0 && usesBody(f.n) {
				b.contentAt = f.start
			}
		case s.Action.Expr != nil:
			e := b.check(s.Action.Expr)
			if len(stack) == 0 && b.contentAt < 0 && usesBodyExpr(e) {
				b.contentAt = s.Pos.Offset
			}
			*cur = append(*cur, outputNode{e: e, literal: e != nil && !usesVars(e)})
		}
	}
	for _, f := range stack {
		b.errorAt(diag.TemplateSyntax, f.start, f.start+2, "Invalid renderer template", "This {{ if }} has no matching {{ end }}.")
	}
	return b.top, b.diags
}

// bodyOf returns the node list new nodes go to after the innermost frame
// closed.
func (b *builder) bodyOf(stack []*frame) *[]node {
	if len(stack) == 0 {
		return &b.top
	}
	f := stack[len(stack)-1]
	if f.inElse {
		return &f.n.elseBody
	}
	return &f.n.branches[len(f.n.branches)-1].body
}

// bodyVars are the variables holding a message's body: the first
// top-level node that uses one starts a message's output.
var bodyVars = map[string]bool{"content": true, "thinking": true}

func usesBodyExpr(e *cexpr) bool {
	if e == nil {
		return false
	}
	if e.op == opVar && bodyVars[e.name] {
		return true
	}
	for _, a := range e.args {
		if usesBodyExpr(a) {
			return true
		}
	}
	return false
}

func usesBody(n node) bool {
	switch n := n.(type) {
	case outputNode:
		return usesBodyExpr(n.e)
	case *ifNode:
		for _, br := range n.branches {
			if usesBodyExpr(br.cond) || anyUsesBody(br.body) {
				return true
			}
		}
		return anyUsesBody(n.elseBody)
	}
	return false
}

func anyUsesBody(nodes []node) bool {
	for _, n := range nodes {
		if usesBody(n) {
			return true
		}
	}
	return false
}

func usesVars(e *cexpr) bool {
	if e.op == opVar {
		return true
	}
	for _, a := range e.args {
		if usesVars(a) {
			return true
		}
	}
	return false
}

// checkCond checks a condition; any type is allowed (strings and ints are
// true when non-empty / non-zero).
func (b *builder) checkCond(e *expr) *cexpr { return b.check(e) }

func (b *builder) check(e *expr) *cexpr {
	if len(e.Or) == 1 {
		return b.checkAnd(e.Or[0])
	}
	out := &cexpr{op: opOr, typ: Bool}
	for _, a := range e.Or {
		out.args = append(out.args, b.checkAnd(a))
	}
	return out
}

func (b *builder) checkAnd(e *andExpr) *cexpr {
	if len(e.And) == 1 {
		return b.checkUnary(e.And[0])
	}
	out := &cexpr{op: opAnd, typ: Bool}
	for _, u := range e.And {
		out.args = append(out.args, b.checkUnary(u))
	}
	return out
}

func (b *builder) checkUnary(u *unary) *cexpr {
	if u.Not != nil {
		return &cexpr{op: opNot, typ: Bool, args: []*cexpr{b.checkUnary(u.Not)}}
	}
	left := b.checkPipe(u.Cmp.Left)
	if u.Cmp.Op == "" {
		return left
	}
	right := b.checkPipe(u.Cmp.Right)
	if left.typ != right.typ {
		b.errorAt(diag.TemplateType, u.Cmp.Pos.Offset, endOfPipe(u.Cmp.Right), "Mismatched comparison in renderer template",
			fmt.Sprintf("Cannot compare %s with %s; both sides of %s must have the same type.", diag.A(left.typ.String()), diag.A(right.typ.String()), u.Cmp.Op))
	}
	op := opEq
	if u.Cmp.Op == "!=" {
		op = opNe
	}
	return &cexpr{op: op, typ: Bool, args: []*cexpr{left, right}}
}

func endOfPipe(p *pipe) int {
	if n := len(p.Filters); n > 0 {
		f := p.Filters[n-1]
		return f.Pos.Offset + len(f.Name)
	}
	return endOfPrimary(p.Value)
}

// endOfPrimary returns the offset just past a primary expression
// (participle's EndPos is the start of the next token, past any space).
func endOfPrimary(p *primary) int {
	switch {
	case p.String != nil:
		return p.Pos.Offset + len(*p.String)
	case p.Int != nil:
		return p.Pos.Offset + len(*p.Int)
	case p.True:
		return p.Pos.Offset + len("true")
	case p.False:
		return p.Pos.Offset + len("false")
	case p.Var != nil:
		return p.Pos.Offset + len(*p.Var)
	}
	return p.EndPos.Offset
}

func (b *builder) checkPipe(p *pipe) *cexpr {
	e := b.checkPrimary(p.Value)
	for _, f := range p.Filters {
		if _, ok := filters[f.Name]; !ok {
			b.errorAt(diag.TemplateFilter, f.Pos.Offset, f.Pos.Offset+len(f.Name), "Unknown template filter",
				fmt.Sprintf("There is no filter named %q.%s Filters: %s.", f.Name, diag.DidYouMean(f.Name, FilterNames()), strings.Join(FilterNames(), ", ")))
			continue
		}
		if e.typ != String {
			b.errorAt(diag.TemplateType, f.Pos.Offset, f.Pos.Offset+len(f.Name), "Filter applied to a non-string",
				fmt.Sprintf("The filter %q takes a string, but its input is %s.", f.Name, diag.A(e.typ.String())))
			continue
		}
		e = &cexpr{op: opFilter, typ: String, name: f.Name, args: []*cexpr{e}}
	}
	return e
}

func (b *builder) checkPrimary(p *primary) *cexpr {
	switch {
	case p.String != nil:
		s, err := strconv.Unquote(*p.String)
		if err != nil {
			b.errorAt(diag.TemplateSyntax, p.Pos.Offset, endOfPrimary(p), "Invalid renderer template",
				"Invalid string literal: use Go-style escapes such as \\n, \\\" and \\\\.")
		}
		return &cexpr{op: opConst, typ: String, val: value{k: String, s: s}}
	case p.Int != nil:
		n, err := strconv.ParseInt(*p.Int, 10, 64)
		if err != nil {
			b.errorAt(diag.TemplateSyntax, p.Pos.Offset, endOfPrimary(p), "Invalid renderer template",
				"The integer literal is too large.")
		}
		return &cexpr{op: opConst, typ: Int, val: value{k: Int, i: n}}
	case p.True, p.False:
		return &cexpr{op: opConst, typ: Bool, val: value{k: Bool, b: p.True}}
	case p.Sub != nil:
		return b.check(p.Sub)
	case p.Var != nil:
		name := *p.Var
		typ, ok := Variables[name]
		if !ok {
			b.errorAt(diag.TemplateVariable, p.Pos.Offset, p.Pos.Offset+len(name), "Unknown template variable",
				fmt.Sprintf("There is no variable named %q.%s Variables: %s.", name, diag.DidYouMean(name, VariableNames()), strings.Join(VariableNames(), ", ")))
			return &cexpr{op: opConst, typ: String, val: value{k: String}}
		}
		b.uses[name] = true
		return &cexpr{op: opVar, typ: typ, name: name}
	}
	return &cexpr{op: opConst, typ: String}
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
