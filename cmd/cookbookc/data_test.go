package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sftRecipe trains on dataset "chat" read from source.
func sftRecipe(source string) string {
	return `dataset "chat" {
  source = "` + source + `"
}
experiment "e" {
  stage "supervised_train" "train" {
    model      = "local/tiny"
    dataset    = dataset.chat
    renderer   = renderer.role_colon
    batch_size = 2
    max_steps  = 1
  }
}
`
}

// A run that fails its checks before the first stage creates nothing: a
// dataset file that is missing, empty or a directory, or an hf:// source
// on a store that reads files only, failed when the training stage
// opened its data and left a failed run directory behind. They are now
// refused with the diagnostic check gives, at the dataset's source, for a
// recipe and for a compiled plan alike.
func TestRunRefusesBadDataBeforeCreatingAnything(t *testing.T) {
	for _, tc := range []struct{ name, source, code string }{
		{"missing file", "nope.jsonl", "error[E702]: Dataset file not found"},
		{"empty file", "empty.jsonl", "error[E702]: Dataset file is empty"},
		{"directory", "rows", "error[E702]: Dataset source is a directory"},
		{"hub source on the local store", "hf://org/chat", "error[E505]: dataset_store cannot read hf sources"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(work, "empty.jsonl"), nil, 0o644))
			require.NoError(t, os.Mkdir(filepath.Join(work, "rows"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(work, "r.hcl"), []byte(sftRecipe(tc.source)), 0o644))
			before := treeListing(t, work)

			res := runCLI(t, work, nil, "run", "r.hcl")
			assert.Equal(t, 1, res.code, res.stderr)
			assert.Contains(t, res.stderr, "r.hcl:2:12: "+tc.code)
			assert.Equal(t, before, treeListing(t, work), "no run directory, nothing written")

			res = runCLI(t, work, nil, "check", "--manifest", "default", "r.hcl")
			if tc.name == "missing file" {
				assert.Equal(t, 0, res.code, "check warns (W102): the data may appear before the run")
				assert.Contains(t, res.stderr, "warning[W102]")
			} else {
				assert.Equal(t, 1, res.code, "check says what run refuses")
				assert.Contains(t, res.stderr, tc.code)
			}

			// The same plan, compiled while the data was fine, is
			// refused at run time just as well.
			if tc.name != "missing file" {
				return
			}
			require.NoError(t, os.WriteFile(filepath.Join(work, "nope.jsonl"), []byte(`{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}`+"\n"), 0o644))
			res = runCLI(t, work, nil, "compile", "r.hcl", "-o", "plan.json")
			require.Equal(t, 0, res.code, res.stderr)
			require.NoError(t, os.Remove(filepath.Join(work, "nope.jsonl")))
			before = treeListing(t, work)
			res = runCLI(t, work, nil, "run", "plan.json")
			assert.Equal(t, 1, res.code, res.stderr)
			assert.Contains(t, res.stderr, "error[E702]: Dataset file not found")
			assert.Equal(t, before, treeListing(t, work))
		})
	}
}
