package piptest

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Pip says what pip a new venv gets.
type Pip int

const (
	// WithPip installs pip (and setuptools, where the interpreter bundles
	// it) as distributions of the venv, from ensurepip's bundled wheels,
	// as ensurepip would but in well under a second instead of 10-60 s:
	// the wheels are unpacked and precompiled once per machine and copied
	// in. There are no console scripts: run `python -m pip`.
	WithPip Pip = iota
	// SharedPip gives the venv no pip distribution, only a .pth file
	// (PthName) pointing at PipDir: `python -m pip` works and installs into
	// the venv, and pip does not show among the venv's distributions.
	SharedPip
	// NoPip is `python -m venv --without-pip` and nothing more.
	NoPip
)

func (p Pip) String() string {
	switch p {
	case WithPip:
		return "WithPip"
	case SharedPip:
		return "SharedPip"
	case NoPip:
		return "NoPip"
	}
	return fmt.Sprintf("Pip(%d)", int(p))
}

// Venv makes a virtual environment under t.TempDir() with the base
// interpreter and the given pip, and returns its interpreter. venvArgs go
// to `python -m venv` (e.g. "--system-site-packages"); --without-pip is
// not one of them: say NoPip.
func (f *Fixture) Venv(t testing.TB, pip Pip, venvArgs ...string) string {
	t.Helper()
	f.Python(t)
	py, err := f.CreateVenv(filepath.Join(t.TempDir(), "venv"), pip, venvArgs...)
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// CreateVenv is Venv in a directory of the caller's, for a venv that
// outlives one test (one per test binary, made under a sync.Once): it
// returns the error for the caller to report to every test that needed
// the venv.
func (f *Fixture) CreateVenv(dir string, pip Pip, venvArgs ...string) (string, error) {
	if f.baseErr != nil {
		return "", fmt.Errorf("python3 is required: %w", f.baseErr)
	}
	if slices.Contains(venvArgs, "--without-pip") {
		return "", fmt.Errorf("create venv %s: pass NoPip, not --without-pip", dir)
	}
	start := time.Now()
	// Always --without-pip: ensurepip is what makes `python -m venv` slow.
	args := append(append([]string{"-m", "venv", "--without-pip"}, venvArgs...), dir)
	if _, err := run(f.base, args...); err != nil {
		return "", err
	}
	py := filepath.Join(dir, "bin", "python")
	if runtime.GOOS == "windows" {
		py = filepath.Join(dir, "Scripts", "python.exe")
	}
	var err error
	switch pip {
	case WithPip:
		err = f.installPip(py)
	case SharedPip:
		var site string
		if site, err = SitePackages(py); err == nil {
			err = f.linkPip(site)
		}
	case NoPip:
	default:
		err = fmt.Errorf("unknown %v", pip)
	}
	if err != nil {
		return "", fmt.Errorf("create venv %s (%v): %w", dir, pip, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		fmt.Fprintf(os.Stderr, "note: creating venv %s took %s\n", dir, d.Round(time.Millisecond))
	}
	return py, nil
}

// SharedVenv returns the interpreter of one WithPip venv shared by every
// test of the binary and removed by Close. Treat it as read-only: make
// your own venv to install anything.
func (f *Fixture) SharedVenv(t testing.TB) string {
	t.Helper()
	f.Python(t)
	py, err := f.shared()
	if err != nil {
		t.Fatalf("shared venv: %v", err)
	}
	return py
}

func (f *Fixture) makeShared() (string, error) {
	root, err := f.MkdirTemp("pipup-shared-venv-")
	if err != nil {
		return "", err
	}
	return f.CreateVenv(filepath.Join(root, "venv"), WithPip)
}

// InstalledVenv makes a WithPip venv in a directory Close removes and runs
// `python -m pip install -q pipArgs...` in it, with a private HOME and no
// pip cache: for a venv a test binary fills once (under a sync.Once) and
// its tests share read-only.
func (f *Fixture) InstalledVenv(pattern string, pipArgs ...string) (string, error) {
	dir, err := f.MkdirTemp(pattern)
	if err != nil {
		return "", err
	}
	py, err := f.CreateVenv(filepath.Join(dir, "venv"), WithPip)
	if err != nil {
		return "", err
	}
	cmd := exec.Command(py, append([]string{"-m", "pip", "install", "-q"}, pipArgs...)...)
	cmd.Env, cmd.Dir = HomeEnviron(dir), dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("pip install %s: %v\n%s", strings.Join(pipArgs, " "), err, out)
	}
	return py, nil
}

// installPip copies the prepared site-packages into the venv, or falls
// back to ensurepip when the interpreter bundles no pip wheel.
func (f *Fixture) installPip(py string) error {
	src, err := f.siteDir()
	if err != nil {
		if _, berr := f.bundle(); berr == nil {
			return err
		}
		if _, err := run(py, "-m", "ensurepip"); err != nil {
			return err
		}
	} else {
		site, err := SitePackages(py)
		if err != nil {
			return err
		}
		if err := copyTree(src, site); err != nil {
			return err
		}
	}
	_, err = run(py, "-m", "pip", "--version")
	return err
}

// makeSiteDir unpacks the bundled wheels as installed distributions into
// one directory to copy into each WithPip venv.
func (f *Fixture) makeSiteDir() (string, error) {
	b, err := f.bundle()
	if err != nil {
		return "", err
	}
	wheels := []string{b.pip}
	if b.setuptools != "" {
		wheels = append(wheels, b.setuptools)
	}
	var names []string
	for _, w := range wheels {
		names = append(names, strings.TrimSuffix(filepath.Base(w), "-py3-none-any.whl"))
	}
	name := "pipup-test-site-" + strings.Join(names, "+") + "-py" + b.version
	return f.prepare(name, func(tmp string) error {
		for _, w := range wheels {
			if err := installWheel(w, tmp); err != nil {
				return err
			}
		}
		return nil
	})
}

// copyTree copies src's files into dst, keeping modification times: a
// .pyc file is valid only for its source's mtime.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := writeFile(target, func() (io.ReadCloser, error) { return os.Open(p) }); err != nil {
			return err
		}
		return os.Chtimes(target, info.ModTime(), info.ModTime())
	})
}

// run runs a setup command in a clean pip environment, outside any
// directory whose modules could shadow the standard library's.
func run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = Environ()
	cmd.Dir = os.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
