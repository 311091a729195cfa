package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pypi/pypitest"
)

// leaveHalfSwapped installs spec over the installed version of its
// project with the native installer and stops the commit dead, as a
// SIGKILL would, at the first step after which the environment no longer
// reads as before: a real half-swapped distribution with its staging
// directory left for recovery. It returns the staging directories.
func leaveHalfSwapped(t *testing.T, s *upgradeSetup, spec pypitest.WheelSpec) []string {
	t.Helper()
	in := s.interp()
	target, err := in.InstallTarget()
	if err != nil {
		t.Fatal(err)
	}
	target.Getenv = func(k string) (string, bool) { return "", false }
	whl, err := pypitest.WriteWheel(t.TempDir(), spec)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(spec.Name)
	// How the environment reads the project: version, where, and whether
	// whole (in the directory order of some file systems an emptied old
	// .dist-info still reads as its version, with no RECORD).
	readAs := func() (state, path string) {
		dists, err := pip.InstalledDists(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dists {
			if d.Canonical == name {
				return fmt.Sprintf("%s at %s, RECORD %v", d.Version, d.Path, d.HasRecord), d.Path
			}
		}
		return "not installed", ""
	}
	was, _ := readAs()
	for step := 1; step < 100; step++ {
		_, old := readAs()
		if old == "" {
			t.Fatalf("%s is not installed", name)
		}
		opts := installer.CrashAt(installer.Options{Old: old, NoCompile: true}, step)
		if _, err := installer.Install(context.Background(), target, whl, opts); err == nil {
			t.Fatalf("the install finished at step %d without the environment ever reading differently", step)
		}
		if now, _ := readAs(); now != was {
			pending, err := installer.Pending(target.Root)
			if err != nil || len(pending) != 1 {
				t.Fatalf("step %d: staging directories %v, %v", step, pending, err)
			}
			t.Logf("killed at commit step %d: %s reads as %s", step, name, now)
			return pending
		}
		// Not visibly half-swapped yet: put it back and stop one step later.
		if _, err := installer.Recover(target.Root); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("no commit step left the environment half-swapped")
	return nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// TestUpgradeRecoversInterruptedInstallFirst: an install killed mid-way
// is recovered by pipup upgrade before its scan, so the plan starts from
// the recovered version; pipup list and a dry run change nothing and say
// that a recovery is pending.
func TestUpgradeRecoversInterruptedInstallFirst(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed(specs([]string{"halfway"}, "1.0", "2.0", "3.0"), "halfway==1.0")
	staging := leaveHalfSwapped(t, s, pypitest.WheelSpec{Name: "halfway", Version: "2.0"})
	half := s.versions()

	for _, args := range [][]string{{"upgrade", "--dry-run", "halfway"}, {"list"}} {
		out, errOut, code := s.pipup(args...)
		if !exists(staging[0]) {
			t.Fatalf("%v recovered (wrote to the environment):\n%s%s", args, out, errOut)
		}
		if now := s.versions(); now["halfway"] != half["halfway"] {
			t.Errorf("%v changed halfway: %q, then %q", args, half["halfway"], now["halfway"])
		}
		if !strings.Contains(errOut, "pending recovery") {
			t.Errorf("%v (exit %d) does not say a recovery is pending:\n%s%s", args, code, out, errOut)
		}
	}

	out, errOut, code := s.pipup("upgrade", "halfway", "--yes")
	if code != exitOK {
		t.Fatalf("upgrade: exit %d\n%s%s", code, out, errOut)
	}
	if !rowMatches(out, "halfway", "1.0", "3.0", "upgraded") {
		t.Errorf("the plan did not start from the recovered 1.0:\n%s%s", out, errOut)
	}
	if !strings.Contains(errOut, "recovered 1 install") {
		t.Errorf("the recovery was not reported:\n%s", errOut)
	}
	if v := s.versions(); v["halfway"] != "3.0" {
		t.Errorf("after upgrade: %v", v)
	}
	if exists(staging[0]) {
		t.Errorf("staging directory left: %s", staging[0])
	}
	assertHealthy(t, s.interp())
}
