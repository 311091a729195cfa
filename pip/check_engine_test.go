package pip

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// recordingPip points the SharedPip venv of py at a pip package that
// appends each `python -m pip` command line to a log, then runs the real
// shared pip with the same arguments. It returns a function reading the
// calls so far. Only `-m pip` runs are recorded: importing pip in-process
// (as the interpreter inspection does) is not a pip run.
func recordingPip(t *testing.T, py string) func() []string {
	t.Helper()
	real := pythons.PipDir(t)
	cmd := exec.Command(py, "-c", "import pip; print(pip.__version__)")
	cmd.Env = piptest.Environ("PYTHONNOUSERSITE=1", "PYTHONPATH="+real)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("real pip's version: %v", err)
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "calls.log")
	fake := filepath.Join(dir, "fake")
	if err := os.MkdirAll(filepath.Join(fake, "pip"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"__init__.py": fmt.Sprintf("__version__ = %q\n", strings.TrimSpace(string(out))),
		"__main__.py": fmt.Sprintf(`import os, subprocess, sys
with open(%q, "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\n")
env = dict(os.environ)
env["PYTHONPATH"] = os.pathsep.join([%q] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
sys.exit(subprocess.call([sys.executable, "-m", "pip"] + sys.argv[1:], env=env))
`, logPath, real),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(fake, "pip", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	site, err := piptest.SitePackages(py)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, piptest.PthName), []byte(fake+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		b, err := os.ReadFile(logPath)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
}

// TestNativeUpgradeStartsNoPip: in a venv with pip, a native upgrade and
// its undo start no pip process, yet both report a check verdict that
// keeps a problem older than the run apart; with --installer pip the same
// runs go through pip, pip check included (so the recording would see a
// native run's pip).
func TestNativeUpgradeStartsNoPip(t *testing.T) {
	t.Parallel()
	for _, inst := range installers {
		t.Run(inst, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.installer = inst
			// gamma's requirement was broken before the run.
			f.old(wheel("alpha", "1.0"), wheel("beta", "1.0"))
			broken := wheel("gamma", "1.0", "not-there>=1")
			f.add(broken)
			if _, err := pypitest.WriteWheel(f.local, broken); err != nil {
				t.Fatal(err)
			}
			pipInstall(t, f.py, f.local, "--no-deps", "gamma==1.0")
			calls := recordingPip(t, f.py)
			pkgs := []Upgrade{f.add(wheel("alpha", "2.0")), f.add(wheel("beta", "2.0", "alpha>=2"))}
			e := f.open()
			if e.Interp.PipVersion == "" {
				t.Fatal("the recording pip is not seen as the venv's pip")
			}
			const old = "gamma 1.0 requires not-there, which is not installed. (already so before the upgrade)"
			_, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
			if done.Err != nil || done.Upgraded != 2 || done.Failed != 0 {
				t.Fatalf("done = %+v", done)
			}
			if done.PipCheckOK == nil || !*done.PipCheckOK || done.PipCheck != old {
				t.Errorf("check after upgrade: ok=%v %q, want ok and %q", done.PipCheckOK, done.PipCheck, old)
			}
			upgradeCalls := calls()

			_, done = run(t, e.Undo(context.Background(), f.opts()))
			if done.Err != nil || done.Upgraded != 2 {
				t.Fatalf("undo done = %+v", done)
			}
			// Undo has no check before it: every problem counts as new.
			if done.PipCheckOK == nil || *done.PipCheckOK || !strings.HasPrefix(done.PipCheck, "gamma 1.0 requires not-there") {
				t.Errorf("check after undo: ok=%v %q", done.PipCheckOK, done.PipCheck)
			}
			if want := map[string]string{"alpha": "1.0", "beta": "1.0", "gamma": "1.0"}; !equalMaps(f.versions(), want) {
				t.Errorf("versions after undo = %v, want %v", f.versions(), want)
			}
			all := calls()
			t.Logf("pip runs: %q", all)
			if inst == InstallerNative {
				if len(all) > 0 {
					t.Errorf("the native upgrade and undo started pip: %q", all)
				}
				return
			}
			checks := 0
			for _, c := range upgradeCalls {
				if strings.HasPrefix(c, "check") {
					checks++
				}
			}
			if checks != 2 || len(all) <= len(upgradeCalls) {
				t.Errorf("--installer pip: %d pip checks in the upgrade's runs %q, then %q in all; want 2, and undo's own", checks, upgradeCalls, all)
			}
		})
	}
}

// TestNativeCheckWithoutPip: a venv without pip, where nothing was checked
// before, now gets a check verdict, which fails when the run leaves a
// requirement unmet.
func TestNativeCheckWithoutPip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.py = pythons.Venv(t, piptest.NoPip)
	specs := []pypitest.WheelSpec{wheel("alpha", "1.0"), wheel("keeper", "1.0", "alpha<2")}
	var pins []string
	for _, s := range specs {
		f.add(s)
		if _, err := pypitest.WriteWheel(f.local, s); err != nil {
			t.Fatal(err)
		}
		pins = append(pins, s.Name+"=="+s.Version)
	}
	if out, err := outsidePip(t, f.py, append([]string{"install", "-q", "--no-index", "--find-links", f.local}, pins...)...); err != nil {
		t.Fatalf("outside pip install: %v\n%s", err, out)
	}
	e := f.open()
	if e.Interp.PipVersion != "" {
		t.Fatalf("the venv has pip %s", e.Interp.PipVersion)
	}
	// The engine upgrades what it is given: holding alpha back for keeper
	// is the planner's job, not asked here.
	_, done := run(t, e.Upgrade(context.Background(), []Upgrade{f.add(wheel("alpha", "2.0"))}, f.opts()))
	if done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("done = %+v", done)
	}
	const want = "keeper 1.0 has requirement alpha<2, but you have alpha 2.0."
	if done.PipCheckOK == nil || *done.PipCheckOK || done.PipCheck != want {
		t.Errorf("check: ok=%v %q, want failed with %q", done.PipCheckOK, done.PipCheck, want)
	}
	// The oracle: the outside pip's check says the same.
	out, _ := outsidePip(t, f.py, "check")
	if !strings.Contains(out, want) {
		t.Errorf("outside pip check:\n%s\nwant %q", out, want)
	}
	assertNoPip(t, f.py)
}
