// Package template implements the renderer template language: the small
// language in which a recipe's custom `renderer` blocks spell a chat format
// ("<|im_start|>{{ role }}\n{{ content }}<|im_end|>\n").
//
// Text outside {{ }} is emitted verbatim and may contain special tokens;
// {{ expr }} interpolates message data, which is never a special token
// however it looks (Piece.Literal tells the two apart). {{ if }} /
// {{ else if }} / {{ else }} / {{ end }} choose text by a condition, and
// filters (content | trim) transform strings. The grammar is in
// grammar.go and SPEC.md. Parsing is done with participle; every error is an
// hcl.Diagnostic whose range points at the exact line and column inside the
// recipe's HCL string, even across escape sequences (see ParseMapped).
package template

import (
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Piece is one run of rendered text.
type Piece struct {
	Text string
	// Literal is true for text written in the template itself (it may
	// contain special tokens such as <|im_end|>) and false for
	// interpolated data, which must always be tokenized as plain text.
	Literal bool
}

// Type is the static type of a template variable or expression.
type Type int

// The value types of the template language.
const (
	String Type = iota
	Int
	Bool
)

// String returns the type's name as diagnostics and SPEC.md spell it.
func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Bool:
		return "bool"
	default:
		return "string"
	}
}

// Variables lists the variables a renderer template may use and their
// types. A variable missing from Execute's map has its zero value.
var Variables = map[string]Type{
	"content":      String, // the message text
	"role":         String, // the message role: "system", "user", "assistant", "tool", ...
	"name":         String, // the optional message name
	"thinking":     String, // the message's reasoning text ("" when none)
	"tool_call_id": String, // the id of the call a tool message answers
	"index":        Int,    // the message's index in the conversation, from 0
	"is_first":     Bool,   // the message is the first one
	"is_last":      Bool,   // the message is the last one
}

// VariableNames returns the template variable names, sorted.
func VariableNames() []string {
	return slices.Sorted(maps.Keys(Variables))
}

// PosFunc maps a byte offset in template source to its position in the
// recipe file.
type PosFunc func(offset int) hcl.Pos

// Template is a parsed, type-checked template.
type Template struct {
	// Source is the template text.
	Source string
	nodes  []node
	uses   map[string]bool
	// contentAt is the byte offset of the first top-level node that uses
	// content or thinking, or -1.
	contentAt int
}

// Parse parses and checks template source src that starts at position
// start of file filename. Positions inside src are computed by counting
// lines and characters from start, so src must be the template text exactly
// as written in the file; for text decoded from an escaped string use
// ParseMapped.
func Parse(src, filename string, start hcl.Pos) (*Template, hcl.Diagnostics) {
	return ParseMapped(src, filename, LinearPos(src, start))
}

// ParseMapped is Parse with an explicit offset-to-position map, for
// template text decoded from an HCL string whose escape sequences make
// source and text offsets differ.
func ParseMapped(src, filename string, pos PosFunc) (*Template, hcl.Diagnostics) {
	b := &builder{filename: filename, pos: pos, src: src}
	if deep := b.checkNesting(); deep != nil {
		return nil, hcl.Diagnostics{deep}
	}
	flat, err := parser.ParseString(filename, src)
	if err != nil {
		return nil, hcl.Diagnostics{b.syntaxError(err)}
	}
	nodes, diags := b.build(flat.Segments)
	if diags.HasErrors() {
		return nil, diags
	}
	return &Template{Source: src, nodes: nodes, uses: b.uses, contentAt: b.contentAt}, diags
}

// Uses reports whether the template refers to the variable name.
func (t *Template) Uses(name string) bool { return t.uses[name] }

// ContentOffset returns the byte offset in Source where a message
// template splits into its header and its output: the start of the first
// top-level action or {{ if }} block that uses the message body (content
// or thinking).
func (t *Template) ContentOffset() (int, bool) { return t.contentAt, t.contentAt >= 0 }

// LinearPos returns a PosFunc for text that appears verbatim in a file
// starting at start: it counts newlines and characters.
func LinearPos(src string, start hcl.Pos) PosFunc {
	return func(offset int) hcl.Pos {
		if offset > len(src) {
			offset = len(src)
		}
		p := start
		for i := 0; i < offset; {
			r, size := utf8.DecodeRuneInString(src[i:])
			if i+size > offset {
				break
			}
			i += size
			p.Byte += size
			if r == '\n' {
				p.Line++
				p.Column = 1
			} else {
				p.Column++
			}
		}
		return p
	}
}

// Execute renders the template for one message. vars holds the template
// variables (see Variables) as Go strings, ints and bools; a missing
// variable has its zero value. Adjacent pieces of the same kind are merged
// and empty pieces dropped.
func (t *Template) Execute(vars map[string]any) ([]Piece, error) {
	env := make(map[string]value, len(Variables))
	for name, typ := range Variables {
		raw, ok := vars[name]
		if !ok || raw == nil {
			env[name] = value{k: typ}
			continue
		}
		v, err := fromGo(typ, raw)
		if err != nil {
			return nil, fmt.Errorf("template variable %q: %w", name, err)
		}
		env[name] = v
	}
	var out pieces
	if err := execNodes(t.nodes, env, &out); err != nil {
		return nil, err
	}
	return out.list, nil
}

func fromGo(typ Type, raw any) (value, error) {
	switch typ {
	case String:
		if s, ok := raw.(string); ok {
			return value{k: String, s: s}, nil
		}
	case Bool:
		if b, ok := raw.(bool); ok {
			return value{k: Bool, b: b}, nil
		}
	case Int:
		switch n := raw.(type) {
		case int:
			return value{k: Int, i: int64(n)}, nil
		case int64:
			return value{k: Int, i: n}, nil
		case int32:
			return value{k: Int, i: int64(n)}, nil
		case float64:
			if n == float64(int64(n)) {
				return value{k: Int, i: int64(n)}, nil
			}
		}
	}
	return value{}, fmt.Errorf("expected %s, got %T", typ, raw)
}

// pieces accumulates output, merging runs of the same kind.
type pieces struct{ list []Piece }

func (p *pieces) add(text string, literal bool) {
	if text == "" {
		return
	}
	if n := len(p.list); n > 0 && p.list[n-1].Literal == literal {
		p.list[n-1].Text += text
		return
	}
	p.list = append(p.list, Piece{Text: text, Literal: literal})
}
