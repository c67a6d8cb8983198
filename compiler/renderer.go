package compiler

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/lang/template"
)

// renderer is a custom `renderer` block.
type renderer struct {
	name  string
	block *hcl.Block
	ir    ir.Renderer
}

func (c *compiler) declareRenderers(blocks []*hcl.Block) {
	seen := map[string]*hcl.Block{}
	for _, b := range blocks {
		if !c.declared(b, "renderer", seen) {
			continue
		}
		name := b.Labels[0]
		if _, builtin := c.cat.Renderers[name]; builtin {
			c.errorf(diag.Duplicate, b.LabelRanges[0], "Renderer "+name+" shadows a built-in",
				"%q is a built-in renderer; give the custom renderer another name so renderer.%s stays unambiguous.", name, name)
			continue
		}
		c.renderers[name] = &renderer{name: name, block: b}
	}
}

var stringList = schema.Field{Name: "stop", Type: schema.ListOf(schema.String)}

func (c *compiler) checkRenderer(r *renderer) {
	content, diags := r.block.Body.Content(lang.RendererSchema)
	c.addAll(diag.Classify(diags, diag.UnknownAttribute))
	r.ir = ir.Renderer{Name: r.name, Messages: map[string]ir.MessageTemplate{}, Stop: []string{}, Range: c.irRange(r.block.DefRange)}
	if a, ok := content.Attributes["bos"]; ok {
		if v, ok := c.evalString(a.Expr, "bos"); ok {
			r.ir.BOS = v
		}
	}
	for _, name := range []string{"stop", "special_tokens"} {
		a, ok := content.Attributes[name]
		if !ok {
			continue
		}
		f := stringList
		f.Name = name
		val, ok := c.evalValue(a.Expr, "a renderer")
		if !ok {
			continue
		}
		if isSecret(val) {
			c.errorf(diag.InvalidValue, a.Expr.Range(), "Secret in a renderer", "Renderer text is recorded in plans and cannot come from env().")
			continue
		}
		got, more := fieldValue(&f, val, a.Expr.Range(), "Renderer attribute")
		c.addAll(more)
		list, _ := got.([]any)
		strs := make([]string, 0, len(list))
		for _, x := range list {
			if s, ok := x.(string); ok { // unknown elements (after other errors) are nil
				strs = append(strs, s)
			}
		}
		if name == "stop" {
			r.ir.Stop = strs
			if len(strs) == 0 && !more.HasErrors() {
				c.errorf(diag.RendererShape, a.Expr.Range(), "Empty stop list", "A renderer needs at least one stop sequence that ends a sampled turn.")
			}
		} else {
			r.ir.SpecialTokens = strs
		}
	}
	seen := map[string]*hcl.Block{}
	for _, mb := range content.Blocks {
		role := mb.Labels[0]
		if !hclsyntax.ValidIdentifier(role) {
			c.errorf(diag.BadLabels, mb.LabelRanges[0], "Invalid role", "%q is not a valid role name.", role)
			continue
		}
		if prev, dup := seen[role]; dup {
			c.errorf(diag.Duplicate, mb.LabelRanges[0], "Duplicate message "+role, "Role %q already has a message block at %s.", role, prev.DefRange)
			continue
		}
		seen[role] = mb
		if m, ok := c.checkMessage(mb); ok {
			r.ir.Messages[role] = m
		}
	}
	if _, ok := seen["assistant"]; !ok {
		c.errorf(diag.RendererShape, r.block.DefRange, "Renderer has no assistant message",
			"Renderer %q needs a message \"assistant\" block: training and sampling render assistant turns.", r.name)
	}
	if a, ok := content.Attributes["generation_prefix"]; ok {
		if t, _, _, ok := c.parseTemplate(a.Expr); ok {
			r.ir.GenerationPrefix = t
		}
	} else if m, ok := r.ir.Messages["assistant"]; ok {
		r.ir.GenerationPrefix = m.Header
	}
}

// checkMessage decodes a message block: template (split at its first
// top-level {{ content }}), or header and output.
func (c *compiler) checkMessage(b *hcl.Block) (ir.MessageTemplate, bool) {
	content, diags := b.Body.Content(lang.MessageSchema)
	c.addAll(diag.Classify(diags, diag.UnknownAttribute))
	tplAttr, hasTemplate := content.Attributes["template"]
	header, hasHeader := content.Attributes["header"]
	output, hasOutput := content.Attributes["output"]
	switch {
	case hasTemplate && (hasHeader || hasOutput):
		other := header
		if !hasHeader {
			other = output
		}
		c.errorf(diag.RendererShape, other.NameRange, "Both template and "+other.Name,
			"A message sets either template (split at {{ content }}) or header and output, not both.")
		return ir.MessageTemplate{}, false
	case hasTemplate:
		t, parsed, pos, ok := c.parseTemplate(tplAttr.Expr)
		if !ok {
			return ir.MessageTemplate{}, false
		}
		k, found := parsed.ContentOffset()
		if !found {
			c.errorf(diag.RendererShape, tplAttr.Expr.Range(), "Template has no {{ content }}",
				"A message template is split into header and output where it first uses content or thinking outside any other {{ if }}; use one there, or set header and output.")
			return ir.MessageTemplate{}, false
		}
		return ir.MessageTemplate{
			Header: ir.Template{Source: t.Source[:k], Start: t.Start},
			Output: ir.Template{Source: t.Source[k:], Start: toPos(pos(k))},
		}, true
	case !hasOutput:
		c.errorf(diag.RendererShape, b.DefRange, "Message has no output",
			"Set template, or output (and optionally header), in message %q.", b.Labels[0])
		return ir.MessageTemplate{}, false
	}
	var m ir.MessageTemplate
	ok := true
	if hasHeader {
		t, _, _, good := c.parseTemplate(header.Expr)
		m.Header, ok = t, ok && good
	} else {
		m.Header = ir.Template{Source: "", Start: toPos(output.Expr.Range().Start)}
	}
	t, _, _, good := c.parseTemplate(output.Expr)
	m.Output = t
	return m, ok && good
}

// parseTemplate evaluates a template attribute and parses it; errors point
// into the HCL string. It also returns the offset-to-position map, for
// splitting a message template.
func (c *compiler) parseTemplate(expr hcl.Expression) (ir.Template, *template.Template, template.PosFunc, bool) {
	text, ok := c.evalString(expr, "template")
	if !ok {
		return ir.Template{}, nil, nil, false
	}
	rng := expr.Range()
	pos := lang.StringPositions(expr, text, c.source(rng))
	parsed, diags := template.ParseMapped(text, rng.Filename, pos)
	c.addAll(diags)
	if diags.HasErrors() {
		return ir.Template{}, nil, nil, false
	}
	return ir.Template{Source: text, Start: toPos(pos(0))}, parsed, pos, true
}

// evalString evaluates an expression that must be a known, non-secret
// string.
func (c *compiler) evalString(expr hcl.Expression, what string) (string, bool) {
	val, ok := c.evalValue(expr, "a renderer")
	if !ok {
		return "", false
	}
	if isSecret(val) {
		c.errorf(diag.InvalidValue, expr.Range(), "Secret in a renderer", "Renderer text is recorded in plans and cannot come from env().")
		return "", false
	}
	if !val.IsKnown() {
		return "", false
	}
	if val.IsNull() || val.Type() != cty.String {
		c.errorf(diag.TypeMismatch, expr.Range(), "Wrong type for "+what, "Expected a string, got %s.", typeName(val))
		return "", false
	}
	return val.AsString(), true
}
