package pip

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// runFolder is a run folder as a run leaves it: its age, a wheel, a lock
// file unless noLock; a held one's lock is taken, as by a live pipup,
// until the test ends.
type runFolder struct {
	age          time.Duration
	noLock, held bool
}

// makeRunFolders makes the run folders under base, by name.
func makeRunFolders(t *testing.T, base string, now time.Time, dirs map[string]runFolder) {
	t.Helper()
	for name, d := range dirs {
		dir := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Join(dir, "wheels"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "wheels", "x-1.0-py3-none-any.whl"), make([]byte, 1000), 0o600); err != nil {
			t.Fatal(err)
		}
		if !d.noLock {
			l := flock.New(filepath.Join(dir, workLockName))
			ok, err := l.TryLock()
			if err != nil || !ok {
				t.Fatalf("lock %s: %v %v", name, ok, err)
			}
			if d.held {
				t.Cleanup(func() { l.Close() })
			} else {
				l.Close()
			}
		}
		mt := now.Add(-d.age)
		if err := os.Chtimes(dir, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

func runFolderNames(t *testing.T, base string) []string {
	t.Helper()
	dirs, err := runDirs(base)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Base(d))
	}
	sort.Strings(out)
	return out
}

// TestSweepWorkDirs: a sweep removes the run folders no live run holds
// that are old enough; a held one, and one being made, stay whatever
// their age.
func TestSweepWorkDirs(t *testing.T) {
	t.Parallel()
	dirs := map[string]runFolder{
		"run-old":        {age: 3 * 24 * time.Hour},
		"run-old-nolock": {age: 2 * 24 * time.Hour, noLock: true}, // killed before it took its lock
		"run-fresh":      {age: time.Hour},
		"run-held":       {age: 5 * 24 * time.Hour, held: true},
		"run-making":     {age: 0, noLock: true},
	}
	tests := []struct {
		name      string
		olderThan time.Duration
		removed   int
		left      []string
	}{
		{"a run's sweep", WorkDirMaxAge, 2, []string{"run-fresh", "run-held", "run-making"}},
		{"cache clean", 0, 3, []string{"run-held", "run-making"}},
		{"cache clean --older-than 2h", 2 * time.Hour, 2, []string{"run-fresh", "run-held", "run-making"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := filepath.Join(t.TempDir(), "upgrade")
			now := time.Now()
			makeRunFolders(t, base, now, dirs)
			if err := os.Mkdir(filepath.Join(base, "not-a-run"), 0o700); err != nil {
				t.Fatal(err)
			}
			// Left: old, old-nolock, fresh; live: held, and the one being made.
			before, err := InspectWorkDirs(base)
			if err != nil || before.Left != 3 || before.Live != 2 || before.Bytes < 5000 {
				t.Fatalf("inspect before: %+v, %v", before, err)
			}
			r, err := SweepWorkDirs(base, tt.olderThan, now)
			if err != nil || r.Folders != tt.removed || r.Bytes < int64(1000*tt.removed) {
				t.Errorf("removed %+v, %v; want %d folders", r, err, tt.removed)
			}
			if got := runFolderNames(t, base); !slices.Equal(got, tt.left) {
				t.Errorf("left %v, want %v", got, tt.left)
			}
			if _, err := os.Stat(filepath.Join(base, "not-a-run")); err != nil {
				t.Errorf("a folder that is no run's was touched: %v", err)
			}
		})
	}
	if r, err := SweepWorkDirs(filepath.Join(t.TempDir(), "none"), 0, time.Now()); err != nil || r.Folders != 0 {
		t.Errorf("missing base: %+v, %v", r, err)
	}
}

// TestUpgradeSweepsLeftRunFolders: a real upgrade ends by sweeping the
// run folders killed runs left a day or more ago; a fresh one and a live
// run's stay, and its own folder is gone.
func TestUpgradeSweepsLeftRunFolders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("alpha", "1.0"))
	pkgs := []Upgrade{f.add(wheel("alpha", "2.0"))}
	e := f.open()
	base := WorkDirsBase(e.CacheDir)
	makeRunFolders(t, base, time.Now(), map[string]runFolder{
		"run-killed": {age: 2 * 24 * time.Hour},
		"run-fresh":  {age: time.Hour},
		"run-live":   {age: 3 * 24 * time.Hour, held: true},
	})
	if _, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts())); done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("upgrade: %+v", done)
	}
	if got, want := runFolderNames(t, base), []string{"run-fresh", "run-live"}; !slices.Equal(got, want) {
		t.Errorf("run folders after the upgrade: %v, want %v", got, want)
	}
}
