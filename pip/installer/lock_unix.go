//go:build unix

package installer

import (
	"os"
	"syscall"
)

// lockFile creates path and holds an exclusive lock on it, so that
// Recover in another process leaves this transaction alone.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// tryLock locks an existing lock file, failing at once if it is held:
// with flock that is exactly lockFile.
func tryLock(path string) (*os.File, error) { return lockFile(path) }
