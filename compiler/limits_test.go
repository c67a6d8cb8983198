package compiler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// chain returns locals l0..l<n-1>, each built from the previous one by
// step (with %[1]s standing for the previous local).
func chain(first, step string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "locals {\n  l0 = %s\n", first)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  l%d = %s\n", i, fmt.Sprintf(step, fmt.Sprintf("local.l%d", i-1)))
	}
	fmt.Fprintf(&b, "}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = local.l%d\n  }\n}\n", n-1)
	return b.String()
}

const oneLocal = "locals {\n  x = %s\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = local.x\n  }\n}\n"

// Inputs of a few lines that ask for billions of values must be refused
// with a diagnostic instead of hanging the checker or exhausting memory.
func TestCostlyExpressionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		vars      map[string]string
		summary   string
	}{
		{"nested for", fmt.Sprintf(oneLocal, "[for a in range(1000): [for b in range(1000): [for c in range(1000): 1]]]"), nil, costSummary},
		{"template doubling", chain(`"ab"`, `"${%[1]s}${%[1]s}"`, 60), nil, costSummary},
		{"tuple doubling", chain("[1, 2]", "[%[1]s, %[1]s]", 80), nil, "Value too large"},
		{"deep equality", fmt.Sprintf(oneLocal, "[for x in range(1000): range(1000)] == [for x in range(1000): range(1000)]"), nil, costSummary},
		{"function results", fmt.Sprintf(oneLocal, "[for a in range(250): [for b in range(1000): range(1000)]]"), nil, costSummary},
		{"flatten", fmt.Sprintf(oneLocal, "length(flatten([for x in range(1000): range(1000)]))"), nil, costSummary},
		{"command line", "variable \"v\" {\n  type = list(any)\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = var.v\n  }\n}\n",
			map[string]string{"v": "[for a in range(1000): [for b in range(1000): [for c in range(1000): 1]]]"}, ""},
		{"deep command line", "variable \"v\" {\n  type = list(any)\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = var.v\n  }\n}\n",
			map[string]string{"v": strings.Repeat("[", 200_000)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan hcl.Diagnostics)
			go func() {
				_, diags := CompileSource(mustAbs(t, "testdata/valid"), map[string][]byte{"r.hcl": []byte(tc.src)},
					Options{Catalog: testCatalog(), Vars: tc.vars}, true)
				done <- diags
			}()
			var diags hcl.Diagnostics
			select {
			case diags = <-done:
			case <-time.After(time.Minute):
				t.Fatal("the checker hangs")
			}
			var codes []diag.Code
			var summaries []string
			for _, d := range diags {
				codes = append(codes, diag.CodeOf(d))
				summaries = append(summaries, d.Summary)
			}
			if tc.summary != "" {
				assert.Contains(t, summaries, tc.summary)
				assert.LessOrEqual(t, strings.Count(strings.Join(summaries, "\n"), costSummary), 1, "one diagnostic for a spent budget: %q", summaries)
			} else {
				assert.Equal(t, []diag.Code{diag.BadVarFlag}, codes)
			}
		})
	}
}

// Ordinary use of for expressions and templates is far within the limits.
func TestReasonableExpressionsPass(t *testing.T) {
	src := fmt.Sprintf(oneLocal, `{ for i in range(1000) : "k${i}" => [for j in range(50) : "${i}-${j}"] }`)
	_, codes := compileSrc(t, "r.hcl", src, Options{}, true)
	assert.Empty(t, codes)
	src = chain(`"abcdefgh"`, `"${%[1]s}${%[1]s}"`, 12) // 16 KB of text
	_, codes = compileSrc(t, "r.hcl", src, Options{}, true)
	assert.Empty(t, codes)
}
