package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644))
	tests := []struct {
		name, path string
	}{
		{"missing file", filepath.Join(dir, "nope.hcl")},
		{"directory without recipes", empty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, diags := Load(tc.path)
			require.NotNil(t, r)
			require.Len(t, diags, 1)
			assert.Equal(t, diag.FileRead, diag.CodeOf(diags[0]))
			assert.Equal(t, tc.path, diags[0].Subject.Filename)
		})
	}
}

// A directory stands for the recipe files directly in it, each its own
// recipe (SPEC §1): Load takes a directory only when it holds one.
func TestDirectoriesHoldRecipes(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.hcl":      "variable \"x\" {}\n",
		"b.hcl.json": `{"variable": {"x": {}}}`,
		"data.json":  `{"not": "a recipe"}`,
		"sub/c.hcl":  "variable \"y\" {}\n",
	}
	for n, s := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644))
	}
	got, diags := RecipeFiles(dir)
	require.Empty(t, diags)
	assert.Equal(t, []string{filepath.Join(dir, "a.hcl"), filepath.Join(dir, "b.hcl.json")}, got,
		"recipe files in name order; not data.json, not subdirectories")

	_, diags = Load(dir)
	require.Len(t, diags, 1, "two recipes: name one")
	assert.Equal(t, diag.FileRead, diag.CodeOf(diags[0]))
	assert.Contains(t, diags[0].Detail, "a.hcl, b.hcl.json")

	r, diags := Load(filepath.Join(dir, "sub"))
	require.Empty(t, diags, "a directory holding one recipe")
	require.Len(t, r.Sources, 1)
	assert.Equal(t, "c.hcl", r.Sources[0].Rel)
	abs, err := filepath.Abs(filepath.Join(dir, "sub"))
	require.NoError(t, err)
	assert.Equal(t, abs, r.Dir)
}

func TestSyntaxErrorsHaveCodes(t *testing.T) {
	_, diags := Parse("/r", map[string][]byte{"r.hcl": []byte("experiment \"x\" {\n  a = @\n}\n"), "j.hcl.json": []byte("{")})
	require.GreaterOrEqual(t, len(diags), 2)
	files := map[string]bool{}
	for _, d := range diags {
		files[d.Subject.Filename] = true
		assert.Equal(t, diag.Syntax, diag.CodeOf(d))
	}
	assert.Len(t, files, 2, "both files report their errors")
}

func TestStringPositions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// offset into the decoded text and the column it must map to
		offset, col, line int
	}{
		{"plain", `x = "abc{{ q }}"`, 3, 9, 1},
		{"after escapes", `x = "a\n\t\"{{ q }}"`, 4, 13, 1},
		{"unicode escape", `x = "\u00e9{{ q }}"`, 2, 12, 1},
		{"dollar escape", `x = "$${a}{{ q }}"`, 4, 11, 1},
		{"heredoc", "x = <<-EOT\n    ab\n    {{ q }}\n  EOT\n", 3, 5, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, diags := hclsyntax.ParseConfig([]byte(tc.src), "r.hcl", hcl.InitialPos)
			require.Empty(t, diags)
			attrs, _ := f.Body.JustAttributes()
			expr := attrs["x"].Expr
			text, ok := StaticString(expr)
			require.True(t, ok)
			pos := StringPositions(expr, text, []byte(tc.src))(tc.offset)
			assert.Equal(t, tc.line, pos.Line, "text %q", text)
			assert.Equal(t, tc.col, pos.Column, "text %q", text)
			assert.Equal(t, tc.src[pos.Byte:pos.Byte+1], text[tc.offset:tc.offset+1])
		})
	}
}
