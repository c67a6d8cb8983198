package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	require.NoError(t, Write(path, []byte("one"), 0o644))
	require.NoError(t, Write(path, []byte("two"), 0o600))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "two", string(data))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the mode is the caller's (less the umask), not a temp file's")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp files are left behind")

	// A temp file left by a crash is recognised and cleaned up.
	left := ".plan.json" + tempMarker + "123"
	require.True(t, IsTemp(left))
	require.False(t, IsTemp("plan.json"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, left), nil, 0o644))
	RemoveTemps(dir)
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	err = Write(filepath.Join(dir, "missing", "x"), nil, 0o644)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Contains(t, err.Error(), filepath.Join(dir, "missing", "x"), "the error names the file asked for")
}

type failingReader struct{ after int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after == 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), r.after)
	r.after -= n
	return n, nil
}

func TestWriteFromKeepsTheOldFileWhenTheReaderFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "blob")
	require.NoError(t, WriteFrom(path, strings.NewReader("complete"), 0o644))
	err := WriteFrom(path, &failingReader{after: 3}, 0o644)
	require.ErrorContains(t, err, "connection reset")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "complete", string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the partial temp file is removed")
}
