package pip

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// Upgrade tests need many small virtual environments with pip. `python -m
// venv` with pip takes ~10 s here (ensurepip installs pip and setuptools);
// with --without-pip it takes ~0.5 s. So the tests make venvs without pip
// and give them the base interpreter's bundled pip through a .pth file
// pointing at one unpacked, precompiled copy shared by all tests (and test
// runs). pip is then importable, and installs into the venv it runs in,
// but is not itself an installed distribution of the venv.

var upgradeTestPip struct {
	once sync.Once
	dir  string
	err  error
}

// testPipDir unpacks the base interpreter's bundled pip wheel once.
func testPipDir(t testing.TB) string {
	t.Helper()
	base := basePython(t)
	upgradeTestPip.once.Do(func() {
		out, err := exec.Command(base, "-c", "import ensurepip,os,sys;print(os.path.dirname(ensurepip.__file__));print('%d.%d'%sys.version_info[:2])").Output()
		if err != nil {
			upgradeTestPip.err = fmt.Errorf("find ensurepip: %v", err)
			return
		}
		lines := strings.Fields(string(out))
		wheels, _ := filepath.Glob(filepath.Join(lines[0], "_bundled", "pip-*.whl"))
		if len(wheels) == 0 {
			upgradeTestPip.err = fmt.Errorf("no bundled pip wheel under %s", lines[0])
			return
		}
		whl := wheels[len(wheels)-1]
		dir := filepath.Join(os.TempDir(), "pipup-test-"+strings.TrimSuffix(filepath.Base(whl), ".whl")+"-py"+lines[1])
		if _, err := os.Stat(filepath.Join(dir, "pip", "__main__.py")); err == nil {
			upgradeTestPip.dir = dir
			return
		}
		tmp, err := os.MkdirTemp(os.TempDir(), "pipup-test-pip-")
		if err != nil {
			upgradeTestPip.err = err
			return
		}
		if err := unzip(whl, tmp); err != nil {
			upgradeTestPip.err = err
			return
		}
		infos, _ := filepath.Glob(filepath.Join(tmp, "pip-*.dist-info"))
		for _, d := range infos {
			os.RemoveAll(d)
		}
		// PYTHONDONTWRITEBYTECODE is set on this machine: without .pyc
		// files every pip start would compile pip (~1 s more).
		if out, err := exec.Command(base, "-m", "compileall", "-q", tmp).CombinedOutput(); err != nil {
			upgradeTestPip.err = fmt.Errorf("compileall: %v: %s", err, out)
			return
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp) // another test binary won the race
		}
		upgradeTestPip.dir = dir
	})
	if upgradeTestPip.err != nil {
		t.Fatalf("test pip: %v", upgradeTestPip.err)
	}
	return upgradeTestPip.dir
}

func unzip(path, dest string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		p := filepath.Join(dest, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(p, filepath.Clean(dest)+string(filepath.Separator)) {
			return fmt.Errorf("unzip %s: bad path %q", path, f.Name)
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		w, err := os.Create(p)
		if err == nil {
			_, err = io.Copy(w, rc)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// fastVenv makes a venv under t.TempDir() whose pip is the shared one.
func fastVenv(t testing.TB) string {
	t.Helper()
	pipDir := testPipDir(t)
	py := makeVenv(t, "--without-pip")
	site, err := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(py)), "lib", "python*", "site-packages"))
	if err != nil || len(site) != 1 {
		t.Fatalf("venv site-packages: %v %v", site, err)
	}
	if err := os.WriteFile(filepath.Join(site[0], "_pipup_test_pip.pth"), []byte(pipDir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return py
}

// testEnviron is the environment pip and pipup run with in these tests.
func testEnviron(t testing.TB) []string {
	return append(cleanPipEnv(), "PIP_CACHE_DIR="+t.TempDir(), "PYTHONNOUSERSITE=1", "XDG_STATE_HOME="+t.TempDir())
}

// pipInstall installs pins into the venv from dir, with no index.
func pipInstall(t testing.TB, py, dir string, pins ...string) {
	t.Helper()
	args := append([]string{"-m", "pip", "install", "-q", "--no-index", "--break-system-packages", "--find-links", dir}, pins...)
	cmd := exec.Command(py, args...)
	cmd.Env = append(cleanPipEnv(), "PYTHONNOUSERSITE=1")
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
}

func newFixture(t testing.TB, opts ...pypitest.Option) *fixture {
	t.Helper()
	srv := pypitest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, py: fastVenv(t), local: t.TempDir(), state: t.TempDir(), specs: map[string]pypitest.WheelSpec{}}
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
// for it (Version is filled in by open from the installed one).
func (f *fixture) add(s pypitest.WheelSpec, opts ...pypitest.FileOption) PackageChecked {
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
	return PackageChecked{
		Name: s.Name, Latest: s.Version, FileType: "wheel", Bump: BumpMajor,
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
	e, err := Open(ctx, Options{Python: f.py, IndexURL: f.srv.IndexURL(), Environ: testEnviron(f.t), CacheDir: f.t.TempDir()})
	if err != nil {
		f.t.Fatalf("open env: %v", err)
	}
	f.env = e
	return e
}

func (f *fixture) opts() UpgradeOptions {
	return UpgradeOptions{StateDir: f.state, Timeout: 2 * time.Minute}
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
