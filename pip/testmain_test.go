package pip

// Shared test fixtures for every test in package pip.
//
// sharedVenv gives one virtual environment (with pip) per test binary,
// created on first use and removed when the binary exits. Tests must treat
// it as read-only: make your own with makeVenv to install anything.
// cleanPipEnv is the environment to run pip with, free of this machine's
// PIP_* settings and /etc/pip.conf.

import (
	"fmt"
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
		t.Skip("no python3 on PATH")
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
// `python3 -m venv` plus extra flags (e.g. "--without-pip", which is ~20x
// faster, or "--system-site-packages") and returns its python.
func makeVenv(t testing.TB, flags ...string) string {
	t.Helper()
	py, err := createVenv(basePython(t), filepath.Join(t.TempDir(), "venv"), flags...)
	if err != nil {
		t.Fatal(err)
	}
	return py
}

func createVenv(base, dir string, flags ...string) (string, error) {
	args := append([]string{"-m", "venv"}, flags...)
	args = append(args, dir)
	cmd := exec.Command(base, args...)
	cmd.Env = cleanPipEnv()
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", base, strings.Join(args, " "), err, out)
	}
	py := filepath.Join(dir, "bin", "python")
	if runtime.GOOS == "windows" {
		py = filepath.Join(dir, "Scripts", "python.exe")
	}
	if d := time.Since(start); d > 5*time.Second {
		fmt.Fprintf(os.Stderr, "note: creating venv %s took %s\n", dir, d.Round(time.Millisecond))
	}
	return py, nil
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
