package pip

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pypi/pypitest"
)

// TestUpgradeAllThenUndo upgrades every outdated package of a venv, checks
// the environment, then undoes the upgrade and checks the old versions are
// back, exactly.
func TestUpgradeAllThenUndo(t *testing.T) {
	t.Parallel()
	for _, inst := range installers {
		t.Run(inst, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.installer = inst
			f.old(wheel("alpha", "1.0"), wheel("beta-pkg", "1.0"), wheel("gamma", "1.0"), wheel("uptodate", "3.0"))
			pkgs := []Upgrade{
				f.add(wheel("alpha", "2.0")),
				f.add(wheel("beta-pkg", "1.1")),
				f.add(wheel("gamma", "2.0rc1")), // a pre-release: pinned, not "-U"
				{Name: "uptodate", Target: "3.0", Candidate: CandidateFile{Filename: "uptodate-3.0-py3-none-any.whl", URL: f.srv.URL + "/files/uptodate-3.0-py3-none-any.whl"}},
			}
			e := f.open()
			evs, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))

			if done.Err != nil || done.Upgraded != 3 || done.Failed != 0 || done.Skipped != 1 || done.Cancelled {
				t.Fatalf("done = %+v", done)
			}
			started, ok := evs[0].(UpgradeStarted)
			if !ok || len(started.Packages) != 3 || started.Packages[1] != (PlannedUpgrade{Name: "beta-pkg", From: "1.0", To: "1.1"}) {
				t.Fatalf("first event = %#v", evs[0])
			}
			if got := outcomes(evs); got["uptodate"] != "skipped: already up to date" || got["alpha"] != "upgraded" {
				t.Errorf("outcomes = %v", got)
			}
			want := map[string]string{"alpha": "2.0", "beta-pkg": "1.1", "gamma": "2.0rc1", "uptodate": "3.0"}
			if got := f.versions(); !equalMaps(got, want) {
				t.Errorf("versions after upgrade = %v, want %v", got, want)
			}
			if done.PipCheckOK == nil || !*done.PipCheckOK {
				t.Errorf("pip check: ok=%v %q", done.PipCheckOK, done.PipCheck)
			}
			if !strings.Contains(done.UndoCommand, "pipup undo") {
				t.Errorf("UndoCommand = %q", done.UndoCommand)
			}
			assertIntact(t, e.Interp)
			assertStages(t, evs, "alpha", StageQueued, StageDownloading, StageVerifying, StageInstalling)
			for _, d := range mustDists(t, e) {
				if d.DirectURL != nil {
					t.Errorf("%s has a direct_url.json: pip was given a path, not a pin", d.Name)
				}
			}
			// The run's private directory is gone.
			if left, _ := filepath.Glob(filepath.Join(e.CacheDir, "upgrade", "run-*")); len(left) != 0 {
				t.Errorf("work directories left: %v", left)
			}

			hist, err := History(f.state, e.Interp)
			if err != nil || len(hist) != 1 {
				t.Fatalf("history = %v, %v", hist, err)
			}
			if !hist[0].Finished || len(hist[0].Changes) != 3 || hist[0].Describe() == "" {
				t.Errorf("snapshot = %+v", hist[0])
			}

			evs, done = run(t, e.Undo(context.Background(), f.opts()))
			if done.Err != nil || done.Upgraded != 3 || done.Failed != 0 {
				t.Fatalf("undo done = %+v; events %v", done, evs)
			}
			want = map[string]string{"alpha": "1.0", "beta-pkg": "1.0", "gamma": "1.0", "uptodate": "3.0"}
			if got := f.versions(); !equalMaps(got, want) {
				t.Errorf("versions after undo = %v, want %v", got, want)
			}
			assertIntact(t, e.Interp)
			hist, _ = History(f.state, e.Interp)
			if len(hist) != 1 || hist[0].UndoneAt == nil {
				t.Errorf("snapshot not marked undone: %+v", hist)
			}
			_, done = run(t, e.Undo(context.Background(), f.opts()))
			if done.Err != ErrNothingToUndo {
				t.Errorf("second undo: err = %v", done.Err)
			}
		})
	}
}

