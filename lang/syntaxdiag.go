package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// multiLineSummary is the hcl parser's summary for a quoted string that
// runs past the end of its line.
const multiLineSummary = "Invalid multi-line string"

// unterminatedString replaces the cascade a missing closing quote causes
// with one diagnostic at the quote that opens the unterminated string.
// The hcl parser reports the string at the end of its line, then every
// later line as another bad string (the quotes that follow pair up the
// wrong way), so one typo gave a screenful of errors, none of them at
// the quote. Syntax errors before the string are kept; those after it
// are dropped, as no later token can be trusted.
func unterminatedString(diags hcl.Diagnostics, src []byte, filename string) hcl.Diagnostics {
	var first *hcl.Diagnostic
	for _, d := range diags {
		if d.Summary == multiLineSummary && d.Subject != nil {
			first = d
			break
		}
	}
	if first == nil {
		return diags
	}
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	var open *hcl.Range
	for i := range toks {
		if toks[i].Range.Start.Byte >= first.Subject.Start.Byte {
			break
		}
		if toks[i].Type == hclsyntax.TokenOQuote {
			open = &toks[i].Range
		}
	}
	if open == nil {
		return diags
	}
	subject := hcl.Range{Filename: filename, Start: open.Start, End: first.Subject.Start}
	out := hcl.Diagnostics{}
	for _, d := range diags {
		if d.Subject == nil || d.Subject.Start.Byte < open.Start.Byte {
			out = append(out, d)
		}
	}
	return append(out, diag.New(diag.Syntax, subject, "Unterminated string",
		"This string has no closing quote before the end of its line. Add the missing \"; for text over several lines use a heredoc (<<EOT ... EOT) or \\n."))
}
