package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gofrs/flock"
	"github.com/pipup/pipup/internal/filelock"
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
// first written flat into the staging directory dir, one subdirectory
// n<k> for each distinct destination directory, the file keeping its base
// name (compileall names a .pyc after its source and puts it in
// __pycache__ beside it); commit moves every path in aside (old files, and
// whatever the new files would replace) to dir/o<i>, i its index in aside,
// then the new files into place, then marks the transaction committed and
// deletes dir. Until the mark, rollback (or Recover, after a crash)
// restores exactly what was there. The layout is flat so that a package
// costs one mkdir per distinct destination directory, not one per level
// of the venv's depth for every directory under two mirrored trees.
type txn struct {
	root, dir string
	lock      *flock.Flock
	// legacy is set by Recover for a journal of the old, mirrored layout
	// (dir/new/REL, dir/old/REL).
	legacy    bool
	stageDirs map[string]string // destination directory -> its staging directory
	staging   []string          // staging directories made, in order
	news      []newFile         // the new files, with where they are staged
	asideRels []string          // relative to root: to move to asidePath(i) if present
	placed    []string          // new files' rels moved into place so far
	asided    []int             // indexes in asideRels moved aside so far
	madeDirs  []string          // directories commit creates, outermost first
	dirState  map[string]dirState
	committed bool
	// broken is set when a rollback could not restore everything: the
	// staging directory then holds old files and must outlive this process
	// for Recover to finish the job.
	broken bool
	// hook, in tests, is called at each step of a commit (see step).
	hook  func(step int) error
	steps int
}

// newFile is one new file: Rel its final path relative to root, Staged
// where it waits, relative to the staging directory.
type newFile struct{ Rel, Staged string }

// dirState is what prepare learnt of a destination directory.
type dirState int

const (
	dirUnknown dirState = iota // not looked at: Stat it when needed
	dirExists                  // a real directory (Lstat)
	dirMissing                 // to be made by the commit (listed in madeDirs)
	dirReady                   // made or checked by this commit
)

