package installer

import (
	"context"
	"fmt"
	"path/filepath"
)

// Uninstall removes the installed distribution whose .dist-info directory
// is distInfo, as `pip uninstall` does (its RECORD's files, their
// __pycache__ entries, the directories that leaves empty), atomically:
// the files are moved aside first and deleted only once all are, and an
// error or ctx done before that puts them back. It returns the files
// removed.
func Uninstall(ctx context.Context, t Target, distInfo string) ([]string, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	inside, err := realDirCheck(t.Root)
	if err != nil {
		return nil, err
	}
	old, err := oldRemoval(&t, distInfo, inside)
	if err != nil {
		return nil, err
	}
	x, err := newTxn(t.Root, filepath.Base(distInfo))
	if err != nil {
		return nil, err
	}
	defer func() {
		if !x.committed || x.broken {
			_ = x.close()
		}
	}()
	aside := make([]string, 0, len(old.files))
	for _, p := range old.files {
		rel, err := filepath.Rel(t.Root, p)
		if err != nil {
			return nil, fmt.Errorf("uninstall %s: %w", filepath.Base(distInfo), err)
		}
		aside = append(aside, rel)
	}
	if err := x.commit(ctx, aside, old.dirs, nil); err != nil {
		return nil, err
	}
	_ = x.close()
	for _, d := range old.dirs {
		pruneEmpty(d)
	}
	return old.files, nil
}
