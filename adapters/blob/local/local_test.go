package local

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/registry"
)

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := New(filepath.Join(t.TempDir(), "blobs"))
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, "ckpt/step_1/weights.bin", strings.NewReader("abc")))
	require.NoError(t, s.Put(ctx, "ckpt/step_1/weights.bin", strings.NewReader("abcd")))
	require.NoError(t, s.Put(ctx, "other", strings.NewReader("x")))
	r, err := s.Get(ctx, "ckpt/step_1/weights.bin")
	require.NoError(t, err)
	data, _ := io.ReadAll(r)
	r.Close()
	require.Equal(t, "abcd", string(data))
	keys, err := s.List(ctx, "ckpt/")
	require.NoError(t, err)
	require.Equal(t, []string{"ckpt/step_1/weights.bin"}, keys)
	ok, err := s.Exists(ctx, "other")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.Delete(ctx, "other"))
	require.NoError(t, s.Delete(ctx, "other"))
	_, err = s.Get(ctx, "other")
	require.True(t, errors.Is(err, fs.ErrNotExist))
	require.ErrorContains(t, err, "blob_store (local): get")
}

func TestStoreRejectsEscapingKeys(t *testing.T) {
	ctx := context.Background()
	s, err := New(t.TempDir())
	require.NoError(t, err)
	for _, key := range []string{"", "/etc/passwd", "../x", "a/../../x", "a//b", ".hidden", "a/.tmp", `a\b`, "."} {
		require.Error(t, s.Put(ctx, key, strings.NewReader("x")), key)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk on fire")
	}
	f.n--
	return copy(p, "x"), nil
}

// A Put whose reader fails leaves the previous blob and no temp file.
func TestPutIsAtomic(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := New(root)
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, "k", strings.NewReader("old")))
	require.Error(t, s.Put(ctx, "k", &failingReader{n: 3}))
	data, err := os.ReadFile(filepath.Join(root, "k"))
	require.NoError(t, err)
	require.Equal(t, "old", string(data))
	entries, _ := os.ReadDir(root)
	require.Len(t, entries, 1)
}

func TestRegisteredDefaultRootIsInRunDir(t *testing.T) {
	run := t.TempDir()
	v, err := registry.New(context.Background(), "blob_store", Name, registry.Config{}, registry.Env{RunDir: run})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(run, "blobs"), v.(*Store).Root)
	_, err = registry.New(context.Background(), "blob_store", Name, registry.Config{}, registry.Env{})
	require.Error(t, err)
}

// A relative root is relative to the run directory, not to the working
// directory, so a resumed run finds its blobs from anywhere; an absolute
// root is kept.
func TestRegisteredRelativeRootIsInRunDir(t *testing.T) {
	run, abs := t.TempDir(), t.TempDir()
	v, err := registry.New(context.Background(), "blob_store", Name, registry.Config{"root": "store/x"}, registry.Env{RunDir: run})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(run, "store", "x"), v.(*Store).Root)
	v, err = registry.New(context.Background(), "blob_store", Name, registry.Config{"root": abs}, registry.Env{RunDir: run})
	require.NoError(t, err)
	require.Equal(t, abs, v.(*Store).Root)
}

// Blobs are ordinary 0644 files, not the 0600 of a temp file.
func TestPutFileMode(t *testing.T) {
	root := t.TempDir()
	s, err := New(root)
	require.NoError(t, err)
	require.NoError(t, s.Put(context.Background(), "a/k", strings.NewReader("v")))
	info, err := os.Stat(filepath.Join(root, "a", "k"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), info.Mode().Perm())
}
