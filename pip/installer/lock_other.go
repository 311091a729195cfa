//go:build !unix

package installer

import (
	"errors"
	"os"
)

// lockFile creates path; without flock the lock is its existence only.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
}

// tryLock cannot tell a live install from a dead one here, so Recover
// leaves every staging directory alone on this platform.
func tryLock(string) (*os.File, error) {
	return nil, errors.New("recovery needs flock")
}
