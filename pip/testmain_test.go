package pip

// Shared test fixtures for every test in package pip.
//
// sharedVenv gives one virtual environment (with pip) per test binary,
// created on first use and removed when the binary exits. Tests must treat
// it as read-only: make your own with makeVenv to install anything.
// cleanPipEnv is the environment to run pip with, free of this machine's
// PIP_* settings and /etc/pip.conf.

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var shared struct {
	once   sync.Once
	root   string // temp dir holding the venv, removed by TestMain
	python string
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.root != "" {
		os.RemoveAll(shared.root)
	}
	os.Exit(code)
}

// basePython is the interpreter test venvs are made from: $PIPUP_TEST_PYTHON
// or python3 on PATH. Tests skip when there is none.
func basePython(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PIPUP_TEST_PYTHON"); p != "" {
		return p
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is required: the tests build real virtual environments")
	}
	return p
}

// sharedVenv returns the python of a virtual environment with pip in it,
// shared by all tests of the binary. Do not install into it.
func sharedVenv(t testing.TB) string {
	t.Helper()
	base := basePython(t)
	shared.once.Do(func() {
		root, err := os.MkdirTemp("", "pipup-shared-venv-")
		if err != nil {
			shared.err = err
			return
		}
		shared.root = root
		shared.python, shared.err = createVenv(base, filepath.Join(root, "venv"))
	})
	if shared.err != nil {
		t.Fatalf("shared venv: %v", shared.err)
	}
	return shared.python
}

// makeVenv creates a private virtual environment under t.TempDir() with
// `python3 -m venv` plus extra flags (e.g. "--without-pip" or
// "--system-site-packages") and returns its python.
func makeVenv(t testing.TB, flags ...string) string {
	t.Helper()
	py, err := createVenv(basePython(t), filepath.Join(t.TempDir(), "venv"), flags...)
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// createVenv runs `base -m venv --without-pip` and then, unless the flags
// say --without-pip, unpacks ensurepip's bundled pip (and setuptools) wheels
// into site-packages. That is what ensurepip amounts to, minus the console
// scripts (use `python -m pip`), and takes about a second instead of 15-60 s
// on this machine.
func createVenv(base, dir string, flags ...string) (string, error) {
	withPip := true
	args := []string{"-m", "venv", "--without-pip"}
	for _, f := range flags {
		if f == "--without-pip" {
			withPip = false
			continue
		}
		args = append(args, f)
	}
	args = append(args, dir)
	run := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Env = cleanPipEnv()
		cmd.Dir = os.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	start := time.Now()
	if _, err := run(base, args...); err != nil {
		return "", err
	}
	py := filepath.Join(dir, "bin", "python")
	if runtime.GOOS == "windows" {
		py = filepath.Join(dir, "Scripts", "python.exe")
	}
	if withPip {
		out, err := run(py, "-c", "import ensurepip, sysconfig; print(ensurepip.__path__[0]); print(sysconfig.get_paths()['purelib'])")
		if err != nil {
			return "", err
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var wheels []string
		if len(lines) == 2 {
			for _, name := range []string{"pip", "setuptools"} {
				m, _ := filepath.Glob(filepath.Join(strings.TrimSpace(lines[0]), "_bundled", name+"-*.whl"))
				wheels = append(wheels, m...)
			}
		}
		if len(wheels) == 0 || !hasPipWheel(wheels) {
			if _, err := run(py, "-m", "ensurepip"); err != nil {
				return "", err
			}
		} else {
			for _, whl := range wheels {
				if err := unpackTestWheel(whl, strings.TrimSpace(lines[1])); err != nil {
					return "", err
				}
			}
		}
		if _, err := run(py, "-m", "pip", "--version"); err != nil {
			return "", err
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		fmt.Fprintf(os.Stderr, "note: creating venv %s took %s\n", dir, d.Round(time.Millisecond))
	}
	return py, nil
}

func hasPipWheel(wheels []string) bool {
	for _, w := range wheels {
		if strings.HasPrefix(filepath.Base(w), "pip-") {
			return true
		}
	}
	return false
}

// unpackTestWheel extracts a pure-Python wheel into site-packages and marks
// it as installed by pip, as ensurepip would.
func unpackTestWheel(whl, dest string) error {
	zr, err := zip.OpenReader(whl)
	if err != nil {
		return err
	}
	defer zr.Close()
	var distInfo string
	for _, f := range zr.File {
		target := filepath.Join(dest, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(target, filepath.Clean(dest)+string(filepath.Separator)) {
			return fmt.Errorf("%s: bad path %q", whl, f.Name)
		}
		if d, _, ok := strings.Cut(f.Name, "/"); ok && strings.HasSuffix(d, ".dist-info") {
			distInfo = d
		}
		if f.FileInfo().IsDir() {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	if distInfo == "" {
		return fmt.Errorf("%s: no .dist-info", whl)
	}
	return os.WriteFile(filepath.Join(dest, distInfo, "INSTALLER"), []byte("pip\n"), 0o644)
}

// cleanPipEnv is os.Environ() without PIP_* variables, with pip's config
// files, version check and prompts turned off.
func cleanPipEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(strings.ToUpper(kv), "PIP_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PIP_CONFIG_FILE="+os.DevNull,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
		"PIP_NO_COLOR=1",
		"PYTHONDONTWRITEBYTECODE=1",
	)
}
