// Package journal writes the files of a run directory so that a crash at
// any instant leaves them readable: whole files are replaced atomically
// (temp file, fsync, rename, fsync of the directory) and JSONL logs are
// appended one whole line per write, with a torn last line (a crash in the
// middle of a write) detected and dropped when the log is read or reopened.
package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cookbookc/cookbookc/interp/failpoint"
)

// WriteFileAtomic replaces path with data. Readers see the old content or
// the new content, never a mix; after it returns the new content survives
// a power cut (the file and its directory entry are fsynced).
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
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
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
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

// RemoveTemps deletes temp files a crashed WriteFileAtomic left in dir.
func RemoveTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
