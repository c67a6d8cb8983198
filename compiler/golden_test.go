package compiler

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
)

var update = flag.Bool("update", false, "rewrite golden files")

// validRecipes are the recipe files under testdata/valid.
func validRecipes(t *testing.T) []string {
	t.Helper()
	out, diags := lang.RecipeFiles(filepath.Join("testdata", "valid"))
	require.Empty(t, diags)
	require.GreaterOrEqual(t, len(out), 3)
	return out
}

// encodeNormalised encodes a plan with its absolute base_dir replaced, so
// golden files do not depend on the checkout location.
func encodeNormalised(t *testing.T, p *ir.Plan) []byte {
	t.Helper()
	data, err := ir.Encode(p)
	require.NoError(t, err)
	abs, err := filepath.Abs(filepath.Join("testdata", "valid"))
	require.NoError(t, err)
	return bytes.ReplaceAll(data, []byte(abs), []byte("$TESTDATA"))
}

func TestCompileGolden(t *testing.T) {
	for _, path := range validRecipes(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			res, diags := Compile(path, Options{Catalog: testCatalog()})
			require.Empty(t, diags, "valid recipes compile without any diagnostic")
			require.NotNil(t, res.Plan)
			got := encodeNormalised(t, res.Plan)
			golden := strings.TrimSuffix(strings.TrimSuffix(path, ".json"), ".hcl") + ".plan.json"
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./compiler -run TestCompileGolden -update")
			assert.Equal(t, string(want), string(got))
		})
	}
}

func TestCompileIsDeterministic(t *testing.T) {
	for _, path := range validRecipes(t) {
		var first []byte
		for i := 0; i < 5; i++ {
			res, diags := Compile(path, Options{Catalog: testCatalog()})
			require.False(t, diags.HasErrors())
			data, err := ir.Encode(res.Plan)
			require.NoError(t, err)
			if first == nil {
				first = data
				continue
			}
			require.Equal(t, string(first), string(data), "%s: run %d differs", path, i)
		}
	}
}
