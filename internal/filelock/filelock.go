// Package filelock takes the exclusive, non-blocking file locks that mark
// pipup's crash-safe folders as in use: a native install's staging
// directory, an upgrade's work folder. The locks are gofrs/flock's (flock
// on Unix, LockFileEx on Windows), which the OS releases when the process
// dies, so a lock another process can take marks a folder its owner left.
package filelock

import (
	"errors"
	"os"

	"github.com/gofrs/flock"
)

// ErrHeld is TryLock's error when another process holds the lock.
var ErrHeld = errors.New("held by another process")

// TryLock creates path if it is missing and locks it, or fails at once
// (ErrHeld when another process holds it). Close releases it.
func TryLock(path string) (*flock.Flock, error) {
	l := flock.New(path)
	ok, err := l.TryLock()
	if err == nil && !ok {
		err = ErrHeld
	}
	if err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Held reports whether another process holds the lock on the existing
// file path. It opens the file read-only, so a look creates nothing; an
// error (a missing file among them) says nothing is known.
func Held(path string) (bool, error) {
	l := flock.New(path, flock.SetFlag(os.O_RDONLY))
	ok, err := l.TryLock()
	if err != nil {
		return false, err
	}
	l.Close()
	return !ok, nil
}
