package template

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The template language is lexed in two states: Root, where everything up
// to "{{" is literal text, and Action, between "{{" and "}}". The grammar
// below is flat (a sequence of text and actions); nesting of if/else/end is
// resolved afterwards by build, which gives better errors than a recursive
// grammar ("{{ end }} without {{ if }}" pointing at the end).
//
// The EBNF (also in SPEC.md):
//
//	template = { text | "{{" action "}}" } .
//	action   = "if" expr | "else" [ "if" expr ] | "end" | expr .
//	expr     = and { "or" and } .
//	and      = unary { "and" unary } .
//	unary    = "not" unary | compare .
//	compare  = pipe [ ( "==" | "!=" ) pipe ] .
//	pipe     = primary { "|" ident } .
//	primary  = string | int | "true" | "false" | ident | "(" expr ")" .
var templateLexer = lexer.MustStateful(lexer.Rules{
	"Root": {
		{Name: "Open", Pattern: `\{\{`, Action: lexer.Push("Action")},
		{Name: "Text", Pattern: `(?:[^{]|\{[^{])+|\{`},
	},
	"Action": {
		{Name: "Close", Pattern: `\}\}`, Action: lexer.Pop()},
		{Name: "whitespace", Pattern: `[ \t\r\n]+`},
		{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
		{Name: "Int", Pattern: `[0-9]+`},
		{Name: "Op", Pattern: `==|!=|\||\(|\)`},
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	},
})

var parser = participle.MustBuild[flatTemplate](
	participle.Lexer(templateLexer),
	participle.UseLookahead(2),
)

type flatTemplate struct {
	Segments []*segment `parser:"@@*"`
}

type segment struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Text   *string `parser:"@Text"`
	Action *action `parser:"| Open @@ Close"`
}

type action struct {
	Pos    lexer.Position
	If     *expr `parser:"'if' @@"`
	Else   bool  `parser:"| @'else'"`
	ElseIf *expr `parser:"('if' @@)?"`
	End    bool  `parser:"| @'end'"`
	Expr   *expr `parser:"| @@"`
}

type expr struct {
	Pos lexer.Position
	Or  []*andExpr `parser:"@@ ('or' @@)*"`
}

type andExpr struct {
	Pos lexer.Position
	And []*unary `parser:"@@ ('and' @@)*"`
}

type unary struct {
	Pos lexer.Position
	Not *unary   `parser:"'not' @@"`
	Cmp *compare `parser:"| @@"`
}

type compare struct {
	Pos   lexer.Position
	Left  *pipe  `parser:"@@"`
	Op    string `parser:"( @('==' | '!=')"`
	Right *pipe  `parser:"@@ )?"`
}

type pipe struct {
	Pos     lexer.Position
	Value   *primary  `parser:"@@"`
	Filters []*filter `parser:"('|' @@)*"`
}

type filter struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `parser:"@Ident"`
}

type primary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	String *string `parser:"@String"`
	Int    *string `parser:"| @Int"`
	True   bool    `parser:"| @'true'"`
	False  bool    `parser:"| @'false'"`
	Var    *string `parser:"| @Ident"`
	Sub    *expr   `parser:"| '(' @@ ')'"`
}
