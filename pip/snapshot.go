package pip

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pipup/pipup/internal/atomicfile"
)

// Snapshot records an environment's installed versions right before an
// upgrade changed it, and what the upgrade then changed. `pipup undo`
// restores it; `pipup history` lists them.
type Snapshot struct {
	ID      string    `json:"id"` // sortable by time, unique per environment
	Created time.Time `json:"created"`
	Python  string    `json:"python"` // interpreter path at the time
	Prefix  string    `json:"prefix"` // sys.prefix: the environment's key
	// Before is every installed distribution before the run.
	Before []SnapshotDist `json:"before"`
	// Planned is what the run set out to do.
	Planned []PlannedUpgrade `json:"planned"`
	// Changes is what the run changed, recorded when it ended. Finished is
	// false when pipup could not record it (it was killed): undo then
	// compares Before with the environment.
	Changes  []SnapshotChange `json:"changes,omitempty"`
	Finished bool             `json:"finished"`
	// UndoneAt is set once `pipup undo` restored this snapshot.
	UndoneAt *time.Time `json:"undone_at,omitempty"`

	path string
}

// SnapshotDist is one installed distribution.
type SnapshotDist struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// SnapshotChange is one distribution the run changed. From is "" for one
// the run installed (a new dependency), To is "" for one it removed.
type SnapshotChange struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Path is the snapshot's file.
func (s *Snapshot) Path() string { return s.path }

// snapshotDir is where one environment's snapshots live: a directory per
// environment, named by a hash of its prefix (prefixes are long paths with
// characters unfit for a file name).
func snapshotDir(stateDir, prefix string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(prefix)))
	return filepath.Join(stateDir, "snapshots", hex.EncodeToString(sum[:8]))
}

// newSnapshot describes the environment before a run.
func newSnapshot(in *Interpreter, dists []Dist, planned []PlannedUpgrade) *Snapshot {
	now := time.Now().UTC()
	s := &Snapshot{
		ID:      now.Format("20060102T150405.000000000Z"),
		Created: now,
		Python:  in.Executable,
		Prefix:  in.Prefix,
		Planned: planned,
	}
	for _, d := range dists {
		s.Before = append(s.Before, SnapshotDist{Name: d.Name, Version: d.Version})
	}
	sort.Slice(s.Before, func(i, j int) bool {
		return canonicalName(s.Before[i].Name) < canonicalName(s.Before[j].Name)
	})
	return s
}

// save writes the snapshot atomically: a crash leaves the old file or the
// new one, never half of one.
func (s *Snapshot) save(stateDir string) error {
	dir := snapshotDir(stateDir, s.Prefix)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	final := filepath.Join(dir, s.ID+".json")
	if err := atomicfile.WriteFile(final, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	s.path = final
	return nil
}

// History lists the snapshots the Env's StateDir holds for its
// environment (and the folders older builds wrote to), newest first.
func (e *Env) History() ([]Snapshot, error) { return e.snapshots(e.StateDir) }

// History lists the snapshots of the interpreter's environment kept in
// stateDir, newest first.
func History(stateDir string, interp *Interpreter) ([]Snapshot, error) {
	if interp == nil {
		return nil, errors.New("history: no interpreter")
	}
	if stateDir == "" {
		return nil, errors.New("history: no state directory (set HOME or XDG_STATE_HOME)")
	}
	dir := snapshotDir(stateDir, interp.Prefix)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var out []Snapshot
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		var s Snapshot
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("history: %s is damaged: %v", p, err)
		}
		if filepath.Clean(s.Prefix) != filepath.Clean(interp.Prefix) {
			continue // a hash collision, however unlikely, must not mix environments
		}
		s.path = p
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// diffDists lists what changed between two lists of installed distributions.
func diffDists(before []SnapshotDist, after []Dist) []SnapshotChange {
	old := make(map[string]SnapshotDist, len(before))
	for _, d := range before {
		old[canonicalName(d.Name)] = d
	}
	seen := make(map[string]bool, len(after))
	var out []SnapshotChange
	for _, d := range after {
		seen[d.Canonical] = true
		o, ok := old[d.Canonical]
		switch {
		case !ok:
			out = append(out, SnapshotChange{Name: d.Name, To: d.Version})
		case o.Version != d.Version:
			out = append(out, SnapshotChange{Name: d.Name, From: o.Version, To: d.Version})
		}
	}
	for c, o := range old {
		if !seen[c] {
			out = append(out, SnapshotChange{Name: o.Name, From: o.Version})
		}
	}
	sort.Slice(out, func(i, j int) bool { return canonicalName(out[i].Name) < canonicalName(out[j].Name) })
	return out
}
