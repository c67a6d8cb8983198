package lang

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// MaxNesting bounds how deeply a recipe's syntax may nest. The hcl parser,
// and every pass over the syntax tree or the values it builds, recurses
// once per level: 100,000 unclosed "[" overflow the parser's stack and
// kill the process, and a few thousand levels already cost seconds.
// Recipes hold settings that nest a handful of levels, so files are
// scanned before they are parsed (a linear pass over the lexer's tokens)
// and refused at the first level past the limit.
//
// A level is opened by a bracket, brace, parenthesis, quote, heredoc,
// ${ interpolation, or %{ if / for directive. Operators, index brackets
// and calls also deepen the syntax tree (!!!x, a + b + c, a ? b : c ? d
// : e, x[i][j], f(x)): each adds one to the level it is in, until a comma
// or (where a newline ends an item) a newline starts the next item.
const MaxNesting = 1000

// MaxStringPieces bounds the literal pieces in a row of one string: the
// lines of a heredoc or of a JSON-syntax string, and the text around
// each $${ or %%{ escape. The hcl parser joins consecutive pieces at a
// cost that grows with the square of their number (50,000 heredoc lines
// took about a minute); long text belongs in a file read with file().
const MaxStringPieces = 2048

// MaxFileBytes bounds the size of one recipe file. Recipes hold settings
// and are a few kilobytes; the bound keeps the parser's work (a few
// microseconds per token) to seconds on any input.
const MaxFileBytes = 1 << 20

const (
	nestingSummary = "Nesting too deep"
	piecesSummary  = "String has too many lines"
)

// nestingDiag is the diagnostic of a file nested deeper than MaxNesting,
// at the token that crossed the limit.
func nestingDiag(rng hcl.Range) *hcl.Diagnostic {
	return diag.New(diag.Syntax, rng, nestingSummary,
		fmt.Sprintf("Brackets, braces, parentheses, strings, interpolations and operators nest more than %d levels deep here. cookbookc refuses such files before parsing them, so that checking always finishes; a recipe's settings need a few levels.", MaxNesting))
}

// piecesDiag is the diagnostic of a string with more than
// MaxStringPieces literal pieces in a row.
func piecesDiag(rng hcl.Range) *hcl.Diagnostic {
	return diag.New(diag.Syntax, rng, piecesSummary,
		fmt.Sprintf("This string or heredoc has more than %d lines (or $${ and %%%%{ escapes) in a row. cookbookc refuses it before parsing, as the parser's work grows with the square of that number; put long text in a file beside the recipe and read it with file(\"NAME\").", MaxStringPieces))
}

// level is one open bracket (or quote, interpolation, directive).
type level struct {
	closer hclsyntax.TokenType
	// ops counts the operators, index brackets and calls since the last
	// item separator in this level.
	ops int
	// lines reports whether a newline separates items in this level
	// (block bodies and object constructors; not parentheses, brackets
	// or templates, where the hcl parser skips newlines).
	lines bool
}

// nestingScanner tracks the nesting of a token stream.
type nestingScanner struct {
	stack []level
	depth int // len(stack) plus every level's ops
	// prev is the previous significant token, to tell an index or a
	// call (x[0], f(x)) from a new tuple or parenthesis.
	prev hclsyntax.TokenType
	// directive is set after %{, until the keyword that follows it.
	directive bool
	// pieces counts the literal string tokens in a row.
	pieces  int
	problem *hcl.Diagnostic
}

func newNestingScanner(base int) *nestingScanner {
	s := &nestingScanner{depth: base}
	// The top level of a file separates items with newlines.
	s.stack = append(s.stack, level{closer: hclsyntax.TokenEOF, lines: true})
	return s
}

// add deepens the current level by one.
func (s *nestingScanner) add(rng hcl.Range) {
	top := &s.stack[len(s.stack)-1]
	top.ops++
	s.bump(1, rng)
}

func (s *nestingScanner) bump(n int, rng hcl.Range) {
	s.depth += n
	if s.depth > MaxNesting && s.problem == nil {
		s.problem = nestingDiag(rng)
	}
}

func (s *nestingScanner) push(closer hclsyntax.TokenType, lines bool, rng hcl.Range) {
	s.stack = append(s.stack, level{closer: closer, lines: lines})
	s.bump(1, rng)
}

// pop closes the innermost level that closer closes. A stray closer (a
// syntax error the parser will report) closes nothing.
func (s *nestingScanner) pop(closer hclsyntax.TokenType) {
	if len(s.stack) > 1 && s.stack[len(s.stack)-1].closer == closer {
		top := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		s.depth -= 1 + top.ops
	}
}

// separate starts a new item in the current level.
func (s *nestingScanner) separate() {
	top := &s.stack[len(s.stack)-1]
	s.depth -= top.ops
	top.ops = 0
}

// endsOperand reports whether a token can end an operand, so that a
// following "[" or "(" is an index or a call.
func endsOperand(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenIdent, hclsyntax.TokenNumberLit, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
		hclsyntax.TokenCBrace, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
		return true
	}
	return false
}

