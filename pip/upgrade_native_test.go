package pip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// outsidePip runs pip from outside a venv that has none (the shared pip on
// PYTHONPATH, as `pip --python VENV` would), so the venv stays without pip.
func outsidePip(t *testing.T, py string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(py, append([]string{"-m", "pip"}, args...)...)
	cmd.Env = piptest.Environ("PYTHONNOUSERSITE=1", "PYTHONPATH="+pythons.PipDir(t))
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestUpgradeWithoutPip: a venv made with --without-pip and filled by an
// outside pip is upgraded natively; a package with only a source
// distribution fails saying pip is needed; pip is never added; outside
// pip's check passes; undo works there too.
func TestUpgradeWithoutPip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.py = pythons.Venv(t, piptest.NoPip)
	var pins []string
	for _, s := range []pypitest.WheelSpec{wheel("alpha", "1.0"), wheel("beta", "1.0"), wheel("srconly", "1.0")} {
		f.add(s)
		if _, err := pypitest.WriteWheel(f.local, s); err != nil {
			t.Fatal(err)
		}
		pins = append(pins, s.Name+"=="+s.Version)
	}
	if out, err := outsidePip(t, f.py, append([]string{"install", "-q", "--no-index", "--find-links", f.local}, pins...)...); err != nil {
		t.Fatalf("outside pip install: %v\n%s", err, out)
	}
	name, data := inTreeSdist(t, "srconly", "2.0")
	if err := f.srv.Add(pypitest.FileSpec{Project: "srconly", Filename: name, Data: data}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	pkgs := []Upgrade{
		f.add(wheel("alpha", "2.0")),
		f.add(wheel("beta", "1.5", "alpha>=2")),
		{Name: "srconly", Target: "2.0", FileType: "sdist", Bump: BumpMajor,
			Candidate: CandidateFile{Filename: name, URL: f.srv.URL + "/files/" + name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}},
	}
	e := f.open()
	if e.Interp.PipVersion != "" {
		t.Fatalf("the venv has pip %s", e.Interp.PipVersion)
	}
	evs, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
	if done.Err != nil || done.Upgraded != 2 || done.Failed != 1 {
		t.Fatalf("done = %+v\n%v", done, evs)
	}
	if r := outcomes(evs)["srconly"]; !strings.Contains(r, "pip is not installed") || !strings.Contains(r, "source distribution") {
		t.Errorf("srconly: %q", r)
	}
	if want := map[string]string{"alpha": "2.0", "beta": "1.5", "srconly": "1.0"}; !equalMaps(f.versions(), want) {
		t.Errorf("versions = %v, want %v", f.versions(), want)
	}
	assertStages(t, evs, "alpha", StageQueued, StageDownloading, StageVerifying, StageInstalling, StageCompiling)
	assertNoPip(t, f.py)
	if out, err := outsidePip(t, f.py, "check"); err != nil || !strings.Contains(out, "No broken requirements") {
		t.Errorf("outside pip check: %v\n%s", err, out)
	}
	assertIntact(t, e.Interp)

	evs, done = run(t, e.Undo(context.Background(), f.opts()))
	if done.Err != nil || done.Upgraded != 2 || done.Failed != 0 {
		t.Fatalf("undo done = %+v\n%v", done, evs)
	}
	if want := map[string]string{"alpha": "1.0", "beta": "1.0", "srconly": "1.0"}; !equalMaps(f.versions(), want) {
		t.Errorf("versions after undo = %v, want %v", f.versions(), want)
	}
	assertNoPip(t, f.py)
	assertIntact(t, e.Interp)
}

func assertNoPip(t *testing.T, py string) {
	t.Helper()
	cmd := exec.Command(py, "-I", "-c", "import pip") // -I: nothing from the cwd
	cmd.Env = piptest.Environ("PYTHONNOUSERSITE=1")
	if err := cmd.Run(); err == nil {
		t.Errorf("pip is importable in %s: pipup must never add it", py)
	}
}

// TestUpgradeNativeOverlap: two packages whose new versions write the same
// file install one after the other, and both end up installed, the file
// holding the later one's content (in plan order), as pip leaves it.
func TestUpgradeNativeOverlap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("left", "1.0"), wheel("right", "1.0"))
	shared := func(name, version string) pypitest.WheelSpec {
		return pypitest.WheelSpec{Name: name, Version: version, Files: map[string]string{
			name + "/__init__.py": "", "shared_ns/common.py": "owner = '" + name + "'\n",
		}}
	}
	pkgs := []Upgrade{f.add(shared("left", "2.0")), f.add(shared("right", "2.0"))}
	e := f.open()
	o := f.opts()
	o.Jobs = 4
	_, done := run(t, e.Upgrade(context.Background(), pkgs, o))
	if done.Err != nil || done.Upgraded != 2 {
		t.Fatalf("done = %+v", done)
	}
	site, err := piptest.SitePackages(f.py)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(site, "shared_ns", "common.py"))
	if err != nil || string(b) != "owner = 'right'\n" {
		t.Errorf("shared_ns/common.py = %q, %v; want right's", b, err)
	}
}

