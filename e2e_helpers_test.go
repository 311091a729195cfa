package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
)

// Shared by the end-to-end tests of package main: the pipup binary (built
// once per test binary) and real virtual environments.

// pythons makes the venvs of package main's tests (see package piptest).
var pythons = piptest.New()

func TestMain(m *testing.M) { pythons.Main(m) }

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
		dir, err := pythons.MkdirTemp("pipup-bin-")
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
