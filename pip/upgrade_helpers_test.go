package pip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// testEnviron is the environment pip and pipup run with in these tests.
func testEnviron(t testing.TB) []string {
	return piptest.Environ("PIP_CACHE_DIR="+t.TempDir(), "PYTHONNOUSERSITE=1", "XDG_STATE_HOME="+t.TempDir())
}

// pipInstall installs pins into the venv from dir, with no index.
func pipInstall(t testing.TB, py, dir string, pins ...string) {
	t.Helper()
	args := append([]string{"-m", "pip", "install", "-q", "--no-index", "--break-system-packages", "--find-links", dir}, pins...)
	cmd := exec.Command(py, args...)
	cmd.Env = piptest.Environ("PYTHONNOUSERSITE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pip %s: %v\n%s", strings.Join(args[2:], " "), err, out)
	}
}

// fixture is an index with wheels, a venv with the old versions installed
// and an opened Env on both.
type fixture struct {
	t     testing.TB
	srv   *pypitest.Server
	py    string
	local string // the old wheels, for seeding the venv
	env   *Env
	state string
	specs map[string]pypitest.WheelSpec // newest spec by name
	// installer is UpgradeOptions.Installer for opts ("" = native).
	installer string
}

// installers are both ways an upgrade can install: tests of behaviour
// both must share run under each.
var installers = []string{InstallerNative, InstallerPip}

func newFixture(t testing.TB, opts ...pypitest.Option) *fixture {
	t.Helper()
	srv := pypitest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, py: pythons.Venv(t, piptest.SharedPip), local: t.TempDir(), state: t.TempDir(), specs: map[string]pypitest.WheelSpec{}}
}

// old adds a wheel to the index and installs it into the venv.
func (f *fixture) old(specs ...pypitest.WheelSpec) {
	f.t.Helper()
	var pins []string
	for _, s := range specs {
		f.add(s)
		if _, err := pypitest.WriteWheel(f.local, s); err != nil {
			f.t.Fatal(err)
		}
		pins = append(pins, s.Name+"=="+s.Version)
	}
	pipInstall(f.t, f.py, f.local, pins...)
}

// add offers a wheel on the index and returns what a scan would report
// for it (From is left empty: Upgrade reads the installed version).
func (f *fixture) add(s pypitest.WheelSpec, opts ...pypitest.FileOption) Upgrade {
	f.t.Helper()
	name, data, err := pypitest.BuildWheel(s)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.srv.AddWheel(s, opts...); err != nil {
		f.t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	f.specs[s.Name] = s
	return Upgrade{
		Name: s.Name, Target: s.Version, FileType: "wheel", Bump: BumpMajor,
		Candidate: CandidateFile{
			Filename: name, URL: f.srv.URL + "/files/" + name,
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)),
			MetadataURL: f.srv.URL + "/files/" + name + ".metadata",
		},
	}
}

// open opens the Env the way the CLI does.
func (f *fixture) open() *Env {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// "install", as pipup upgrade and the UI open it: with the install
	// scheme (the tests' helpers read InstallTarget directly).
	e, err := Open(ctx, Options{Python: f.py, IndexURL: f.srv.IndexURL(), Environ: testEnviron(f.t), CacheDir: f.t.TempDir(), PipCommand: "install"})
	if err != nil {
		f.t.Fatalf("open env: %v", err)
	}
	f.env = e
	return e
}

func (f *fixture) opts() UpgradeOptions {
	return UpgradeOptions{StateDir: f.state, Timeout: 2 * time.Minute, Installer: f.installer}
}

// run collects every event of an upgrade or undo.
func run(t testing.TB, ch <-chan UpgradeEvent) ([]UpgradeEvent, UpgradeDone) {
	t.Helper()
	var evs []UpgradeEvent
	var done *UpgradeDone
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				if done == nil {
					t.Fatal("channel closed without UpgradeDone")
				}
				return evs, *done
			}
			if done != nil {
				t.Fatalf("event after UpgradeDone: %#v", ev)
			}
			evs = append(evs, ev)
			if d, ok := ev.(UpgradeDone); ok {
				done = &d
			}
		case <-timeout:
			t.Fatal("upgrade did not finish in 3 minutes")
		}
	}
}

// versions reads the venv's installed versions from disk.
func (f *fixture) versions() map[string]string {
	f.t.Helper()
	dists, err := InstalledDists(f.env.Interp)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range dists {
		out[d.Canonical] = d.Version
	}
	return out
}

// assertIntact checks what an interrupted or failed upgrade must never
// break: one .dist-info per project, every file RECORD lists present, no
// "~" leftovers.
func assertIntact(t testing.TB, in *Interpreter) {
	t.Helper()
	if lo := FindLeftovers(in); len(lo) > 0 {
		for _, l := range lo {
			t.Errorf("environment damaged: %s", l)
		}
	}
}

// outcomes maps package name to "upgraded", "failed: reason" or "skipped: reason".
func outcomes(evs []UpgradeEvent) map[string]string {
	out := map[string]string{}
	for _, ev := range evs {
		switch ev := ev.(type) {
		case PackageUpgraded:
			out[canonicalName(ev.Name)] = "upgraded"
		case UpgradeFailed:
			out[canonicalName(ev.Name)] = "failed: " + ev.Reason
		case UpgradeSkipped:
			out[canonicalName(ev.Name)] = "skipped: " + ev.Reason
		}
	}
	return out
}

func wheel(name, version string, requires ...string) pypitest.WheelSpec {
	return pypitest.WheelSpec{Name: name, Version: version, Requires: requires}
}
