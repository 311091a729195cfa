package installer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pipup/pipup/internal/filelock"
)

// The journal of a transaction, and Recover, which follows one left by a
// process that died mid-install. docs/INSTALLER.md describes the format.

// journalFormat marks the flat layout. A journal without "format" is the
// old mirrored layout, which Recover still rolls back or finishes; a
// newer format is refused. The "new" key changed type on purpose: an
// older pipup cannot decode this journal and says so, rather than
// misreading it.
const journalFormat = 2

// journal is written before anything moves: enough for Recover to roll
// back (New, Aside, MadeDirs) or finish (Prune) after a crash.
type journal struct {
	Format   int         `json:"format"`
	New      [][2]string `json:"new"`       // [final path relative to root, staged path relative to the staging directory]
	Aside    []string    `json:"aside"`     // relative to root; the i-th is staged as o<i>
	MadeDirs []string    `json:"made_dirs"` // created by the commit, outermost first
	Prune    []string    `json:"prune"`     // emptied old directories to remove once committed
}

// legacyJournal is the format before journalFormat: new files staged
// under dir/new/REL, old ones under dir/old/REL.
type legacyJournal struct {
	New      []string `json:"new"`
	Aside    []string `json:"aside"`
	MadeDirs []string `json:"made_dirs"`
	Prune    []string `json:"prune"`
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
		lock, err := filelock.TryLock(filepath.Join(dir, lockName))
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
	j, err := readJournal(b)
	if err != nil {
		return err
	}
	x.legacy = j.Format == 0
	for _, nf := range j.New {
		if !Within(x.root, filepath.Join(x.root, nf[0])) || filepath.IsAbs(nf[0]) {
			return fmt.Errorf("journal names %q, outside the environment", nf[0])
		}
		if !filepath.IsLocal(nf[1]) {
			return fmt.Errorf("journal names %q, outside the staging directory", nf[1])
		}
	}
	for _, rel := range j.Aside {
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
	x.asideRels = j.Aside
	// A new file no longer in staging was moved into place: take it out.
	for _, nf := range j.New {
		if _, err := os.Lstat(filepath.Join(x.dir, nf[1])); errors.Is(err, fs.ErrNotExist) {
			x.placed = append(x.placed, nf[0])
		}
	}
	for i := range j.Aside {
		if _, err := os.Lstat(x.asidePath(i)); err == nil {
			x.asided = append(x.asided, i)
		}
	}
	return x.rollback()
}

// readJournal decodes a journal of either format, the old one's staged
// paths filled in as its layout had them.
func readJournal(b []byte) (*journal, error) {
	var head struct {
		Format int `json:"format"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("unreadable journal: %w", err)
	}
	switch head.Format {
	case journalFormat:
		var j journal
		if err := json.Unmarshal(b, &j); err != nil {
			return nil, fmt.Errorf("unreadable journal: %w", err)
		}
		return &j, nil
	case 0:
		var old legacyJournal
		if err := json.Unmarshal(b, &old); err != nil {
			return nil, fmt.Errorf("unreadable journal: %w", err)
		}
		j := &journal{Aside: old.Aside, MadeDirs: old.MadeDirs, Prune: old.Prune}
		for _, rel := range old.New {
			j.New = append(j.New, [2]string{rel, filepath.Join("new", rel)})
		}
		return j, nil
	}
	return nil, fmt.Errorf("journal format %d is not one this pipup knows (%d): a newer pipup wrote it; run that one to recover", head.Format, journalFormat)
}