// TestUpgradeNewDependency: the new version needs a package that is not
// installed; it is fetched from the index and installed. Undo removes it.
func TestUpgradeNewDependency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("app", "1.0"), wheel("lib", "1.0"), wheel("plain", "1.0"))
	f.add(wheel("newdep", "1.5"))
	f.add(wheel("newdep", "0.9"))
	pkgs := []Upgrade{
		f.add(wheel("app", "2.0", "newdep>=1.0", `windowsonly ; sys_platform == "win32"`, "extra-only ; extra == 'fancy'")),
		f.add(wheel("lib", "2.0", "plain>=1.1")), // needs plain's upgrade from the same run
		f.add(wheel("plain", "1.1")),
	}
	e := f.open()
	o := f.opts()
	// One package per pip run: lib's run must also see plain's new wheel.
	o.BatchSize = 1
	f.srv.ResetCounts()
	evs, done := run(t, e.Upgrade(context.Background(), pkgs, o))
	if done.Err != nil || done.Upgraded != 3 || done.Failed != 0 {
		t.Fatalf("done = %+v\n%v", done, evs)
	}
	// Only app's run used the index (pages of app and newdep): lib and
	// plain were installed from the downloaded files alone.
	if c := f.srv.Requests(); c.Project != 2 {
		t.Errorf("%d project pages fetched, want 2 (app, newdep)", c.Project)
	}
	want := map[string]string{"app": "2.0", "lib": "2.0", "plain": "1.1", "newdep": "1.5"}
	if got := f.versions(); !equalMaps(got, want) {
		t.Errorf("versions = %v, want %v", got, want)
	}
	assertIntact(t, e.Interp)

	_, done = run(t, e.Undo(context.Background(), f.opts()))
	if done.Err != nil || done.Failed != 0 || done.Upgraded != 4 {
		t.Fatalf("undo done = %+v", done)
	}
	want = map[string]string{"app": "1.0", "lib": "1.0", "plain": "1.0"}
	if got := f.versions(); !equalMaps(got, want) {
		t.Errorf("versions after undo = %v, want %v", got, want)
	}
}

// TestUpgradeBrokenWheelAndHashMismatch: one package's new wheel cannot be
// installed and another's does not match the index's hash; only those two
// fail, with their own one-line reasons, and the others upgrade.
func TestUpgradeBrokenWheelAndHashMismatch(t *testing.T) {
	t.Parallel()
	for _, inst := range installers {
		t.Run(inst, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.installer = inst
			names := []string{"p1", "p2", "p3", "p4", "p5", "p6"}
			var old []pypitest.WheelSpec
			for _, n := range names {
				old = append(old, wheel(n, "1.0"))
			}
			f.old(old...)
			var pkgs []Upgrade
			for _, n := range names {
				s := wheel(n, "2.0")
				switch n {
				case "p3":
					s.Broken = true
					pkgs = append(pkgs, f.add(s))
				case "p5":
					pkgs = append(pkgs, f.add(s, pypitest.WithWrongHash()))
					pkgs[len(pkgs)-1].Candidate.SHA256 = strings.Repeat("ab", 32) // as the index advertises it
				default:
					pkgs = append(pkgs, f.add(s))
				}
			}
			e := f.open()
			evs, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
			if done.Upgraded != 4 || done.Failed != 2 || done.Err != nil {
				t.Fatalf("done = %+v", done)
			}
			got := outcomes(evs)
			t.Logf("p3: %s; p5: %s", got["p3"], got["p5"])
			if r := got["p3"]; !strings.HasPrefix(r, "failed: ") || strings.Contains(r, "\n") || !strings.Contains(strings.ToLower(r), "wheel") {
				t.Errorf("p3: %q", r)
			}
			if r := got["p5"]; !strings.Contains(r, "hash mismatch") {
				t.Errorf("p5: %q", r)
			}
			want := map[string]string{"p1": "2.0", "p2": "2.0", "p3": "1.0", "p4": "2.0", "p5": "1.0", "p6": "2.0"}
			if v := f.versions(); !equalMaps(v, want) {
				t.Errorf("versions = %v, want %v", v, want)
			}
			// The hash-mismatched file was never handed to pip.
			for _, ev := range evs {
				if p, ok := ev.(UpgradeProgress); ok && p.Name == "p5" && p.Stage == StageInstalling {
					t.Errorf("p5 reached the installing stage")
				}
			}
			assertIntact(t, e.Interp)
		})
	}
}

