package pip

import (
	"context"
	"fmt"
	"testing"

	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pypi/pypitest"
)

// halfSwap installs spec over the installed version with the native
// installer and stops its commit dead (as SIGKILL would) at the first step
// after which the environment reads differently: a real half-swapped
// distribution, its staging directory left for Recover.
func halfSwap(t *testing.T, e *Env, spec pypitest.WheelSpec) {
	t.Helper()
	target, err := e.Interp.InstallTarget()
	if err != nil {
		t.Fatal(err)
	}
	target.Getenv = func(string) (string, bool) { return "", false }
	whl, err := pypitest.WriteWheel(t.TempDir(), spec)
	if err != nil {
		t.Fatal(err)
	}
	name := canonicalName(spec.Name)
	// How the environment reads the project: version, where, and whether
	// whole (an emptied old .dist-info still reads as its version, with
	// no RECORD, in the directory order of some file systems).
	readAs := func() (state, path string) {
		for _, d := range mustDists(t, e) {
			if d.Canonical == name {
				return fmt.Sprintf("%s at %s, RECORD %v", d.Version, d.Path, d.HasRecord), d.Path
			}
		}
		return "not installed", ""
	}
	was, _ := readAs()
	for step := 1; step < 100; step++ {
		_, old := readAs()
		if _, err := installer.Install(context.Background(), target, whl, installer.CrashAt(installer.Options{Old: old, NoCompile: true}, step)); err == nil {
			t.Fatalf("installed at step %d before the environment read differently", step)
		}
		if now, _ := readAs(); now != was {
			t.Logf("stopped at commit step %d: reads as %s", step, now)
			return
		}
		if _, err := e.Recover(); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("no commit step left the environment half-swapped")
}

// TestUpgradeAndUndoRecoverFirst: Env.Upgrade and Env.Undo (what the UI
// and every other caller of the engine use) recover an interrupted install
// before they read the environment, so the plan starts from whole
// distributions; a dry run recovers nothing.
func TestUpgradeAndUndoRecoverFirst(t *testing.T) {
	t.Parallel()
	for _, dry := range []bool{true, false} {
		name := map[bool]string{true: "dry run", false: "real run"}[dry]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.old(wheel("alpha", "1.0"))
			f.add(wheel("alpha", "2.0"))
			up := f.add(wheel("alpha", "3.0"))
			e := f.open()
			halfSwap(t, e, wheel("alpha", "2.0"))
			half := f.versions()["alpha"]

			o := f.opts()
			o.DryRun = dry
			evs, done := run(t, e.Upgrade(context.Background(), []Upgrade{up}, o))
			if done.Err != nil {
				t.Fatalf("upgrade: %+v", done)
			}
			pending, err := e.PendingRecovery()
			if err != nil {
				t.Fatal(err)
			}
			started, _ := evs[0].(UpgradeStarted)
			if dry {
				if len(pending) != 1 || f.versions()["alpha"] != half {
					t.Errorf("a dry run wrote: staging %v, alpha %s (was %s)", pending, f.versions()["alpha"], half)
				}
				return
			}
			if len(started.Packages) != 1 || started.Packages[0].From != "1.0" {
				t.Errorf("planned %+v; want from the recovered 1.0", started.Packages)
			}
			if len(pending) != 0 || f.versions()["alpha"] != "3.0" || done.Upgraded != 1 {
				t.Errorf("after the upgrade: staging %v, versions %v, %+v", pending, f.versions(), done)
			}
			assertIntact(t, e.Interp)

			// Undo, after another interrupted install: recovered, then
			// back to 1.0.
			halfSwap(t, e, wheel("alpha", "2.0"))
			if _, done := run(t, e.Undo(context.Background(), f.opts())); done.Err != nil || done.Failed != 0 {
				t.Fatalf("undo: %+v", done)
			}
			if pending, _ := e.PendingRecovery(); len(pending) != 0 || f.versions()["alpha"] != "1.0" {
				t.Errorf("after the undo: staging %v, versions %v", pending, f.versions())
			}
			assertIntact(t, e.Interp)
		})
	}
}
