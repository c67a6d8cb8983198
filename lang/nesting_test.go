package lang

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// Deeply nested input, and strings of many lines, used to overflow the hcl parser's stack (100,000
// unclosed "[" killed the process) or to cost seconds to minutes per file
// (50,000 heredoc lines: a minute). Files are now scanned first and
// refused at the first token past MaxNesting or MaxStringPieces, and
// anything up to the limits still parses.
func TestNestingLimit(t *testing.T) {
	n := MaxNesting
	tests := []struct {
		name, file, src string
		deep            bool
		// col is the column of the token reported (0: not checked).
		col int
	}{
		{"unclosed brackets", "r.hcl", "x = " + strings.Repeat("[", 100_000), true, 5 + n},
		{"brackets at the limit", "r.hcl", "x = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n", false, 0},
		{"brackets past the limit", "r.hcl", "x = " + strings.Repeat("[", n+1) + strings.Repeat("]", n+1) + "\n", true, 5 + n},
		{"parentheses", "r.hcl", "x = " + strings.Repeat("(", 50_000) + "1" + strings.Repeat(")", 50_000) + "\n", true, 5 + n},
		{"not chain", "r.hcl", "x = " + strings.Repeat("!", 100_000) + "true\n", true, 5 + n},
		{"sum chain", "r.hcl", "x = 1" + strings.Repeat("+1", 100_000) + "\n", true, 6 + 2*n},
		{"conditional chain", "r.hcl", "x = " + strings.Repeat("true ? 1 : ", 10_000) + "2\n", true, 10 + 11*n},
		{"index chain", "r.hcl", "x = y" + strings.Repeat("[0]", 100_000) + "\n", true, 0},
		{"calls", "r.hcl", "x = " + strings.Repeat("f(", 50_000) + strings.Repeat(")", 50_000) + "\n", true, 0},
		{"interpolations", "r.hcl", "x = " + strings.Repeat(`"${`, 50_000) + "1" + strings.Repeat(`}"`, 50_000) + "\n", true, 0},
		{"directives", "r.hcl", "x = \"" + strings.Repeat("%{ if true }", 10_000) + "\"\n", true, 0},
		{"many flat items", "r.hcl", "x = [" + strings.Repeat("!true, ", 100_000) + "]\n", false, 0},
		{"one item per line", "r.hcl", "locals {\n" + manyLines(10_000) + "}\n", false, 0},
		{"json arrays", "r.hcl.json", `{"locals": {"x": ` + strings.Repeat("[", 100_000) + "}}", true, 0},
		{"json template", "r.hcl.json", `{"locals": {"x": "` + strings.Repeat("${[", 50_000) + `"}}`, true, 0},
		{"heredoc lines", "r.hcl", "x = <<EOT\n" + strings.Repeat("line\n", 50_000) + "EOT\n", true, 0},
		{"heredoc at the limit", "r.hcl", "x = <<EOT\n" + strings.Repeat("line\n", MaxStringPieces) + "EOT\n", false, 0},
		{"escapes", "r.hcl", "x = \"" + strings.Repeat("a$${b}", 50_000) + "\"\n", true, 0},
		{"json lines", "r.hcl.json", `{"locals": {"x": "` + strings.Repeat(`line\n`, 50_000) + `"}}`, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Parse("/r", map[string][]byte{tc.file: []byte(tc.src)})
			var deep []string
			for _, d := range diags {
				if d.Summary != nestingSummary && d.Summary != piecesSummary {
					continue
				}
				deep = append(deep, d.Error())
				assert.Equal(t, diag.Syntax, diag.CodeOf(d))
				if tc.col > 0 {
					assert.Equal(t, 1, d.Subject.Start.Line)
					assert.Equal(t, tc.col, d.Subject.Start.Column, "reported at the token that crosses the limit")
				}
			}
			if tc.deep {
				assert.Len(t, deep, 1, "%v", diags)
			} else {
				assert.Empty(t, diags)
			}
		})
	}
}

func manyLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  a%d = !!!!true\n", i)
	}
	return b.String()
}

// A recipe file larger than MaxFileBytes is not parsed.
func TestFileSizeLimit(t *testing.T) {
	_, diags := Parse("/r", map[string][]byte{"r.hcl": []byte("# " + strings.Repeat("x", MaxFileBytes))})
	require.Len(t, diags, 1)
	assert.Equal(t, diag.FileRead, diag.CodeOf(diags[0]))
	assert.Equal(t, "Recipe file too large", diags[0].Summary)
}

// The formatter and the template language refuse the same input before
// parsing it.
func TestNestingLimitFormat(t *testing.T) {
	_, diags := Format([]byte("x = "+strings.Repeat("[", 100_000)), "r.hcl")
	require.Len(t, diags, 1)
	assert.Equal(t, nestingSummary, diags[0].Summary)
}

// A missing closing quote made the parser report the end of that line and
// then every later line as a bad string. It is one diagnostic at the
// opening quote; earlier syntax errors stay.
func TestUnterminatedString(t *testing.T) {
	src := "a = @\ndataset \"chat\" {\n  source = \"data.jsonl\n  format = \"messages\"\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {}\n}\n"
	_, diags := Parse("/r", map[string][]byte{"r.hcl": []byte(src)})
	require.Len(t, diags, 2, "%v", diags)
	assert.Equal(t, 1, diags[0].Subject.Start.Line, "the error before the string stays")
	d := diags[1]
	assert.Equal(t, "Unterminated string", d.Summary)
	assert.Equal(t, diag.Syntax, diag.CodeOf(d))
	assert.Equal(t, 3, d.Subject.Start.Line)
	assert.Equal(t, 12, d.Subject.Start.Column, "at the opening quote")
	assert.Equal(t, 3, d.Subject.End.Line)
}
