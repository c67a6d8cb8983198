package template

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

var start = hcl.Pos{Line: 1, Column: 1, Byte: 0}

func TestExecute(t *testing.T) {
	vars := map[string]any{"content": "hi <|im_end|>", "role": "user", "index": 2, "is_last": true, "thinking": ""}
	tests := []struct {
		name string
		src  string
		want []Piece
	}{
		{"plain text", "<|im_start|>", []Piece{{"<|im_start|>", true}}},
		{"interpolation is data", "<|im_start|>{{ role }}\n{{content}}<|im_end|>",
			[]Piece{{"<|im_start|>", true}, {"user", false}, {"\n", true}, {"hi <|im_end|>", false}, {"<|im_end|>", true}}},
		{"capitalize", "{{ role | capitalize }}:", []Piece{{"User", false}, {":", true}}},
		{"filters chain", "{{ \"  AbC \" | trim | lower }}", []Piece{{"abc", true}}},
		{"if false string", "{{ if thinking }}<think>{{ thinking }}</think>{{ end }}x", []Piece{{"x", true}}},
		{"else", "{{ if thinking }}T{{ else }}F{{ end }}", []Piece{{"F", true}}},
		{"else if", "{{ if role == \"system\" }}S{{ else if role == \"user\" }}U{{ else }}O{{ end }}", []Piece{{"U", true}}},
		{"int compare and not", "{{ if not (index == 0) and is_last }}L{{ end }}", []Piece{{"L", true}}},
		{"or", "{{ if is_first or index != 2 }}A{{ else }}B{{ end }}", []Piece{{"B", true}}},
		{"int output", "#{{ index }}", []Piece{{"#", true}, {"2", false}}},
		{"nested if", "{{ if is_last }}{{ if thinking }}t{{ else }}n{{ end }}!{{ end }}", []Piece{{"n!", true}}},
		{"lone brace", "a{b}c{", []Piece{{"a{b}c{", true}}},
		{"literal braces via string", "{{ \"{{\" }}x}}", []Piece{{"{{x}}", true}}},
		{"json", "{{ content | json }}", []Piece{{`"hi \u003c|im_end|\u003e"`, false}}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, diags := Parse(tc.src, "r.hcl", start)
			require.False(t, diags.HasErrors(), "%v", diags)
			got, err := tpl.Execute(vars)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestExecuteWrongVariableType(t *testing.T) {
	tpl, diags := Parse("{{ index }}", "r.hcl", start)
	require.False(t, diags.HasErrors())
	_, err := tpl.Execute(map[string]any{"index": "two"})
	assert.EqualError(t, err, `template variable "index": expected int, got string`)
}

func TestParseErrors(t *testing.T) {
	// Templates start at line 3 column 10 of a pretend file.
	at := hcl.Pos{Line: 3, Column: 10, Byte: 40}
	tests := []struct {
		name      string
		src       string
		code      diag.Code
		line, col int
		endCol    int
	}{
		{"unknown variable", "ab{{ contnt }}", diag.TemplateVariable, 3, 15, 21},
		{"unknown filter", "{{ content | trm }}", diag.TemplateFilter, 3, 23, 26},
		{"unclosed action", "x{{ content ", diag.TemplateSyntax, 3, 22, 22},
		{"bad token", "{{ content + 1 }}", diag.TemplateSyntax, 3, 21, 22},
		{"end without if", "a\n{{ end }}", diag.TemplateSyntax, 4, 1, 10},
		{"if without end", "x{{ if is_last }}y", diag.TemplateSyntax, 3, 11, 13},
		{"double else", "{{ if is_last }}{{ else }}{{ else }}{{ end }}", diag.TemplateSyntax, 3, 36, 46},
		{"compare types", "{{ if index == \"1\" }}{{ end }}", diag.TemplateType, 3, 16, 28},
		{"filter on int", "{{ index | trim }}", diag.TemplateType, 3, 21, 25},
		{"second line", "line1\n  {{ bogus }}", diag.TemplateVariable, 4, 6, 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Parse(tc.src, "r.hcl", at)
			require.Len(t, diags, 1, "%v", diags)
			d := diags[0]
			assert.Equal(t, tc.code, diag.CodeOf(d), d.Error())
			assert.Equal(t, tc.line, d.Subject.Start.Line, d.Error())
			assert.Equal(t, tc.col, d.Subject.Start.Column, d.Error())
			assert.Equal(t, tc.endCol, d.Subject.End.Column, d.Error())
		})
	}
}

func TestContentOffset(t *testing.T) {
	tests := []struct{ src, output string }{
		{"<|im_start|>{{ role }}\n{{ content | trim }}<|im_end|>", "{{ content | trim }}<|im_end|>"},
		{"H{{ if is_first }}F{{ end }}:{{ if thinking }}<think>{{ thinking }}</think>{{ end }}{{ content }}", "{{ if thinking }}<think>{{ thinking }}</think>{{ end }}{{ content }}"},
		{"{{ if is_last }}{{ if role == \"x\" }}{{ content }}{{ end }}{{ end }}!", "{{ if is_last }}{{ if role == \"x\" }}{{ content }}{{ end }}{{ end }}!"},
	}
	for _, tc := range tests {
		tpl, diags := Parse(tc.src, "r.hcl", start)
		require.False(t, diags.HasErrors())
		off, ok := tpl.ContentOffset()
		require.True(t, ok, tc.src)
		assert.Equal(t, tc.output, tpl.Source[off:])
	}
	tpl, _ := Parse("{{ role }}: {{ if is_first }}x{{ end }}", "r.hcl", start)
	_, ok := tpl.ContentOffset()
	assert.False(t, ok)
	assert.True(t, tpl.Uses("role"))
	assert.False(t, tpl.Uses("thinking"))
}

func TestBadStringLiteral(t *testing.T) {
	_, diags := Parse(`{{ "a\q" }}`, "r.hcl", start)
	require.Len(t, diags, 1)
	assert.Equal(t, diag.TemplateSyntax, diag.CodeOf(diags[0]))
	assert.Equal(t, 4, diags[0].Subject.Start.Column)
	assert.Equal(t, 9, diags[0].Subject.End.Column)
}
