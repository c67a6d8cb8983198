package lang

import (
	"strconv"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cookbookc/cookbookc/lang/template"
)

// StringPositions returns a map from byte offsets in text, the value of
// the string expression expr, to positions in the recipe file whose bytes
// are src. For quoted strings it undoes escape sequences exactly (so an
// error after "\n" in a template still points at the right column); for
// heredocs it aligns the text with the source; for anything else (an
// interpolated template, a JSON-syntax string it cannot align) every
// offset maps to the start of the string (SPEC.md §16): counting from
// there pointed into the interpolation, at text that is not the template.
func StringPositions(expr hcl.Expression, text string, src []byte) template.PosFunc {
	r := expr.Range()
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte >= r.End.Byte {
		return template.LinearPos(text, r.Start)
	}
	raw := src[r.Start.Byte:r.End.Byte]
	var offs []int
	switch {
	case raw[0] == '"':
		offs = decodeQuoted(raw, text, isJSONExpr(expr))
	case len(raw) > 2 && raw[0] == '<' && raw[1] == '<':
		offs = alignHeredoc(raw, text)
	}
	if offs == nil {
		return func(int) hcl.Pos { return r.Start }
	}
	// offs[i] is the raw offset of text byte i; offs[len(text)] the end.
	rawPos := template.LinearPos(string(raw), r.Start)
	return func(offset int) hcl.Pos {
		if offset < 0 {
			offset = 0
		}
		if offset >= len(offs) {
			offset = len(offs) - 1
		}
		return rawPos(offs[offset])
	}
}

func isJSONExpr(expr hcl.Expression) bool {
	_, native := expr.(hclsyntax.Expression)
	return !native
}

// decodeQuoted decodes a quoted string literal (HCL or JSON escapes) and
// returns, for each decoded byte, its offset in raw. It returns nil when
// the decoding does not reproduce text (e.g. the string interpolates).
func decodeQuoted(raw []byte, text string, json bool) []int {
	var out []byte
	var offs []int
	i := 1
	for i < len(raw) {
		c := raw[i]
		switch {
		case c == '"':
			if string(out) != text {
				return nil
			}
			return append(offs, i)
		case c == '\\' && i+1 < len(raw):
			s, n := unescape(raw[i:], json)
			if n == 0 {
				return nil
			}
			for range len(s) {
				offs = append(offs, i)
			}
			out = append(out, s...)
			i += n
		case !json && (c == '$' || c == '%') && i+2 < len(raw) && raw[i+1] == c && raw[i+2] == '{':
			// "$${" and "%%{" are the escapes for a literal "${" / "%{".
			out = append(out, c, '{')
			offs = append(offs, i, i+2)
			i += 3
		case !json && (c == '$' || c == '%') && i+1 < len(raw) && raw[i+1] == '{':
			return nil // an interpolation or directive: not a plain literal
		default:
			out = append(out, c)
			offs = append(offs, i)
			i++
		}
	}
	return nil
}

// unescape decodes the escape sequence at the start of b, returning the
// bytes it stands for and its length in b (0 when invalid).
func unescape(b []byte, json bool) ([]byte, int) {
	switch b[1] {
	case 'n':
		return []byte{'\n'}, 2
	case 't':
		return []byte{'\t'}, 2
	case 'r':
		return []byte{'\r'}, 2
	case '"':
		return []byte{'"'}, 2
	case '\\':
		return []byte{'\\'}, 2
	case '/':
		if json {
			return []byte{'/'}, 2
		}
	case 'b':
		if json {
			return []byte{'\b'}, 2
		}
	case 'f':
		if json {
			return []byte{'\f'}, 2
		}
	case 'u', 'U':
		n := 4
		if b[1] == 'U' {
			if json {
				return nil, 0
			}
			n = 8
		}
		if len(b) < 2+n {
			return nil, 0
		}
		v, err := strconv.ParseUint(string(b[2:2+n]), 16, 32)
		if err != nil {
			return nil, 0
		}
		return utf8.AppendRune(nil, rune(v)), 2 + n
	}
	return nil, 0
}

// alignHeredoc maps text to the body of a heredoc by greedy alignment:
// the text is the body minus stripped indentation and "$${" escapes, so
// every text byte matches a later raw byte.
func alignHeredoc(raw []byte, text string) []int {
	nl := indexByte(raw, '\n')
	if nl < 0 {
		return nil
	}
	offs := make([]int, 0, len(text)+1)
	j := nl + 1
	for i := 0; i < len(text); i++ {
		for j < len(raw) && raw[j] != text[i] {
			j++
		}
		if j >= len(raw) {
			return nil
		}
		offs = append(offs, j)
		j++
	}
	return append(offs, j)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// StaticString evaluates expr without variables. ok is false when expr is
// not a constant string.
func StaticString(expr hcl.Expression) (string, bool) {
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}
