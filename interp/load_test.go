package interp_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/lang/diag"
)

func TestLoadRecipeOrPlan(t *testing.T) {
	cat := interp.Catalog()
	loaded, diags := interp.Load("testdata/two.hcl", nil, interp.LoadOptions{Catalog: cat, Manifest: "test", Vars: map[string]string{"greeting": "hi"}})
	require.False(t, diags.HasErrors(), "%v", diags)
	require.Equal(t, "two", loaded.Plan.Experiment)
	require.Equal(t, "fake", loaded.Bindings["training_client"].Adapter)
	require.NotEmpty(t, loaded.Sources)

	res, err := interp.Run(context.Background(), interp.Options{Plan: loaded.Plan, Catalog: cat, Bindings: loaded.Bindings, RunsDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, `{"value":"hi"}`, outputs(t, res)["second"])

	// The same plan through plan.json.
	data, err := ir.Encode(loaded.Plan)
	require.NoError(t, err)
	planPath := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(planPath, data, 0o644))
	fromFile, diags := interp.Load(planPath, nil, interp.LoadOptions{Catalog: cat, Manifest: "test"})
	require.False(t, diags.HasErrors(), "%v", diags)
	require.Equal(t, loaded.Plan, fromFile.Plan)
	require.Equal(t, loaded.Bindings, fromFile.Bindings)

	for _, tc := range []struct {
		path string
		opts interp.LoadOptions
		want string
	}{
		{planPath, interp.LoadOptions{Catalog: cat, Vars: map[string]string{"x": "1"}}, "--var applies to recipes"},
		{filepath.Join(t.TempDir(), "missing.json"), interp.LoadOptions{Catalog: cat}, "no such file"},
		{"testdata/two.hcl", interp.LoadOptions{Catalog: cat, Manifest: "nope"}, "nope"},
		{"testdata/two.hcl", interp.LoadOptions{Catalog: cat, Vars: map[string]string{"nope": "1"}}, "nope"},
	} {
		_, diags := interp.Load(tc.path, nil, tc.opts)
		require.True(t, diags.HasErrors(), tc.path)
		require.Contains(t, diags.Error(), tc.want)
		for _, d := range diags {
			// Printed as file:line:col: error[CODE], never the E999 of
			// an unclassified diagnostic.
			require.NotNil(t, d.Subject, "%s: %v", tc.path, d)
			require.NotEmpty(t, diag.CodeOf(d), "%s: %v", tc.path, d)
		}
	}
	_, diags = interp.Load(filepath.Join(t.TempDir(), "missing.json"), nil, interp.LoadOptions{Catalog: cat})
	require.Equal(t, diag.FileRead, diag.CodeOf(diags[0]))
}