// newTxn makes the staging directory and holds its lock.
func newTxn(root, label string) (*txn, error) {
	dir, err := os.MkdirTemp(root, stagePrefix+sanitize(label)+"-")
	if err != nil {
		return nil, fmt.Errorf("make staging directory in %s: %w", root, err)
	}
	lock, err := filelock.TryLock(filepath.Join(dir, lockName))
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

// stagedPath is where the new file for dest is written: the staging
// directory of dest's directory (made on first use), dest's base name.
func (x *txn) stagedPath(dest string) (string, error) {
	if !Within(x.root, dest) || filepath.Clean(dest) == filepath.Clean(x.root) {
		return "", fmt.Errorf("%s is outside the environment %s", dest, x.root)
	}
	destDir := filepath.Dir(dest)
	sd, ok := x.stageDirs[destDir]
	if !ok {
		if x.stageDirs == nil {
			x.stageDirs = map[string]string{}
		}
		sd = filepath.Join(x.dir, "n"+strconv.Itoa(len(x.staging)))
		if err := os.Mkdir(sd, 0o700); err != nil {
			return "", fmt.Errorf("stage %s: %w", dest, err)
		}
		x.stageDirs[destDir] = sd
		x.staging = append(x.staging, sd)
	}
	return filepath.Join(sd, filepath.Base(dest)), nil
}

// asidePath is where the i-th aside path waits during a commit.
func (x *txn) asidePath(i int) string {
	if x.legacy {
		return filepath.Join(x.dir, "old", x.asideRels[i])
	}
	return filepath.Join(x.dir, "o"+strconv.Itoa(i))
}

// prepare records the new files and learns which of their directories
// exist, one Lstat per distinct directory (and per missing ancestor):
// what is missing is made by the commit and listed in the journal, so a
// rollback, even Recover's, removes it again. A non-directory in aside
// standing where a directory must go counts as missing (it moves aside
// first). Moving files aside removes no directory, so what prepare learns
// holds until the commit.
func (x *txn) prepare(news []newFile, aside map[string]bool) {
	x.news = news
	x.dirState = map[string]dirState{}
	root := filepath.Clean(x.root)
	for _, nf := range news {
		var missing []string
		for d := filepath.Dir(filepath.Join(root, nf.Rel)); d != root && Within(root, d); d = filepath.Dir(d) {
			if _, seen := x.dirState[d]; seen {
				break
			}
			fi, err := os.Lstat(d)
			if err == nil && fi.IsDir() {
				x.dirState[d] = dirExists
				break
			}
			if err == nil {
				rel, _ := filepath.Rel(root, d)
				if !aside[rel] {
					x.dirState[d] = dirUnknown // a link, or a file in the way: commit looks again
					break
				}
			}
			x.dirState[d] = dirMissing
			missing = append(missing, d)
		}
		for i := len(missing) - 1; i >= 0; i-- {
			x.madeDirs = append(x.madeDirs, missing[i])
		}
	}
}

// missing reports whether prepare found dir absent: no file can be in
// the way below it.
func (x *txn) missing(dir string) bool { return x.dirState[dir] == dirMissing }

// commit performs the swap of the files given to prepare. On an error,
// or ctx done, before the commit point it rolls back and returns the
// error; after it the new files are all in place and only cleanup
// remains.
func (x *txn) commit(ctx context.Context, asideRels, prune []string, checkDir func(string) error) error {
	x.asideRels = asideRels
	if x.dirState == nil {
		x.prepare(nil, nil)
	}
	j := journal{Format: journalFormat, New: make([][2]string, len(x.news)), Aside: asideRels, MadeDirs: x.madeDirs, Prune: prune}
	for i, nf := range x.news {
		j.New[i] = [2]string{nf.Rel, nf.Staged}
	}
	b, _ := json.Marshal(j)
	if err := writeJournal(filepath.Join(x.dir, journalName), b); err != nil {
		return x.fail(fmt.Errorf("write journal: %w", err))
	}
	for i, rel := range asideRels {
		if err := x.step(ctx); err != nil {
			return x.stop(err)
		}
		// No Lstat first: a path already gone fails the rename with
		// ENOENT (the staging directory exists), which is the same answer
		// for one syscall less.
		src := filepath.Join(x.root, rel)
		if err := rename(src, x.asidePath(i)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return x.fail(fmt.Errorf("move aside %s: %w", src, err))
		}
		x.asided = append(x.asided, i)
	}
	for _, nf := range x.news {
		if err := x.step(ctx); err != nil {
			return x.stop(err)
		}
		dst := filepath.Join(x.root, nf.Rel)
		if err := x.readyDir(filepath.Dir(dst), checkDir); err != nil {
			return x.fail(err)
		}
		err := rename(filepath.Join(x.dir, nf.Staged), dst)
		if errors.Is(err, fs.ErrNotExist) {
			// The directory was there when prepare looked, and is gone: a
			// package installing beside this one pruned it, its old
			// version's directory. Make it again, as pip would.
			err = x.remake(filepath.Dir(dst), checkDir)
			if err == nil {
				err = rename(filepath.Join(x.dir, nf.Staged), dst)
			}
		}
		if err != nil {
			return x.fail(fmt.Errorf("move into place %s: %w", dst, err))
		}
		x.placed = append(x.placed, nf.Rel)
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

// readyDir makes sure a new file's directory is there, once per
// directory: the missing ones prepare found are made (pip's mode, 0o777
// less the umask), outermost first; one it did not see as a directory is
// Stat'ed. checkDir, when set, then vets it.
func (x *txn) readyDir(dir string, checkDir func(string) error) error {
	switch x.dirState[dir] {
	case dirReady:
		return nil
	case dirMissing:
		if parent := filepath.Dir(dir); x.dirState[parent] == dirMissing {
			if err := x.readyDir(parent, checkDir); err != nil {
				return err
			}
		}
		// Another install running beside this one may have made it.
		if err := os.Mkdir(dir, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("make directory %s: %w", dir, err)
		} else if err != nil {
			if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
				return fmt.Errorf("make directory %s: a file is in the way", dir)
			}
		}
	case dirUnknown:
		fi, err := os.Stat(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("make directory %s: %w", dir, err)
			}
			// Not seen by prepare (no new file under it then): make it
			// as pip would. Rollback removes it if left empty.
			if err := os.MkdirAll(dir, 0o777); err != nil {
				return fmt.Errorf("make directory %s: %w", dir, err)
			}
			x.madeDirs = append(x.madeDirs, dir)
		} else if !fi.IsDir() {
			return fmt.Errorf("make directory %s: a file is in the way", dir)
		}
	}
	if checkDir != nil {
		if err := checkDir(dir); err != nil {
			// Gone since prepare looked (see remake)?
			if _, lerr := os.Lstat(dir); !errors.Is(lerr, fs.ErrNotExist) {
				return err
			}
			if err := x.remake(dir, checkDir); err != nil {
				return err
			}
		}
	}
	x.dirState[dir] = dirReady
	return nil
}

// remake makes a directory readyDir had seen, gone since, and its
// missing parents, listing them for a rollback in this process.
func (x *txn) remake(dir string, checkDir func(string) error) error {
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return fs.ErrNotExist // the directory is there: something else is missing
	}
	var missing []string
	for d := dir; d != filepath.Clean(x.root) && Within(x.root, d); d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		x.madeDirs = append(x.madeDirs, missing[i])
	}
	if checkDir != nil {
		return checkDir(dir)
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

// rollback undoes a commit that did not reach its commit point. The
// directories the commit made go before the old files come back: none
// of those lived in them, and one may stand where an old file was.
func (x *txn) rollback() error {
	var errs []error
	for i := len(x.placed) - 1; i >= 0; i-- {
		if err := os.Remove(filepath.Join(x.root, x.placed[i])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	x.placed = nil
	for i := len(x.madeDirs) - 1; i >= 0; i-- {
		_ = rmdir(x.madeDirs[i]) // only if still empty
	}
	for k := len(x.asided) - 1; k >= 0; k-- {
		i := x.asided[k]
		dst := filepath.Join(x.root, x.asideRels[i])
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Rename(x.asidePath(i), dst); err != nil {
			errs = append(errs, err)
		}
	}
	x.asided = nil
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
		if !x.committed || !x.tidy() {
			err = os.RemoveAll(x.dir)
		}
	}
	if x.lock != nil {
		x.lock.Close()
		x.lock = nil
	}
	return err
}

// tidy deletes a committed staging directory whose contents it knows:
// the old files moved aside, the emptied staging directories, the
// journal files. That is one syscall per entry, where os.RemoveAll tries
// an unlink before each rmdir and reads every directory. It reports
// false, having removed some or none, when anything else is there (a
// staged file that was replaced, a directory moved aside), so that
// os.RemoveAll finishes.
func (x *txn) tidy() bool {
	if x.legacy {
		return false
	}
	for _, i := range x.asided {
		if os.Remove(x.asidePath(i)) != nil {
			return false
		}
	}
	// compileall made a __pycache__ in some staging directories: their
	// .pyc files were staged there.
	var sub []string
	seen := map[string]bool{}
	for _, nf := range x.news {
		if d := filepath.Dir(nf.Staged); filepath.Dir(d) != "." && !seen[d] {
			seen[d] = true
			sub = append(sub, filepath.Join(x.dir, d))
		}
	}
	for _, d := range append(sub, x.staging...) {
		if rmdir(d) != nil {
			return false
		}
	}
	for _, name := range []string{journalName, committedName, lockName} {
		if os.Remove(filepath.Join(x.dir, name)) != nil {
			return false
		}
	}
	return rmdir(x.dir) == nil
}

// rename is rename(2). os.Rename first Lstats the destination to refuse
// replacing a directory with a directory: a syscall per moved file that a
// commit does not need, as it moves files only, to a path that is free (a
// staging name, or a destination whose occupant went aside), and rename(2)
// itself refuses to put a file over a directory (EISDIR).
func rename(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// rmdir removes an empty directory. os.Remove would first try unlink,
// which fails on a directory: a wasted syscall for each.
func rmdir(dir string) error {
	if err := syscall.Rmdir(dir); err != nil {
		return &fs.PathError{Op: "rmdir", Path: dir, Err: err}
	}
	return nil
}
