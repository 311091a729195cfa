package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Shared by the end-to-end tests of package main: the pipup binary (built
// once per test binary) and real virtual environments.

var buildOnce struct {
	sync.Once
	path string
	err  error
	out  []byte
}

// pipupBinary builds ./ once and returns the binary's path.
func pipupBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pipup-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "pipup")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, ".")
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.path
}

// cleanEnv is the process environment minus every PIP_* variable the
// machine sets, plus a pip that reads no configuration file, plus extra.
func cleanEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		// CI is dropped too: termenv treats any CI variable as "not a
		// terminal", which would turn colours off in the tmux tests.
		if strings.HasPrefix(k, "PIP_") || k == "HOME" || k == "VIRTUAL_ENV" || strings.HasPrefix(k, "XDG_") || k == "NETRC" || k == "CI" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+home,
		"PIP_CONFIG_FILE="+os.DevNull,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
		"PIP_NO_CACHE_DIR=1",
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".state"),
	)
	return append(env, extra...)
}

// python3 is the interpreter the tests build venvs with; a missing one
// fails the test, never skips it.
func python3(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required for the end-to-end tests: %v", err)
	}
	return p
}

// newVenv makes a virtual environment with the machine's python3 and
// returns its interpreter path.
func newVenv(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(python3(t), append(append([]string{"-m", "venv"}, args...), dir)...)
	cmd.Env = cleanEnv(t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python3 -m venv %s: %v\n%s", dir, err, out)
	}
	bin := "bin"
	if runtime.GOOS == "windows" {
		bin = "Scripts"
	}
	return filepath.Join(dir, bin, "python")
}

// runCmd runs name with args in env and returns stdout, stderr and the exit code.
func runCmd(t testing.TB, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}
