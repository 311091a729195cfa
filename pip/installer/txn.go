package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// stagePrefix names the staging directories made directly under an
// environment's root. Recover looks for them.
const stagePrefix = ".pipup-tx-"

const (
	journalName   = "journal.json"
	committedName = "COMMITTED"
	lockName      = "lock"
)

// txn replaces one set of files by another under root. New files are
// first written under dir/new (the same layout, relative to root); commit
// moves every path in aside (old files, and whatever the new files would
// replace) to dir/old, then the new files into place, then marks the
// transaction committed and deletes dir. Until the mark, rollback (or
// Recover, after a crash) restores exactly what was there.
type txn struct {
	root, dir string
	lock      *os.File
	newRels   []string // relative to root, staged under dir/new
	asideRels []string // relative to root: to move to dir/old if present
	placed    []string // newRels moved into place so far
	asided    []string // asideRels moved to dir/old so far
	madeDirs  []string // directories commit created, in creation order
	committed bool
	// broken is set when a rollback could not restore everything: the
	// staging directory then holds old files and must outlive this process
	// for Recover to finish the job.
	broken bool
	// hook, in tests, is called at each step of a commit (see step).
	hook  func(step int) error
	steps int
}

// journal is written before anything moves: enough for Recover to roll
// back (New, Aside, MadeDirs) or finish (Prune) after a crash.
type journal struct {
	New      []string `json:"new"`
	Aside    []string `json:"aside"`
	MadeDirs []string `json:"made_dirs"` // created by the commit, outermost first
	Prune    []string `json:"prune"`     // emptied old directories to remove once committed
}

// newTxn makes the staging directory and holds its lock.
func newTxn(root, label string) (*txn, error) {
	dir, err := os.MkdirTemp(root, stagePrefix+sanitize(label)+"-")
	if err != nil {
		return nil, fmt.Errorf("make staging directory in %s: %w", root, err)
	}
	lock, err := lockFile(filepath.Join(dir, lockName))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("lock staging directory: %w", err)
	}
	return &txn{root: root, dir: dir, lock: lock}, nil
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
}

// stagedPath is where the new file for dest is written.
func (x *txn) stagedPath(dest string) (string, error) {
	rel, err := filepath.Rel(x.root, dest)
	if err != nil || !Within(x.root, dest) {
		return "", fmt.Errorf("%s is outside the environment %s", dest, x.root)
	}
	return filepath.Join(x.dir, "new", rel), nil
}

// commit performs the swap. On an error, or ctx done, before the commit
// point it rolls back and returns the error; after it the new files are
// all in place and only cleanup remains.
func (x *txn) commit(ctx context.Context, newRels, asideRels, prune []string, checkDir func(string) error) error {
	x.newRels, x.asideRels = newRels, asideRels
	// The directories the new files need that do not exist yet: known
	// before anything moves (moving files aside removes no directory), so
	// a rollback, even Recover's, removes them again.
	seen := map[string]bool{}
	for _, rel := range newRels {
		var missing []string
		for d := filepath.Dir(filepath.Join(x.root, rel)); Within(x.root, d) && d != filepath.Clean(x.root) && !seen[d]; d = filepath.Dir(d) {
			seen[d] = true
			if _, err := os.Lstat(d); err == nil {
				break
			}
			missing = append(missing, d)
		}
		for i := len(missing) - 1; i >= 0; i-- {
			x.madeDirs = append(x.madeDirs, missing[i])
		}
	}
	b, _ := json.Marshal(journal{New: newRels, Aside: asideRels, MadeDirs: x.madeDirs, Prune: prune})
	if err := writeJournal(filepath.Join(x.dir, journalName), b); err != nil {
		return x.fail(fmt.Errorf("write journal: %w", err))
	}
	for _, rel := range asideRels {
		if err := x.step(ctx); err != nil {
			return x.stop(err)
		}
		src := filepath.Join(x.root, rel)
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		dst := filepath.Join(x.dir, "old", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return x.fail(fmt.Errorf("move aside %s: %w", src, err))
		}
		if err := os.Rename(src, dst); err != nil {
			return x.fail(fmt.Errorf("move aside %s: %w", src, err))
		}
		x.asided = append(x.asided, rel)
	}
	for _, rel := range newRels {
		if err := x.step(ctx); err != nil {
			return x.stop(err)
		}
		dst := filepath.Join(x.root, rel)
		if err := x.mkdirs(filepath.Dir(dst)); err != nil {
			return x.fail(err)
		}
		if checkDir != nil {
			if err := checkDir(filepath.Dir(dst)); err != nil {
				return x.fail(err)
			}
		}
		if err := os.Rename(filepath.Join(x.dir, "new", rel), dst); err != nil {
			return x.fail(fmt.Errorf("move into place %s: %w", dst, err))
		}
		x.placed = append(x.placed, rel)
	}
	// The commit point: from here on the new version stands.
	if err := writeJournal(filepath.Join(x.dir, committedName), nil); err != nil {
		return x.fail(fmt.Errorf("mark committed: %w", err))
	}
	x.committed = true
	if err := x.step(ctx); errors.Is(err, errCrash) {
		x.broken = true // as killed between the commit point and cleanup
		return err
	}
	return nil
}

