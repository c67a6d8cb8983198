package template

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// Parentheses and `not` recurse in the parser, {{ if }} in execution; a
// template of a few hundred kilobytes took seconds to parse (100,000
// parentheses: 17 s) and could exhaust the stack. Such templates are
// refused before parsing, at the token past MaxNesting.
func TestTemplateNestingLimit(t *testing.T) {
	n := MaxNesting
	tests := []struct {
		name, src string
		deep      bool
		offset    int // byte offset of the reported token (deep only)
	}{
		{"parentheses", "{{ " + strings.Repeat("(", 100_000) + "content" + strings.Repeat(")", 100_000) + " }}", true, 3 + n},
		{"not chain", "{{ if " + strings.Repeat("not ", 100_000) + "is_first }}x{{ end }}", true, 6 + 4*(n-1)}, // the {{ if }} is one level
		{"if blocks", strings.Repeat("{{ if is_first }}", 100_000) + strings.Repeat("{{ end }}", 100_000), true, 17*n + 3},
		{"at the limit", strings.Repeat("{{ if is_first }}", n) + "{{ content }}" + strings.Repeat("{{ end }}", n), false, 0},
		{"many in sequence", strings.Repeat("{{ if (not is_first) }}x{{ end }}", 5_000), false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, diags := Parse(tc.src, "r.hcl", hcl.InitialPos)
			if !tc.deep {
				require.Empty(t, diags)
				_, err := tpl.Execute(map[string]any{"content": "c", "is_first": true})
				require.NoError(t, err)
				return
			}
			require.Len(t, diags, 1)
			assert.Equal(t, diag.TemplateSyntax, diag.CodeOf(diags[0]))
			assert.Equal(t, "Template nested too deeply", diags[0].Summary)
			assert.Equal(t, tc.offset, diags[0].Subject.Start.Byte)
		})
	}
}
