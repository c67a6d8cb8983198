package diag

import (
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

// extra is the Diagnostic.Extra payload that carries a code. It wraps any
// extra value that was already there so hcl.DiagnosticExtra still finds it.
type extra struct {
	code  Code
	inner any
}

// UnwrapDiagnosticExtra lets hcl.DiagnosticExtra see the wrapped value.
func (e extra) UnwrapDiagnosticExtra() any { return e.inner }

// New returns an error diagnostic with a code, a one-line summary, a detail
// sentence and a subject range.
func New(code Code, subject hcl.Range, summary, detail string) *hcl.Diagnostic {
	return newDiag(hcl.DiagError, code, subject, summary, detail)
}

// Warning returns a warning diagnostic.
func Warning(code Code, subject hcl.Range, summary, detail string) *hcl.Diagnostic {
	return newDiag(hcl.DiagWarning, code, subject, summary, detail)
}

func newDiag(sev hcl.DiagnosticSeverity, code Code, subject hcl.Range, summary, detail string) *hcl.Diagnostic {
	r := subject
	return &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Subject: &r, Extra: extra{code: code}}
}

// WithCode sets d's code (keeping any other Extra value) and returns d.
func WithCode(d *hcl.Diagnostic, code Code) *hcl.Diagnostic {
	if e, ok := d.Extra.(extra); ok {
		d.Extra = extra{code: code, inner: e.inner}
		return d
	}
	d.Extra = extra{code: code, inner: d.Extra}
	return d
}

// CodeOf returns the code carried by d, or "" when it has none.
func CodeOf(d *hcl.Diagnostic) Code {
	for x := d.Extra; x != nil; {
		if e, ok := x.(extra); ok {
			return e.code
		}
		u, ok := x.(hcl.DiagnosticExtraUnwrapper)
		if !ok {
			return ""
		}
		x = u.UnwrapDiagnosticExtra()
	}
	return ""
}

// hclSummaries maps the summaries of diagnostics the hcl library produces
// while decoding a body to our codes.
var hclSummaries = []struct {
	prefix string
	code   Code
}{
	{"Unsupported argument", UnknownAttribute},
	{"Unsupported block type", UnknownBlock},
	{"Missing required argument", MissingAttribute},
	{"Insufficient ", MissingAttribute},
	{"Missing ", BadLabels}, // "Missing name for ...", "Missing ... label"
	{"Extraneous label", BadLabels},
	{"Invalid block label", BadLabels},
	{"Attribute redefined", Duplicate},
	{"Duplicate ", Duplicate},
	{"Unexpected ", UnknownBlock},
	{"Too many function arguments", EvalError},
	{"Not enough function arguments", EvalError},
	{"Unknown variable", UndefinedRef},
	{"Unsupported attribute", UndefinedRef},
	{"Call to unknown function", UndefinedRef},
	{"Invalid function argument", EvalError},
}

// Classify gives every diagnostic without a code one: by its hcl summary
// when it is a known decoding diagnostic, otherwise fallback. It also
// rewords the hcl library's awkward messages. It returns diags for
// chaining.
func Classify(diags hcl.Diagnostics, fallback Code) hcl.Diagnostics {
	for _, d := range diags {
		if CodeOf(d) != "" {
			continue
		}
		reword(d)
		code := fallback
		for _, s := range hclSummaries {
			if strings.HasPrefix(d.Summary, s.prefix) {
				code = s.code
				break
			}
		}
		WithCode(d, code)
	}
	return diags
}

// Default gives every diagnostic without a code the given one, whatever
// its summary (for phases such as parsing where all problems are of one
// kind). It returns diags for chaining.
func Default(diags hcl.Diagnostics, code Code) hcl.Diagnostics {
	for _, d := range diags {
		if CodeOf(d) == "" {
			WithCode(d, code)
		}
	}
	return diags
}

// Suggest returns the candidate closest to name when it is close enough to
// be a likely typo, or "".
func Suggest(name string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := levenshtein.Distance(name, c, nil)
		close := d < 3 || strings.EqualFold(name, c) || (len(c) > 5 && d <= len(c)/3) ||
			(commonPrefix(name, c) >= 5 && d <= len(c)/2)
		if close {
			if best == "" || d < bestDist || (d == bestDist && c < best) {
				best, bestDist = c, d
			}
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// DidYouMean returns ` Did you mean "X"?` for the closest candidate, or "".
func DidYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return ` Did you mean "` + s + `"?`
	}
	return ""
}

// Sort orders diagnostics by file, then position, then code, so output is
// stable however the checker visited the recipe.
func Sort(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil && b == nil:
			return false
		case a == nil:
			return true
		case b == nil:
			return false
		}
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Start.Byte != b.Start.Byte {
			return a.Start.Byte < b.Start.Byte
		}
		return CodeOf(diags[i]) < CodeOf(diags[j])
	})
}