// TestUpgradeNativeCancel cancels a native run after its first package is
// in: every package is then at its old or new version, whole, and the
// summary says which (upgraded, or skipped as cancelled).
func TestUpgradeNativeCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var old []pypitest.WheelSpec
	var pkgs []Upgrade
	for i := range 24 {
		old = append(old, wheel("c"+itoa2(i), "1.0"))
	}
	f.old(old...)
	for i := range 24 {
		pkgs = append(pkgs, f.add(wheel("c"+itoa2(i), "2.0")))
	}
	e := f.open()
	o := f.opts()
	o.Jobs = 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt time.Time
	var evs []UpgradeEvent
	var done UpgradeDone
	for ev := range e.Upgrade(ctx, pkgs, o) {
		evs = append(evs, ev)
		if _, ok := ev.(PackageUpgraded); ok && cancelledAt.IsZero() {
			cancelledAt = time.Now()
			cancel()
		}
		if d, ok := ev.(UpgradeDone); ok {
			done = d
		}
	}
	t.Logf("cancel to done: %s", time.Since(cancelledAt).Round(time.Millisecond))
	if !done.Cancelled || done.Upgraded == 0 || done.Upgraded+done.Skipped != 24 || done.Failed != 0 {
		t.Fatalf("done = %+v", done)
	}
	got := outcomes(evs)
	versions := f.versions()
	for i := range 24 {
		n := "c" + itoa2(i)
		switch {
		case got[n] == "upgraded" && versions[n] == "2.0":
		case strings.HasPrefix(got[n], "skipped: cancelled") && versions[n] == "1.0":
		default:
			t.Errorf("%s: outcome %q, version %s", n, got[n], versions[n])
		}
	}
	assertIntact(t, e.Interp)
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(f.py)), ".pipup-tx-*")); len(left) > 0 {
		t.Errorf("staging directories left: %v", left)
	}
}

func itoa2(i int) string { return string(rune('a'+i/10)) + string(rune('0'+i%10)) }

// TestUpgradeRecoversKilledInstall: a staging directory left by a pipup
// killed mid-commit (its journal says a new file was already moved into
// place) is rolled back before the next upgrade reads the environment.
func TestUpgradeRecoversKilledInstall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("solid", "1.0"))
	pkgs := []Upgrade{f.add(wheel("solid", "2.0"))}
	root := filepath.Dir(filepath.Dir(f.py))
	site, err := piptest.SitePackages(f.py)
	if err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(site, "half_placed.py")
	if err := os.WriteFile(stray, []byte("# placed by the killed run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, stray)
	tx := filepath.Join(root, ".pipup-tx-killed-1")
	if err := os.MkdirAll(filepath.Join(tx, "new"), 0o700); err != nil {
		t.Fatal(err)
	}
	journal := `{"new": [` + strconvQuote(rel) + `], "aside": [], "made_dirs": [], "prune": []}`
	if err := os.WriteFile(filepath.Join(tx, "journal.json"), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	e := f.open()
	_, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
	if done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("done = %+v", done)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("the killed run's placed file is still there (%v)", err)
	}
	if _, err := os.Stat(tx); !os.IsNotExist(err) {
		t.Errorf("the killed run's staging directory is still there (%v)", err)
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
