package all_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/cookbookc/cookbookc/stdlib/all"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// TestEveryKindsConfigMatchesItsSchema: every registered stage kind
// decodes its inputs into a typed Config whose fields are exactly the
// schema's inputs, with Go types that hold the declared types, and every
// input default passes the input's own enum and bounds.
func TestEveryKindsConfigMatchesItsSchema(t *testing.T) {
	kinds := stage.Kinds()
	// Every folder under stdlib/stages is a kind, registered through a
	// line here (a kind whose import line is missing would be unknown to
	// check and run).
	dirs, err := os.ReadDir(filepath.Join("..", "stages"))
	require.NoError(t, err)
	folders := 0
	for _, d := range dirs {
		if d.IsDir() {
			folders++
		}
	}
	require.Equal(t, folders, len(kinds), "stdlib/stages has %d kind folders but %d kinds are registered: add the missing import to stdlib/all", folders, len(kinds))
	for _, k := range kinds {
		t.Run(k.Schema.Name, func(t *testing.T) {
			require.NotNil(t, k.Config, "register the kind with stage.Define (or stage.Declare) so its inputs decode into a typed Config")
			require.NoError(t, stage.CheckConfig(k.Schema, k.Config))
			require.NotEmpty(t, k.Schema.Summary)
			for _, f := range k.Schema.Inputs {
				require.NotEmpty(t, f.Doc, "input %s has no doc", f.Name)
				if s, ok := f.Default.(string); ok {
					require.True(t, f.InEnum(s), "input %s: default %q is not in its enum", f.Name, s)
				}
				if n, ok := f.Default.(float64); ok {
					require.True(t, f.InRange(n), "input %s: default %v is out of bounds", f.Name, n)
				}
				if n, ok := f.Default.(int64); ok {
					require.True(t, f.InRange(float64(n)), "input %s: default %v is out of bounds", f.Name, n)
				}
			}
			for _, o := range k.Schema.Outputs {
				require.NotEmpty(t, o.Doc, "output %s has no doc", o.Name)
			}
		})
	}
}
