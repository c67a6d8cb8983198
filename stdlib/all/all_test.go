package all_test

import (
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
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Schema.Name
	}
	require.Equal(t, []string{"distill", "dpo_train", "evaluate", "noop", "rl_train", "sample", "supervised_train"}, names)
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