// errCrash is returned by a test hook to stop a commit dead, as SIGKILL
// would: no rollback, the staging directory left for Recover.
var errCrash = errors.New("simulated crash")

// step is called before each move of a commit and once after its commit
// point: the place where a cancelled context stops it.
func (x *txn) step(ctx context.Context) error {
	x.steps++
	if x.hook != nil {
		if err := x.hook(x.steps); err != nil {
			return err
		}
	}
	if x.committed {
		return nil // past the commit point cancelling changes nothing
	}
	return ctx.Err()
}

// stop ends a commit before its commit point: rolled back, unless a
// simulated crash.
func (x *txn) stop(err error) error {
	if errors.Is(err, errCrash) {
		x.broken = true
		return err
	}
	return x.fail(err)
}

// mkdirs creates dir and its missing parents (all listed in madeDirs
// already). Modes are pip's: 0o777 less the umask.
func (x *txn) mkdirs(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("make directory %s: a file is in the way", dir)
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("make directory %s: %w", dir, err)
	}
	return nil
}

// fail rolls back and returns err joined with any rollback trouble.
func (x *txn) fail(err error) error {
	if rerr := x.rollback(); rerr != nil {
		return fmt.Errorf("%w (and rolling back: %v)", err, rerr)
	}
	return err
}

// rollback undoes a commit that did not reach its commit point.
func (x *txn) rollback() error {
	var errs []error
	for i := len(x.placed) - 1; i >= 0; i-- {
		if err := os.Remove(filepath.Join(x.root, x.placed[i])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	x.placed = nil
	for i := len(x.asided) - 1; i >= 0; i-- {
		rel := x.asided[i]
		dst := filepath.Join(x.root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Rename(filepath.Join(x.dir, "old", rel), dst); err != nil {
			errs = append(errs, err)
		}
	}
	x.asided = nil
	for i := len(x.madeDirs) - 1; i >= 0; i-- {
		_ = os.Remove(x.madeDirs[i]) // only if still empty
	}
	if len(errs) > 0 {
		// Keep the staging directory: Recover can finish from its journal.
		x.broken = true
		return errors.Join(errs...)
	}
	return x.close()
}

// close deletes the staging directory (with the old files, once
// committed) and releases the lock.
func (x *txn) close() error {
	var err error
	if !x.broken {
		err = os.RemoveAll(x.dir)
	}
	if x.lock != nil {
		x.lock.Close()
		x.lock = nil
	}
	return err
}

// writeJournal writes a journal file. It is not fsynced: the journal guards
// against the process dying (SIGKILL, a crash), which the page cache
// survives; surviving power loss would take fsyncs of every moved file's
// directory too, and two fsyncs per package cost more than the rest of a
// small package's install on a busy disk.
func writeJournal(path string, b []byte) error {
	return os.WriteFile(path, b, 0o600)
}

// Recover finishes what an interrupted install left under root (a
// process killed mid-install): a committed transaction is cleaned up, one
// that had not reached its commit point is rolled back, so every
// distribution is again whole in its old or its new version. Staging
// directories still locked by a live install are left alone. It returns
// the staging directories it handled.
func Recover(root string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(root, stagePrefix+"*"))
	if err != nil {
		return nil, err
	}
	var done []string
	var errs []error
	for _, dir := range dirs {
		lock, err := tryLock(filepath.Join(dir, lockName))
		if err != nil {
			continue // a live install holds it, or it is not ours to read
		}
		x := &txn{root: root, dir: dir, lock: lock}
		if err := x.recover(); err != nil {
			errs = append(errs, fmt.Errorf("recover %s: %w", dir, err))
			lock.Close()
			continue
		}
		done = append(done, dir)
	}
	return done, errors.Join(errs...)
}

func (x *txn) recover() error {
	b, err := os.ReadFile(filepath.Join(x.dir, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return x.close() // nothing was moved yet
	}
	if err != nil {
		return err
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("unreadable journal: %w", err)
	}
	for _, rel := range append(j.New, j.Aside...) {
		if !Within(x.root, filepath.Join(x.root, rel)) || filepath.IsAbs(rel) {
			return fmt.Errorf("journal names %q, outside the environment", rel)
		}
	}
	for _, d := range append(j.MadeDirs, j.Prune...) {
		if !Within(x.root, d) || filepath.Clean(d) == filepath.Clean(x.root) {
			return fmt.Errorf("journal names %q, outside the environment", d)
		}
	}
	if _, err := os.Stat(filepath.Join(x.dir, committedName)); err == nil {
		// Committed: only the cleanup was left undone.
		err := x.close()
		for _, d := range j.Prune {
			pruneEmpty(d)
		}
		return err
	}
	x.madeDirs = j.MadeDirs
	// A new file no longer in staging was moved into place: take it out.
	for _, rel := range j.New {
		if _, err := os.Lstat(filepath.Join(x.dir, "new", rel)); errors.Is(err, fs.ErrNotExist) {
			x.placed = append(x.placed, rel)
		}
	}
	for _, rel := range j.Aside {
		if _, err := os.Lstat(filepath.Join(x.dir, "old", rel)); err == nil {
			x.asided = append(x.asided, rel)
		}
	}
	return x.rollback()
}
