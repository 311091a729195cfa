package pip

import (
	"fmt"
	"sort"
)

// snapshots lists the environment's snapshots in stateDir, newest first,
// and, when stateDir is the Env's own, those in the folders older pipup
// builds wrote to (on macOS, ~/.local/state/pipup; see legacyStateDirs).
// Those folders are only read: an undo of a snapshot found there saves
// the snapshot, marked undone, in stateDir under the same ID, and that
// copy is the one listed from then on.
func (e *Env) snapshots(stateDir string) ([]Snapshot, error) {
	snaps, err := History(stateDir, e.Interp)
	if err != nil || stateDir != e.StateDir || len(e.legacyStateDirs) == 0 {
		return snaps, err
	}
	seen := make(map[string]bool, len(snaps))
	for _, s := range snaps {
		seen[s.ID] = true
	}
	for _, dir := range e.legacyStateDirs {
		if dir == stateDir {
			continue
		}
		old, err := History(dir, e.Interp)
		if err != nil {
			return nil, fmt.Errorf("snapshots an older pipup left in %s: %w", dir, err)
		}
		for _, s := range old {
			if !seen[s.ID] {
				seen[s.ID] = true
				snaps = append(snaps, s)
			}
		}
	}
	sort.Slice(snaps, func(i, j int) bool { return snaps[i].ID > snaps[j].ID })
	return snaps, nil
}
