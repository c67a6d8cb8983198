package template

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// MaxNesting bounds how deeply a template may nest {{ if }} blocks,
// parentheses and chains of `not`: the parser recurses once per
// parenthesis and `not`, and execution once per {{ if }}, so a template
// of a few hundred kilobytes could otherwise exhaust the stack. The
// source is scanned with the template lexer (a linear pass) before it is
// parsed. Chat formats nest two or three levels.
const MaxNesting = 1000

// checkNesting returns a diagnostic at the first token that nests deeper
// than MaxNesting, or nil. Tokens the lexer cannot read are left to the
// parser, which reports them.
func (b *builder) checkNesting() *hcl.Diagnostic {
	lex, err := templateLexer.LexString(b.filename, b.src)
	if err != nil {
		return nil
	}
	symbols := templateLexer.Symbols()
	open, closeTok, op, ident := symbols["Open"], symbols["Close"], symbols["Op"], symbols["Ident"]
	ifs, parens, nots := 0, 0, 0
	first := false // the next token is the first of an action
	for {
		tok, err := lex.Next()
		if err != nil || tok.EOF() {
			return nil
		}
		switch {
		case tok.Type == open:
			first, parens, nots = true, 0, 0
			continue
		case tok.Type == closeTok:
			parens, nots = 0, 0
		case tok.Type == op && tok.Value == "(":
			parens++
		case tok.Type == op && tok.Value == ")":
			parens = max(parens-1, 0)
		case tok.Type == ident && tok.Value == "not":
			nots++
		case tok.Type == ident && first && tok.Value == "if":
			ifs++
		case tok.Type == ident && first && tok.Value == "end":
			ifs = max(ifs-1, 0)
		}
		first = false
		if ifs+parens+nots > MaxNesting {
			return diag.New(diag.TemplateSyntax, b.rng(tok.Pos.Offset, tok.Pos.Offset+len(tok.Value)), "Template nested too deeply",
				fmt.Sprintf("{{ if }} blocks, parentheses and `not` nest more than %d levels deep here; a chat format needs a few.", MaxNesting))
		}
	}
}
