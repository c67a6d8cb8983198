// Package atomicfile replaces whole files so that a crash at any instant
// leaves the old content or the new one, never a mix: write a temp file in
// the same directory, fsync it, rename it over the target, fsync the
// directory.
//
// It is the one implementation of this for the whole module. It lives on
// the lowest floor (lang/) because the interpreter's run directory, the
// CLI, stage kinds (samples.jsonl) and adapters (blobs, hub downloads,
// vector collections) all write files this way, and none of them may
// import another's package for it. Its crash points are failpoints
// "atomic.before-rename" and "atomic.after-rename" (lang/failpoint).
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cookbookc/cookbookc/lang/failpoint"
)

// tempMarker is in the name of every temp file: "." + base + tempMarker +
// random suffix.
const tempMarker = ".tmp-"

// Write replaces path with data. The file gets permissions perm less the
// umask, as with os.WriteFile. Readers see the old content or the new
// content, never a mix; after it returns the new content survives a power
// cut (the file and its directory entry are fsynced).
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFrom is Write with the content streamed from r (a download, an
// upload). An error reading r leaves path untouched.
func WriteFrom(path string, r io.Reader, perm os.FileMode) error {
	return write(path, perm, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

func write(path string, perm os.FileMode, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := createTemp(path, perm)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // name the file asked for, not the temp file
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := fill(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: fsync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	failpoint.Hit("atomic.before-rename")
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	ok = true
	failpoint.Hit("atomic.after-rename")
	return SyncDir(dir)
}

// createTemp creates a new temp file beside path with permissions perm
// (less the umask; os.CreateTemp would always make it 0600).
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	prefix := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+tempMarker)
	for try := 0; ; try++ {
		var b [6]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		f, err := os.OpenFile(prefix+hex.EncodeToString(b[:]), os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil || !errors.Is(err, fs.ErrExist) || try == 100 {
			return f, err
		}
	}
}

// SyncDir fsyncs a directory so that entries created or renamed in it
// survive a power cut.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

// IsTemp reports whether a file name is one of Write's temp files.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// RemoveTemps deletes the temp files a crashed Write left in dir.
func RemoveTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".*"+tempMarker+"*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
