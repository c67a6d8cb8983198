//go:build unix

package interp

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockRunDir takes an exclusive lock on the run directory so two
// processes never write the same run. The kernel drops the lock when the
// process dies, so a crash never leaves a stale lock behind.
func lockRunDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking run directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, &RunDirError{Dir: dir, Reason: "another cookbookc process is using this run directory", Err: err}
	}
	return f, nil
}
