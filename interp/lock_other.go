//go:build !unix

package interp

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockRunDir opens the lock file; without flock(2) this platform does not
// stop two processes from running the same directory.
func lockRunDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking run directory: %w", err)
	}
	return f, nil
}
