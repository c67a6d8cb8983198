package data_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/fake"
	"github.com/cookbookc/cookbookc/adapters/hfdata"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/data"
)

// dirHub is a test-only ports.HubClient serving DIR/ORG/NAME/PATH for any
// revision.
type dirHub string

func (h dirHub) Download(_ context.Context, repo, file, _ string) (string, error) {
	p := filepath.Join(string(h), filepath.FromSlash(strings.TrimPrefix(repo, ports.DatasetRepoPrefix)), filepath.FromSlash(file))
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

func (h dirHub) ListFiles(_ context.Context, repo, _ string) ([]string, error) {
	root := filepath.Join(string(h), filepath.FromSlash(strings.TrimPrefix(repo, ports.DatasetRepoPrefix)))
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	return out, err
}

// TestBadHubRowThroughLoad shows the message a user gets for a bad row of
// a hub dataset read through the hf dataset store: the shard's hf:// path
// and the line; skip_bad_rows skips it and counts it.
func TestBadHubRowThroughLoad(t *testing.T) {
	dir := t.TempDir()
	shard := filepath.Join(dir, "org", "chat", "data")
	require.NoError(t, os.MkdirAll(shard, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(shard, "train-00000-of-00002.jsonl"),
		[]byte(`{"question":"q1","answer":"a1"}`+"\n"+`{"question":"q2","answer":"a2"}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(shard, "train-00001-of-00002.jsonl"),
		[]byte(`{"question":"q3","answer":"a3"}`+"\n"+`{"question": broken}`+"\n"+`{"question":"q4","answer":"a4"}`+"\n"), 0o644))
	s := &hfdata.Store{Hub: func(context.Context) (ports.HubClient, error) { return dirHub(dir), nil }}

	ds := ir.Dataset{Name: "chat", Source: "hf://org/chat", Split: "train"}
	_, err := data.Load(context.Background(), s, ds, t.TempDir(), data.Options{})
	require.ErrorContains(t, err, `dataset "chat": hf://org/chat/data/train-00001-of-00002.jsonl:2: invalid JSON`)
	ds.SkipBadRows = true
	loaded, err := data.Load(context.Background(), s, ds, t.TempDir(), data.Options{})
	require.NoError(t, err)
	require.Len(t, loaded.Train, 4)
	require.Equal(t, 1, loaded.Skipped)
}

// TestFakeStoreRowsLoad: the fake dataset store's rows load end to end.
func TestFakeStoreRowsLoad(t *testing.T) {
	ds, err := data.Load(context.Background(), &fake.DatasetStore{Rows: 20},
		ir.Dataset{Name: "d", Source: "file://x.jsonl", Format: "messages", FileFormat: "auto", TestFraction: 0.25}, "", data.Options{})
	require.NoError(t, err)
	require.Len(t, ds.Train, 15)
	require.Len(t, ds.Test, 5)
}
