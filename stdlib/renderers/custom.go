package renderers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/template"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// custom is a renderer declared in a recipe's `renderer` block. Template
// text is literal and may contain the block's special tokens; interpolated
// message data is always ordinary text, however it looks.
type custom struct {
	def          *ir.Renderer
	header       map[string]*template.Template
	output       map[string]*template.Template
	gen          *template.Template
	longestFirst []string // special tokens, longest first, for splitting literal text
	usesLast     bool
}

// FromIR builds the renderer a recipe declared. Template errors carry the
// recipe position (the compiler has already reported them; this guards
// plans edited by hand).
func FromIR(r *ir.Renderer) (Renderer, error) {
	if r == nil {
		return nil, fmt.Errorf("nil renderer")
	}
	c := &custom{def: r, header: map[string]*template.Template{}, output: map[string]*template.Template{}}
	parse := func(what string, t ir.Template) (*template.Template, error) {
		if t.Source == "" {
			return nil, nil
		}
		start := hcl.Pos{Line: t.Start.Line, Column: t.Start.Column, Byte: t.Start.Byte}
		parsed, diags := template.Parse(t.Source, r.Range.Filename, start)
		if diags.HasErrors() {
			return nil, fmt.Errorf("renderer %q: %s: %s", r.Name, what, diags.Error())
		}
		if parsed.Uses("is_last") {
			c.usesLast = true
		}
		return parsed, nil
	}
	var err error
	for role, mt := range r.Messages {
		if c.header[role], err = parse("message "+role+" header", mt.Header); err != nil {
			return nil, err
		}
		if c.output[role], err = parse("message "+role+" output", mt.Output); err != nil {
			return nil, err
		}
	}
	if c.gen, err = parse("generation_prefix", r.GenerationPrefix); err != nil {
		return nil, err
	}
	c.longestFirst = append([]string(nil), r.SpecialTokens...)
	sort.SliceStable(c.longestFirst, func(i, j int) bool { return len(c.longestFirst[i]) > len(c.longestFirst[j]) })
	for _, s := range c.longestFirst {
		if s == "" {
			return nil, fmt.Errorf("renderer %q: empty special token", r.Name)
		}
	}
	return engine{f: c}, nil
}

func (c *custom) name() string { return c.def.Name }
func (c *custom) roles() []string {
	out := make([]string, 0, len(c.def.Messages))
	for role := range c.def.Messages {
		out = append(out, role)
	}
	return out
}
func (c *custom) specials() []string { return append([]string(nil), c.def.SpecialTokens...) }

// literal splits template text into special-token and text segments.
func (c *custom) literal(text string) []Segment {
	var out []Segment
	for text != "" {
		pos, tok := -1, ""
		for _, s := range c.longestFirst {
			if p := strings.Index(text, s); p >= 0 && (pos < 0 || p < pos) {
				pos, tok = p, s
			}
		}
		if pos < 0 {
			return append(out, tx(text))
		}
		out = append(out, tx(text[:pos]), sp(tok))
		text = text[pos+len(tok):]
	}
	return out
}

func (c *custom) exec(t *template.Template, vars map[string]any) ([]Segment, error) {
	if t == nil {
		return nil, nil
	}
	pieces, err := t.Execute(vars)
	if err != nil {
		return nil, err
	}
	var out []Segment
	for _, p := range pieces {
		if p.Literal {
			out = append(out, c.literal(p.Text)...)
		} else {
			out = append(out, tx(p.Text))
		}
	}
	return out, nil
}

func (c *custom) prefix([]chat.Message) []Segment { return c.literal(c.def.BOS) }

func (c *custom) render(msgs []chat.Message, i int) (rendered, error) {
	m := msgs[i]
	if _, ok := c.def.Messages[m.Role]; !ok {
		return rendered{}, fmt.Errorf("message %d: renderer %q has no template for role %q", i, c.def.Name, m.Role)
	}
	if len(m.ToolCalls) > 0 {
		return rendered{}, fmt.Errorf("message %d (%s): renderer %q cannot express tool calls", i, m.Role, c.def.Name)
	}
	vars := map[string]any{
		"content": m.Content.Text(), "role": m.Role, "name": m.Name, "thinking": m.Content.Thinking(),
		"tool_call_id": m.ToolCallID, "index": i, "is_first": i == 0, "is_last": i == len(msgs)-1,
	}
	h, err := c.exec(c.header[m.Role], vars)
	if err != nil {
		return rendered{}, fmt.Errorf("message %d (%s): renderer %q header: %w", i, m.Role, c.def.Name, err)
	}
	o, err := c.exec(c.output[m.Role], vars)
	if err != nil {
		return rendered{}, fmt.Errorf("message %d (%s): renderer %q output: %w", i, m.Role, c.def.Name, err)
	}
	return rendered{header: h, output: o}, nil
}

func (c *custom) suffix(msgs []chat.Message) []Segment {
	segs, err := c.exec(c.gen, map[string]any{"role": "assistant", "index": len(msgs), "is_first": len(msgs) == 0, "is_last": true})
	if err != nil {
		// The prefix template uses no message data that could fail; an
		// error here means a hand-edited plan: render nothing rather
		// than panic, and let the parse of the response flag it.
		return nil
	}
	return segs
}

func (c *custom) checkTarget([]chat.Message, []bool) error { return nil }

func (c *custom) stop() Stop {
	var s Stop
	for _, st := range c.def.Stop {
		if c.isSpecial(st) {
			s.Tokens = append(s.Tokens, st)
		} else {
			s.Strings = append(s.Strings, st)
		}
	}
	return s
}

func (c *custom) isSpecial(s string) bool {
	for _, sp := range c.def.SpecialTokens {
		if sp == s {
			return true
		}
	}
	return false
}

// extension: templates are stateless except for is_last, the only
// variable whose value changes when a message is appended.
func (c *custom) extension() bool        { return !c.usesLast }
func (c *custom) splitPerUserTurn() bool { return false }

func (c *custom) parse(pieces []tokenizer.Piece) (chat.Message, Termination) {
	st := c.stop()
	s, term := untilStop(pieces, st.Tokens, nil)
	text := s.text()
	if term != TerminatedStop {
		best := -1
		for _, str := range st.Strings {
			if i := strings.Index(text, str); i >= 0 && (best < 0 || i < best) {
				best = i
			}
		}
		if best >= 0 {
			text, term = text[:best], TerminatedStop
		} else if len(st.Tokens) == 0 {
			term = TerminatedEOS
		}
	}
	return assistant("", text, nil), term
}
