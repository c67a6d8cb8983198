package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// dataRecipe is a recipe whose one stage reads dataset "chat" from
// source, with manifest "m" binding dataset_store to the local store
// with config root (none when root is "").
func dataRecipe(source, root string) string {
	cfg := ""
	if root != "" {
		cfg = fmt.Sprintf("    config {\n      root = %q\n    }\n", root)
	}
	return fmt.Sprintf(`dataset "chat" {
  source = %q
}
manifest "m" {
  port "dataset_store" {
    adapter = "local"
%s  }
}
experiment "x" {
  stage "noop" "a" {
    value = dataset.chat
  }
}
`, source, cfg)
}

// What run refused only when a stage opened its data (leaving a failed
// run directory) is found by the checker: the file is looked up as the
// bound store looks it up (its root config included), and a run
// (RequireData) refuses a missing file instead of warning.
func TestDatasetSourceChecks(t *testing.T) {
	dir := t.TempDir()
	rows := filepath.Join(dir, "rows")
	require.NoError(t, os.MkdirAll(filepath.Join(rows, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(rows, "chat.jsonl"), []byte("{}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(rows, "empty.jsonl"), nil, 0o644))
	tests := []struct {
		name, source, root string
		opts               Options
		want               []diag.Code
	}{
		{"found under root", "chat.jsonl", rows, Options{Manifest: "m"}, nil},
		{"missing under root", "nope.jsonl", rows, Options{Manifest: "m"}, []diag.Code{diag.DataFileMissing}},
		{"missing, for a run", "nope.jsonl", rows, Options{Manifest: "m", RequireData: true}, []diag.Code{diag.DataFile}},
		{"absolute path", "file://" + filepath.Join(rows, "chat.jsonl"), "", Options{Manifest: "m"}, nil},
		{"directory", "sub", rows, Options{Manifest: "m"}, []diag.Code{diag.DataFile}},
		{"empty", "empty.jsonl", rows, Options{Manifest: "m"}, []diag.Code{diag.DataFile}},
		{"hub source on the local store", "hf://org/name", "", Options{Manifest: "m"}, []diag.Code{diag.DatasetSource}},
		{"hub source on the hf store", "hf://org/name", "", Options{Manifest: "dev"}, nil},
		{"hub source, no manifest chosen", "hf://org/name", "", Options{}, nil},
		{"the fake store reads nothing", "nope.jsonl", "", Options{Manifest: "test", RequireData: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, codes := compileSrc(t, "r.hcl", dataRecipe(tc.source, tc.root), tc.opts, true)
			assert.Equal(t, tc.want, codes)
		})
	}
}

// A file the checker cannot open is reported before a run. (Root reads
// every file, so this only runs as another user.)
func TestDatasetFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read a file without read permission")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "secret.jsonl")
	require.NoError(t, os.WriteFile(p, []byte("{}\n"), 0o000))
	_, codes := compileSrc(t, "r.hcl", dataRecipe("file://"+p, ""), Options{Manifest: "m"}, true)
	assert.Equal(t, []diag.Code{diag.DataFile}, codes)
}

// A compiled plan about to run gets the same checks, at the dataset
// blocks it records.
func TestCheckPlanDatasets(t *testing.T) {
	res, diags := CompileSource(mustAbs(t, "testdata/valid"), map[string][]byte{"r.hcl": []byte(dataRecipe("chat.jsonl", ""))},
		Options{Catalog: testCatalog()}, true)
	require.Empty(t, diags)
	cat := testCatalog()
	bindings, diags := ResolveManifest(cat, res.Plan, "m", nil)
	require.Empty(t, diags)
	assert.Empty(t, CheckPlanDatasets(cat, res.Plan, bindings, true), "chat.jsonl is in testdata/valid")

	ds := res.Plan.Datasets["chat"]
	ds.Source = "file://gone.jsonl"
	res.Plan.Datasets["chat"] = ds
	diags = CheckPlanDatasets(cat, res.Plan, bindings, true)
	require.Len(t, diags, 1)
	assert.Equal(t, diag.DataFile, diag.CodeOf(diags[0]))
	assert.Equal(t, "r.hcl", diags[0].Subject.Filename)
	assert.Equal(t, 1, diags[0].Subject.Start.Line, "the dataset block")
}
