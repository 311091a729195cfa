// Package piptest makes real Python virtual environments for tests, and the
// environment to run pip in, the way net/http/httptest serves tests of
// net/http. It does not import package pip, so pip's own tests can use it.
//
// A test binary holds one Fixture for all its tests, as a package variable
// of the tests, and hands its TestMain to Fixture.Main, which closes it.
// What the fixture prepares once per test binary lives in the Fixture, not
// in this package, so two binaries, or two fixtures, never share it by
// accident.
package piptest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pipup/pipup/internal/testenv"
)

// Fixture is one test binary's base interpreter and what it builds from
// it. Its methods are safe for parallel tests.
type Fixture struct {
	base    string
	baseErr error

	bundle  func() (bundle, error)
	pipDir  func() (string, error)
	siteDir func() (string, error)
	shared  func() (string, error)

	mu   sync.Mutex
	temp []string // removed by Close
}

// bundle is the base interpreter's ensurepip wheels and its X.Y version.
type bundle struct {
	pip, setuptools string // wheel paths; setuptools is "" from 3.12 on
	version         string
}

// New finds the base interpreter: $PIPUP_TEST_PYTHON, else python3 on
// PATH (testenv.LookPython). A missing one ends every test that needs it
// through testenv.Missing: a skip that says so, or a failure under
// PIPUP_TEST_STRICT, so these tests never pass quietly in CI on a machine
// that cannot run them.
func New() *Fixture {
	f := &Fixture{}
	f.base, f.baseErr = testenv.LookPython()
	f.bundle = sync.OnceValues(f.findBundle)
	f.pipDir = sync.OnceValues(f.makePipDir)
	f.siteDir = sync.OnceValues(f.makeSiteDir)
	f.shared = sync.OnceValues(f.makeShared)
	return f
}

// Close removes what the fixture made for the whole binary (the shared
// venv). The unpacked pip and site-packages copies stay in os.TempDir()
// for the next run: they are keyed by their wheels and Python version.
func (f *Fixture) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, d := range f.temp {
		errs = append(errs, os.RemoveAll(d))
	}
	f.temp = nil
	return errors.Join(errs...)
}

// MkdirTemp makes a directory (os.MkdirTemp("", pattern)) that Close
// removes: for what a test binary builds once and shares (a venv made
// under a sync.Once, a built binary).
func (f *Fixture) MkdirTemp(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	f.temp = append(f.temp, dir)
	f.mu.Unlock()
	return dir, nil
}

// Main runs m's tests, closes f and exits with the tests' status: the
// whole of a TestMain. Before the tests it drops from the process
// environment what only the caller meant (see scrubProcess).
func (f *Fixture) Main(m *testing.M) {
	if err := scrubProcess(); err != nil {
		fmt.Fprintln(os.Stderr, "piptest:", err)
		os.Exit(2)
	}
	code := m.Run()
	f.Close()
	os.Exit(code)
}

// Python returns the base interpreter's path, or fails t.
func (f *Fixture) Python(t testing.TB) string {
	t.Helper()
	if f.baseErr != nil {
		testenv.Missing(t, "python3 (the tests build real virtual environments; set %s or put python3 on PATH): %v", testenv.PythonVar, f.baseErr)
	}
	return f.base
}

// PipDir returns a directory holding the base interpreter's bundled pip,
// unpacked and precompiled, without its .dist-info: put it on sys.path and
// `python -m pip` works and installs into whatever environment runs it,
// without pip being one of that environment's distributions. It is made
// once per machine and Python version (os.TempDir()/pipup-test-pip-…) and
// must not be written to.
func (f *Fixture) PipDir(t testing.TB) string {
	t.Helper()
	dir, err := f.pipDir()
	if err != nil {
		t.Fatalf("shared pip: %v", err)
	}
	return dir
}

// PthName is the .pth file by which a SharedPip venv finds PipDir; remove
// it from site-packages to take the shared pip away again.
const PthName = "_pipup_test_pip.pth"

// LinkPip makes PipDir importable from the site-packages directory site
// (a venv's, or a fake installation's) through PthName.
func (f *Fixture) LinkPip(t testing.TB, site string) {
	t.Helper()
	if err := f.linkPip(site); err != nil {
		t.Fatal(err)
	}
}

func (f *Fixture) linkPip(site string) error {
	dir, err := f.pipDir()
	if err != nil {
		return fmt.Errorf("shared pip: %w", err)
	}
	return os.WriteFile(filepath.Join(site, PthName), []byte(dir+"\n"), 0o644)
}

// SitePackages returns the site-packages directory of the venv whose
// interpreter is python.
func SitePackages(python string) (string, error) {
	root := filepath.Dir(filepath.Dir(python))
	m, err := filepath.Glob(filepath.Join(root, "lib", "python*", "site-packages"))
	if err != nil || len(m) != 1 {
		return "", fmt.Errorf("site-packages of %s: found %v", python, m)
	}
	return m[0], nil
}

// findBundle asks testenv what the base interpreter bundles, as the
// tests that pick pip versions do.
func (f *Fixture) findBundle() (bundle, error) {
	if f.baseErr != nil {
		return bundle{}, f.baseErr
	}
	in, err := testenv.Probe(f.base)
	if err != nil {
		return bundle{}, fmt.Errorf("find ensurepip of %s: %w", f.base, err)
	}
	major, minor := in.MajorMinor()
	b := bundle{version: fmt.Sprintf("%d.%d", major, minor)}
	for _, w := range in.Bundled { // oldest first: the newest of each is kept
		switch w.Project {
		case "pip":
			b.pip = w.Path
		case "setuptools":
			b.setuptools = w.Path
		}
	}
	if b.pip == "" {
		return b, fmt.Errorf("no bundled pip wheel in the ensurepip of %s", f.base)
	}
	return b, nil
}

func (f *Fixture) makePipDir() (string, error) {
	b, err := f.bundle()
	if err != nil {
		return "", err
	}
	name := "pipup-test-" + strings.TrimSuffix(filepath.Base(b.pip), ".whl") + "-py" + b.version
	return f.prepare(name, func(tmp string) error {
		if err := Unzip(b.pip, tmp); err != nil {
			return err
		}
		infos, _ := filepath.Glob(filepath.Join(tmp, "pip-*.dist-info"))
		for _, d := range infos {
			if err := os.RemoveAll(d); err != nil {
				return err
			}
		}
		return nil
	})
}

// prepare returns os.TempDir()/name, first filling and precompiling it if
// no earlier run (of any test binary) has. This machine sets
// PYTHONDONTWRITEBYTECODE: without .pyc files every pip start compiles pip
// anew, a second or more each time. The directory appears whole or not at
// all (rename), so concurrent test binaries can race for it safely.
func (f *Fixture) prepare(name string, fill func(tmp string) error) (string, error) {
	dir := filepath.Join(os.TempDir(), name)
	marker := filepath.Join(dir, "pip", "__main__.py")
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(os.TempDir(), name+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := fill(tmp); err != nil {
		return "", fmt.Errorf("prepare %s: %w", name, err)
	}
	if out, err := exec.Command(f.base, "-m", "compileall", "-q", tmp).CombinedOutput(); err != nil {
		return "", fmt.Errorf("prepare %s: compileall: %v: %s", name, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(marker); serr != nil {
			return "", fmt.Errorf("prepare %s: %w", name, err)
		} // else another test binary won the race
	}
	return dir, nil
}