// TestUpgradeDryRun changes nothing and downloads nothing.
func TestUpgradeDryRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("alpha", "1.0"))
	pkgs := []Upgrade{f.add(wheel("alpha", "2.0"))}
	e := f.open()
	f.srv.ResetCounts()
	o := f.opts()
	o.DryRun = true
	evs, done := run(t, e.Upgrade(context.Background(), pkgs, o))
	if done.Err != nil || done.Upgraded != 0 || len(evs) != 2 {
		t.Fatalf("done = %+v, events %v", done, evs)
	}
	if st := evs[0].(UpgradeStarted); len(st.Packages) != 1 || st.Packages[0].To != "2.0" {
		t.Errorf("plan = %+v", st)
	}
	if v := f.versions()["alpha"]; v != "1.0" {
		t.Errorf("alpha = %s after a dry run", v)
	}
	if c := f.srv.Requests(); c.Total != 0 {
		t.Errorf("dry run made %d requests", c.Total)
	}
	if h, _ := History(f.state, e.Interp); len(h) != 0 {
		t.Errorf("dry run wrote a snapshot")
	}
}

// TestUpgradeRefusals: editable, direct-URL and RECORD-less installs are
// skipped with their reason, and nothing runs for them.
func TestUpgradeRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("norecord", "1.0"), wheel("fromurl", "1.0"), wheel("fine", "1.0"))
	e := f.open()
	site := e.Interp.SitePackages[0]
	if err := os.Remove(filepath.Join(site, "norecord-1.0.dist-info", "RECORD")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "fromurl-1.0.dist-info", "direct_url.json"), []byte(`{"url":"https://example.invalid/fromurl-1.0.tar.gz","archive_info":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pkgs := []Upgrade{f.add(wheel("norecord", "2.0")), f.add(wheel("fromurl", "2.0")), f.add(wheel("fine", "2.0")), f.add(wheel("absent", "1.0"))}
	evs, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
	if done.Upgraded != 1 || done.Skipped != 3 || done.Failed != 0 {
		t.Fatalf("done = %+v", done)
	}
	got := outcomes(evs)
	for name, want := range map[string]string{"norecord": "RECORD", "fromurl": "direct URL", "absent": "not installed", "fine": "upgraded"} {
		if !strings.Contains(got[name], want) {
			t.Errorf("%s: %q, want it to mention %q", name, got[name], want)
		}
	}
}

// TestUpgradeExternallyManaged: in an interpreter that reports PEP 668's
// EXTERNALLY-MANAGED, the run is refused with pip's explanation and
// nothing changes, unless BreakSystemPackages is set.
func TestUpgradeExternallyManaged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.py = fakeSystemPython(t, "This Python belongs to the test OS; use a venv.")
	f.old(wheel("alpha", "1.0"))
	pkgs := []Upgrade{f.add(wheel("alpha", "2.0"))}
	e := f.open()
	if e.Interp.ExternallyManaged == "" {
		t.Fatalf("interpreter does not report EXTERNALLY-MANAGED: %+v", e.Interp)
	}
	f.srv.ResetCounts()
	evs, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
	if done.Err == nil || !strings.Contains(done.Err.Error(), "test OS") || !strings.Contains(done.Err.Error(), "--break-system-packages") {
		t.Fatalf("err = %v", done.Err)
	}
	if len(evs) != 1 || f.srv.Requests().Total != 0 || f.versions()["alpha"] != "1.0" {
		t.Fatalf("something happened: events %v, requests %+v, alpha %s", evs, f.srv.Requests(), f.versions()["alpha"])
	}
	if h, _ := History(f.state, e.Interp); len(h) != 0 {
		t.Errorf("refused run wrote a snapshot")
	}
	o := f.opts()
	o.BreakSystemPackages = true
	_, done = run(t, e.Upgrade(context.Background(), pkgs, o))
	if done.Err != nil || done.Upgraded != 1 || f.versions()["alpha"] != "2.0" {
		t.Fatalf("with BreakSystemPackages: %+v, alpha %s", done, f.versions()["alpha"])
	}
}

// fakeSystemPython builds a Python "installation" under t.TempDir() that is
// not a venv: the base interpreter's binary, its standard library linked in
// entry by entry, an own site-packages with the shared test pip, and an
// EXTERNALLY-MANAGED file, as a distribution's /usr would have.
func fakeSystemPython(t *testing.T, msg string) string {
	t.Helper()
	base := pythons.Python(t)
	out, err := execOutput(base, "-c", "import sys,sysconfig;print(sys.base_prefix);print(sysconfig.get_path('stdlib'));print('%d.%d'%sys.version_info[:2])")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(out)
	basePrefix, stdlib, ver := lines[0], lines[1], lines[2]
	root := t.TempDir()
	lib := filepath.Join(root, "lib", "python"+ver)
	site := filepath.Join(lib, "site-packages")
	if err := os.MkdirAll(site, 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	exe, err := filepath.EvalSymlinks(filepath.Join(basePrefix, "bin", "python"+ver))
	if err != nil {
		testenv.Missing(t, "the base interpreter's binary at %s/bin/python%s (copied to fake an installation): %v", basePrefix, ver, err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	py := filepath.Join(root, "bin", "python3")
	if err := os.WriteFile(py, data, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(stdlib)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Name() == "site-packages" {
			continue
		}
		if err := os.Symlink(filepath.Join(stdlib, en.Name()), filepath.Join(lib, en.Name())); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(lib, "EXTERNALLY-MANAGED"), []byte("[externally-managed]\nError="+msg+"\n"), 0o644)
	pythons.LinkPip(t, site)
	return py
}

func execOutput(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	out, err := cmd.Output()
	return string(out), err
}

func mustDists(t testing.TB, e *Env) []Dist {
	t.Helper()
	d, err := InstalledDists(e.Interp)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// assertStages checks that a package went through the stages in order.
func assertStages(t testing.TB, evs []UpgradeEvent, name string, stages ...Stage) {
	t.Helper()
	i := 0
	for _, ev := range evs {
		if p, ok := ev.(UpgradeProgress); ok && p.Name == name && i < len(stages) && p.Stage == stages[i] {
			i++
		}
	}
	if i != len(stages) {
		t.Errorf("%s went through %d of the stages %v", name, i, stages)
	}
}

// TestUpgradeFromSdist: when the index has only a source archive of the
// new version, pipup builds a wheel from it (pip wheel --no-deps) and
// installs that. The archive uses an in-tree PEP 517 backend with no build
// requirements, so the build needs no index.
func TestUpgradeFromSdist(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("srconly", "1.0"))
	name, data := inTreeSdist(t, "srconly", "2.0")
	if err := f.srv.Add(pypitest.FileSpec{Project: "srconly", Filename: name, Data: data}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	pkgs := []Upgrade{{Name: "srconly", Target: "2.0", FileType: "sdist", Bump: BumpMajor,
		Candidate: CandidateFile{Filename: name, URL: f.srv.URL + "/files/" + name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}}}
	e := f.open()
	evs, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts()))
	if done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("done = %+v\n%v", done, evs)
	}
	assertStages(t, evs, "srconly", StageDownloading, StageVerifying, StageBuilding, StageInstalling)
	if v := f.versions()["srconly"]; v != "2.0" {
		t.Errorf("srconly = %s", v)
	}
	assertIntact(t, e.Interp)
}

// inTreeSdist makes a source archive whose pyproject.toml names a build
// backend shipped inside it, which writes the wheel with zipfile.
func inTreeSdist(t *testing.T, name, version string) (string, []byte) {
	t.Helper()
	root := name + "-" + version
	backend := `import base64, hashlib, os, zipfile
NAME, VERSION = "` + name + `", "` + version + `"
def _line(path, data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, h, len(data))
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    di = "%s-%s.dist-info" % (NAME, VERSION)
    files = {
        NAME + "/__init__.py": ("__version__ = %r\n" % VERSION).encode(),
        di + "/METADATA": ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (NAME, VERSION)).encode(),
        di + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    fn = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    with zipfile.ZipFile(os.path.join(wheel_directory, fn), "w") as z:
        rec = []
        for p, d in files.items():
            z.writestr(p, d)
            rec.append(_line(p, d))
        rec.append(di + "/RECORD,,")
        z.writestr(di + "/RECORD", "\n".join(rec) + "\n")
    return fn
`
	files := map[string]string{
		"pyproject.toml":      "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
		"backend.py":          backend,
		"PKG-INFO":            "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n",
		name + "/__init__.py": "__version__ = '" + version + "'\n",
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for p, c := range files {
		if err := tw.WriteHeader(&tar.Header{Name: root + "/" + p, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	gz.Close()
	return root + ".tar.gz", buf.Bytes()
}
