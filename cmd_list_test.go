package main

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// listVenv is one venv per test binary with two packages at 1.0 installed.
var listVenv struct {
	once   sync.Once
	python string
}

func listFixture(t *testing.T) (python string, srv *pypitest.Server) {
	t.Helper()
	srv = pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, n := range []string{"able", "baker"} {
		for _, v := range []string{"1.0", "1.2"} {
			if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: v}); err != nil {
				t.Fatal(err)
			}
		}
	}
	listVenv.once.Do(func() {
		py, err := pythons.InstalledVenv("pipup-list-venv-", "--index-url", srv.IndexURL(), "able==1.0", "baker==1.0")
		if err != nil {
			t.Fatal(err)
		}
		listVenv.python = py
	})
	if listVenv.python == "" {
		t.Fatal("list fixture venv failed in an earlier test")
	}
	return listVenv.python, srv
}

// checkOneLine asserts a failure was reported as clear lines, not a crash.
func checkOneLine(t *testing.T, stderr string) {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", ".go:", "runtime."} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr looks like a crash (%q):\n%s", bad, stderr)
		}
	}
}

func TestListTableAndExitCodes(t *testing.T) {
	bin := pipupBinary(t)
	py, srv := listFixture(t)
	env := piptest.HomeEnviron(t.TempDir())
	out, errOut, code := runCmd(t, env, bin, "list", "--python", py, "--index-url", srv.IndexURL())
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	want := "Package  Installed  Wanted  Latest  Type\nable     1.0        1.2     1.2     minor\nbaker    1.0        1.2     1.2     minor\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(errOut, "2 checked, 2 outdated") {
		t.Errorf("summary line missing from stderr:\n%s", errOut)
	}
	// Flags after a package name work; only that package is checked.
	out, _, code = runCmd(t, env, bin, "list", "baker", "--python", py, "--index-url", srv.IndexURL(), "--json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got) != 1 || got[0]["name"] != "baker" || got[0]["bump"] != "minor" {
		t.Errorf("list baker --json: exit %d, %v, %s", code, err, out)
	}
	// A failing project page: reported, the rest still printed, exit 1.
	srv.Fail("able", pypitest.Fault{Status: 500})
	out, errOut, code = runCmd(t, env, bin, "list", "--no-cache", "--python", py, "--index-url", srv.IndexURL())
	if code != exitFailed || !strings.Contains(out, "baker") || !strings.Contains(errOut, "failed able 1.0") {
		t.Errorf("with able failing: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	checkOneLine(t, errOut)
}

// Every bad input gets one clear line and the right exit code.
func TestListBadInput(t *testing.T) {
	bin := pipupBinary(t)
	py, srv := listFixture(t)
	home := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"unknown flag", []string{"list", "--bogus"}, exitUsage, "pipup list: unknown flag: --bogus (see pipup list --help)"},
		{"flag without its value", []string{"list", "--python"}, exitUsage, "flag needs an argument: --python"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"missing interpreter", []string{"list", "--python", "/nonexistent/python"}, exitFailed, "/nonexistent/python"},
		{"not python", []string{"list", "--python", "/bin/true"}, exitFailed, "/bin/true"},
		{"bad index URL", []string{"list", "--python", py, "--index-url", "http://[::1"}, exitFailed, "pipup: invalid URL http://[::1: malformed URL (from --index-url)"},
		{"unreachable index", []string{"list", "--python", py, "--no-cache", "--index-url", "http://127.0.0.1:1/simple/"}, exitFailed, "pipup: index unreachable: fetch http://127.0.0.1:1/simple/"},
		{"insecure index", []string{"list", "--python", py, "--no-cache", "--index-url", "http://example.invalid/simple/"}, exitFailed, "not a trusted or secure host and is being ignored; use https, or allow it with --trusted-host example.invalid (from --index-url)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, piptest.HomeEnviron(home), bin, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, errOut)
			}
			if c.code == exitUsage && out != "" {
				t.Errorf("stdout not empty on usage error: %q", out)
			}
			checkOneLine(t, errOut)
		})
	}
	_ = srv
}

// Credentials in an index URL never appear in any output, whatever fails.
func TestListNeverPrintsCredentials(t *testing.T) {
	bin := pipupBinary(t)
	py, _ := listFixture(t)
	srv := pypitest.NewServer(pypitest.WithBasicAuth("alice", "s3cr3t-token"))
	t.Cleanup(srv.Close)
	for _, n := range []string{"able", "baker"} {
		if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: "2.0"}); err != nil {
			t.Fatal(err)
		}
	}
	withCreds := strings.Replace(srv.IndexURL(), "http://", "http://alice:s3cr3t-token@", 1)
	wrongCreds := strings.Replace(srv.IndexURL(), "http://", "http://alice:wr0ng-token@", 1)
	env := piptest.HomeEnviron(t.TempDir())

	out, errOut, code := runCmd(t, env, bin, "list", "--no-cache", "--python", py, "--index-url", withCreds)
	if code != 0 || !strings.Contains(out, "2.0") {
		t.Fatalf("with credentials: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"list", "--no-cache", "--python", py, "--index-url", wrongCreds},
		{"list", "--no-cache", "--python", py, "--index-url", wrongCreds, "--json"},
		{"list", "--no-cache", "--python", py, "--index-url", strings.Replace(wrongCreds, "127.0.0.1", "[::1", 1)},
		{"list", "--no-cache", "--python", py, "--index-url", "http://alice:wr0ng-token@127.0.0.1:1/simple/"},
		{"list", "--no-cache", "--python", py, "--index-url", "http://alice:wr0ng-token@example.invalid/simple/"},
	} {
		out, errOut, code := runCmd(t, env, bin, args...)
		if code == 0 {
			t.Errorf("%v: expected a failure", args)
		}
		for _, secret := range []string{"wr0ng-token", "s3cr3t-token", "alice"} {
			if strings.Contains(out+errOut, secret) {
				t.Errorf("%v: output contains %q:\nstdout:\n%s\nstderr:\n%s", args, secret, out, errOut)
			}
		}
		checkOneLine(t, errOut)
	}
}

func TestVersionAndHelp(t *testing.T) {
	bin := pipupBinary(t)
	env := piptest.HomeEnviron(t.TempDir())
	out, _, code := runCmd(t, env, bin, "--version")
	if code != 0 || !strings.HasPrefix(out, "pipup ") {
		t.Errorf("--version: exit %d %q", code, out)
	}
	out, _, code = runCmd(t, env, bin, "--help")
	if code != 0 || !strings.Contains(out, "pipup list") {
		t.Errorf("--help: exit %d %q", code, out)
	}
	// Options as Python users type them: --long, and pip's short forms.
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"list", "-h"}, []string{"\n  -i, --index-url <URL> ", "\n      --proxy <URL> ", "\n      --json ", "\n  -h, --help "}},
		{[]string{"upgrade", "--help"}, []string{"\n  -y, --yes ", "\n      --dry-run ", "\n  -f, --find-links <URL> "}},
	} {
		_, errOut, code := runCmd(t, env, bin, c.args...)
		if code != 0 {
			t.Errorf("%v: exit %d", c.args, code)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: help lacks %q:\n%s", c.args, w, errOut)
			}
		}
		if strings.Contains(errOut, "\n  -index-url") || strings.Contains(errOut, "true|false") {
			t.Errorf("%v: help in Go's flag style:\n%s", c.args, errOut)
		}
	}
}