// token feeds one token. It returns false once the limit is crossed.
func (s *nestingScanner) token(tok hclsyntax.Token) bool {
	t := tok.Type
	if s.directive && t == hclsyntax.TokenIdent {
		// %{ if ... } and %{ for ... } open a level that %{ endif } and
		// %{ endfor } close; %{ else } stays in it.
		s.directive = false
		switch string(tok.Bytes) {
		case "if", "for":
			s.push(hclsyntax.TokenNil, false, tok.Range)
		case "endif", "endfor":
			s.pop(hclsyntax.TokenNil)
		}
	}
	switch t {
	case hclsyntax.TokenOBrace:
		s.push(hclsyntax.TokenCBrace, true, tok.Range)
	case hclsyntax.TokenOBrack, hclsyntax.TokenOParen:
		if endsOperand(s.prev) {
			s.add(tok.Range)
		}
		closer := hclsyntax.TokenCBrack
		if t == hclsyntax.TokenOParen {
			closer = hclsyntax.TokenCParen
		}
		s.push(closer, false, tok.Range)
	case hclsyntax.TokenOQuote:
		s.push(hclsyntax.TokenCQuote, false, tok.Range)
	case hclsyntax.TokenOHeredoc:
		s.push(hclsyntax.TokenCHeredoc, false, tok.Range)
	case hclsyntax.TokenTemplateInterp:
		s.push(hclsyntax.TokenTemplateSeqEnd, false, tok.Range)
	case hclsyntax.TokenTemplateControl:
		s.push(hclsyntax.TokenTemplateSeqEnd, false, tok.Range)
		s.directive = true
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
		hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
		s.pop(t)
	case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash,
		hclsyntax.TokenPercent, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenBang,
		hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual, hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq,
		hclsyntax.TokenGreaterThan, hclsyntax.TokenGreaterThanEq, hclsyntax.TokenQuestion:
		s.add(tok.Range)
	case hclsyntax.TokenComma:
		s.separate()
	case hclsyntax.TokenNewline:
		if s.stack[len(s.stack)-1].lines {
			s.separate()
		}
	}
	if t == hclsyntax.TokenStringLit || t == hclsyntax.TokenQuotedLit {
		s.pieces++
		if s.pieces > MaxStringPieces && s.problem == nil {
			s.problem = piecesDiag(tok.Range)
		}
	} else {
		s.pieces = 0
	}
	if t != hclsyntax.TokenNewline && t != hclsyntax.TokenComment {
		s.prev = t
	}
	return s.problem == nil
}

// CheckNesting scans HCL native syntax (a whole file) and returns a
// diagnostic at the first token nested deeper than MaxNesting, or at the
// first string with more than MaxStringPieces pieces in a row, or nil.
func CheckNesting(src []byte, filename string, start hcl.Pos) *hcl.Diagnostic {
	toks, _ := hclsyntax.LexConfig(src, filename, start)
	return scanTokens(toks, 0)
}

// CheckExpressionNesting is CheckNesting for a standalone expression (a
// --var value).
func CheckExpressionNesting(src []byte, filename string, start hcl.Pos) *hcl.Diagnostic {
	toks, _ := hclsyntax.LexExpression(src, filename, start)
	return scanTokens(toks, 0)
}

func scanTokens(toks hclsyntax.Tokens, base int) *hcl.Diagnostic {
	s := newNestingScanner(base)
	for _, tok := range toks {
		if !s.token(tok) {
			return s.problem
		}
	}
	return nil
}

// checkJSONNesting is CheckNesting for HCL JSON syntax: arrays and
// objects, and the templates inside strings (which hcl parses when it
// evaluates them), at the depth of the string.
func checkJSONNesting(src []byte, filename string) *hcl.Diagnostic {
	depth := 0
	at := func(off int) hcl.Range {
		p := posAt(src, off)
		end := p
		end.Byte++
		end.Column++
		return hcl.Range{Filename: filename, Start: p, End: end}
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '[', '{':
			depth++
			if depth > MaxNesting {
				return nestingDiag(at(i))
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"':
			end := stringEnd(src, i)
			raw := src[i:end]
			i = end - 1
			if !bytes.Contains(raw, []byte("${")) && !bytes.Contains(raw, []byte("%{")) && !bytes.Contains(raw, []byte(`\n`)) {
				continue
			}
			var text string
			if json.Unmarshal(raw, &text) != nil {
				continue // the parser reports the bad string
			}
			toks, _ := hclsyntax.LexTemplate([]byte(text), filename, hcl.InitialPos)
			s := newNestingScanner(depth)
			s.stack[0].lines = false
			for _, tok := range toks {
				if !s.token(tok) {
					// Positions inside a decoded string are not
					// positions in the file: point at the string.
					s.problem.Subject = at(end - len(raw)).Ptr()
					return s.problem
				}
			}
		}
	}
	return nil
}

// stringEnd returns the offset just past the JSON string starting at
// src[start] (a quote), or len(src) when it is not closed.
func stringEnd(src []byte, start int) int {
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(src)
}

// posAt converts a byte offset of src to a position (columns count
// characters, as hcl's do).
func posAt(src []byte, off int) hcl.Pos {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	return hcl.Pos{Line: line, Column: 1 + utf8.RuneCount(src[lineStart:off]), Byte: off}
}
