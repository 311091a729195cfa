package pip

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pipup/pipup/internal/filelock"
)

// A run's private folder (<cache>/upgrade/run-*) is removed when the run
// ends; a pipup killed outright leaves it behind, wheels and all. The
// folder holds a lock file, locked for the run's life, so that a sweep by
// another pipup (at the end of its own run, or pipup cache clean) tells a
// live run from a dead one. Locks are gofrs/flock's (flock on Unix,
// LockFileEx on Windows): released by the OS when the process dies.

// WorkDirMaxAge is how old a run folder nobody holds must be before a run
// sweeps it: a day, far longer than any run, as the HTTP cache keeps its
// temp files an hour. pipup cache clean removes unheld ones of any age.
const WorkDirMaxAge = 24 * time.Hour

// workLockName is the lock file in a run folder.
const workLockName = "lock"

// workDirPrefix names the run folders.
const workDirPrefix = "run-"

// workDirGrace protects a folder being made, in the moment between its
// creation and its lock: one that young without a lock file is left alone
// even by a clean of every age.
const workDirGrace = time.Minute

// WorkDirsBase is where the run folders live under a cache root.
func WorkDirsBase(cacheRoot string) string { return filepath.Join(cacheRoot, "upgrade") }

// WorkDirs counts the run folders under a base.
type WorkDirs struct {
	Left  int   // not held by a live run: left by killed runs
	Live  int   // held by a run in progress
	Bytes int64 // both together
}

// WorkDirsRemoved counts the run folders a sweep removed.
type WorkDirsRemoved struct {
	Folders int
	Bytes   int64
}

// InspectWorkDirs counts the run folders under base, touching none.
func InspectWorkDirs(base string) (WorkDirs, error) {
	var w WorkDirs
	dirs, err := runDirs(base)
	if err != nil {
		return w, err
	}
	for _, d := range dirs {
		w.Bytes += treeSize(d)
		if held(d) {
			w.Live++
		} else {
			w.Left++
		}
	}
	return w, nil
}

// SweepWorkDirs removes the run folders under base that no live run holds
// and that were made at least olderThan before now (0: any age). It is
// safe beside other pipup processes: a held folder is never touched.
func SweepWorkDirs(base string, olderThan time.Duration, now time.Time) (WorkDirsRemoved, error) {
	var r WorkDirsRemoved
	dirs, err := runDirs(base)
	if err != nil {
		return r, err
	}
	var errs []error
	for _, d := range dirs {
		fi, err := os.Lstat(d)
		if err != nil {
			continue // gone meanwhile
		}
		age := now.Sub(fi.ModTime())
		if age < olderThan {
			continue
		}
		lockPath := filepath.Join(d, workLockName)
		if _, err := os.Lstat(lockPath); errors.Is(err, fs.ErrNotExist) && age < workDirGrace {
			continue // being made: its lock comes next
		}
		l, err := filelock.TryLock(lockPath)
		if err != nil {
			continue // a live run's (or not ours to judge)
		}
		size := treeSize(d)
		err = os.RemoveAll(d)
		l.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("remove run folder: %w", err))
			continue
		}
		r.Folders++
		r.Bytes += size
	}
	return r, errors.Join(errs...)
}

// runDirs lists base's run folders; a missing base has none.
func runDirs(base string) ([]string, error) {
	ents, err := os.ReadDir(base)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read run folders: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), workDirPrefix) {
			out = append(out, filepath.Join(base, e.Name()))
		}
	}
	return out, nil
}

// held reports whether a live run holds the folder's lock, opening the
// lock file read-only (a look creates nothing). A folder without one is
// a live run's only while it is being made.
func held(dir string) bool {
	path := filepath.Join(dir, workLockName)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		fi, err := os.Lstat(dir)
		return err == nil && time.Since(fi.ModTime()) < workDirGrace
	}
	h, err := filelock.Held(path)
	return err == nil && h
}

// treeSize is the bytes of the regular files under dir, best effort.
func treeSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// makeWorkDir creates the run's private directory under pipup's cache.
func (u *upgrader) makeWorkDir() error {
	base := u.workBase()
	if err := os.MkdirAll(base, 0o700); err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	dir, err := os.MkdirTemp(base, workDirPrefix)
	if err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	lock, err := filelock.TryLock(filepath.Join(dir, workLockName))
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("lock work directory %s: %w", dir, err)
	}
	for _, sub := range []string{"wheels", "tmp", "logs", "sdists"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			lock.Close()
			os.RemoveAll(dir)
			return fmt.Errorf("work directory: %w", err)
		}
	}
	u.work, u.workLock = dir, lock
	return nil
}

// removeWorkDir deletes the run's private directory, then lets go of its
// lock.
func (u *upgrader) removeWorkDir() {
	os.RemoveAll(u.work)
	if u.workLock != nil {
		u.workLock.Close()
	}
}

// workBase is where makeWorkDir makes the run folders.
func (u *upgrader) workBase() string {
	base := u.e.CacheDir
	if base == "" {
		base = u.e.tempDir
	}
	return WorkDirsBase(base)
}
