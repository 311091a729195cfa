package pip

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pipup/pipup/pip/installer"
)

func TestLegacyStateDirsPerOS(t *testing.T) {
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want []string
	}{
		{"darwin", map[string]string{"HOME": "/Users/ada"}, []string{"/Users/ada/.local/state/pipup"}},
		{"ios", map[string]string{"HOME": "/Users/ada"}, []string{"/Users/ada/.local/state/pipup"}},
		// $XDG_STATE_HOME was honoured before the move too: nothing moved.
		{"darwin", map[string]string{"HOME": "/Users/ada", "XDG_STATE_HOME": "/s"}, nil},
		{"darwin", map[string]string{"HOME": "/Users/ada", "XDG_STATE_HOME": "relative"}, []string{"/Users/ada/.local/state/pipup"}},
		{"darwin", map[string]string{}, nil},
		{"linux", map[string]string{"HOME": "/home/ada"}, nil},
		{"windows", map[string]string{"USERPROFILE": `C:\Users\ada`}, nil},
	} {
		home := tc.env["HOME"]
		if got := legacyStateDirs(tc.goos, func(k string) string { return tc.env[k] }, home); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s with %v: %q, want %q", tc.goos, tc.env, got, tc.want)
		}
	}
}

// TestUndoFindsOlderBuildsSnapshotsOnMacOS: with the state folders of
// macOS (the OS set to darwin), a snapshot an older build wrote to
// ~/.local/state/pipup is listed and undone; its file is left as it was,
// and the undone mark saved in ~/Library/Application Support/pipup makes
// it the last undo.
func TestUndoFindsOlderBuildsSnapshotsOnMacOS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("alpha", "1.0"))
	pkgs := []Upgrade{f.add(wheel("alpha", "2.0"))}
	e := f.open()
	home := t.TempDir()
	getenv := func(k string) string { return map[string]string{"HOME": home}[k] }
	now, err := userDir("state", "darwin", getenv, home)
	if err != nil {
		t.Fatal(err)
	}
	e.StateDir, e.legacyStateDirs = now, legacyStateDirs("darwin", getenv, home)
	if len(e.legacyStateDirs) != 1 {
		t.Fatalf("legacy state folders on darwin: %v", e.legacyStateDirs)
	}
	old := e.legacyStateDirs[0]

	// The older build's run, writing to the old folder.
	o := f.opts()
	o.StateDir = old
	if _, done := run(t, e.Upgrade(context.Background(), pkgs, o)); done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("upgrade: %+v", done)
	}
	files, _ := filepath.Glob(filepath.Join(old, "snapshots", "*", "*.json"))
	if len(files) != 1 {
		t.Fatalf("snapshots in the old folder: %v", files)
	}
	before, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}

	// This build: the Env's own state folder, the new one.
	o.StateDir = ""
	hist, err := e.History()
	if err != nil || len(hist) != 1 || hist[0].Path() != files[0] {
		t.Fatalf("history = %+v, %v; want the older build's snapshot", hist, err)
	}
	plan, err := e.PlanUndo(o)
	if err != nil {
		t.Fatalf("plan undo: %v", err)
	}
	if want := []PlannedUpgrade{{Name: "alpha", From: "2.0", To: "1.0"}}; !reflect.DeepEqual(plan.Packages, want) {
		t.Fatalf("plan = %+v, want %+v", plan.Packages, want)
	}
	if _, done := run(t, e.RunUndo(context.Background(), plan, o)); done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("undo: %+v", done)
	}
	if v := f.versions()["alpha"]; v != "1.0" {
		t.Errorf("alpha at %s after undo, want 1.0", v)
	}
	if after, err := os.ReadFile(files[0]); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the older build's snapshot was written to (%v)", err)
	}
	hist, err = e.History()
	if err != nil || len(hist) != 1 || hist[0].UndoneAt == nil || !installer.Within(now, hist[0].Path()) {
		t.Errorf("history after undo = %+v, %v; want one snapshot, undone, from %s", hist, err, now)
	}
	if _, err := e.PlanUndo(o); err != ErrNothingToUndo {
		t.Errorf("second undo: %v, want ErrNothingToUndo", err)
	}
}
