//go:build unix

package failpoint

import (
	"os"
	"syscall"
)

// killSelf sends SIGKILL to the process and waits for it to land.
func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
