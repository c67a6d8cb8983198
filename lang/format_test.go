package lang

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestFormatGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "fmt", "*.input.hcl"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			got, diags := Format(src, in)
			require.Empty(t, diags)
			golden := strings.TrimSuffix(in, ".input.hcl") + ".golden.hcl"
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./lang -run TestFormatGolden -update")
			assert.Equal(t, string(want), string(got))

			// Idempotence: formatting the output changes nothing.
			again, diags := Format(got, golden)
			require.Empty(t, diags)
			assert.Equal(t, string(got), string(again))
		})
	}
}

func TestFormatRefusesSyntaxErrors(t *testing.T) {
	out, diags := Format([]byte("experiment \"x\" {\n  a = \n"), "bad.hcl")
	assert.Nil(t, out)
	require.NotEmpty(t, diags)
	assert.Equal(t, diag.Syntax, diag.CodeOf(diags[0]))
}
