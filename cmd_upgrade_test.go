package main

import (
	"context"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// End-to-end tests of pipup upgrade / undo / history: the real binary,
// real pip, fresh venvs, an in-process index.

// upgradeSetup is an index, a venv with old versions and the environment
// to run pipup in.
type upgradeSetup struct {
	t    testing.TB
	srv  *pypitest.Server
	py   string
	home string
	env  []string
}

func newUpgradeSetup(t testing.TB, opts ...pypitest.Option) *upgradeSetup {
	t.Helper()
	srv := pypitest.NewServer(opts...)
	t.Cleanup(srv.Close)
	// pip through a .pth file (0.5 s instead of ~10 s for a venv with pip):
	// importable, installs into the venv, but is none of its distributions.
	py := pythons.Venv(t, piptest.SharedPip)
	home := t.TempDir()
	return &upgradeSetup{t: t, srv: srv, py: py, home: home, env: piptest.HomeEnviron(home, "PYTHONNOUSERSITE=1")}
}

// seed offers every spec on the index and installs the given pins.
func (s *upgradeSetup) seed(specs []pypitest.WheelSpec, pins ...string) {
	s.t.Helper()
	for _, sp := range specs {
		if err := s.srv.AddWheel(sp); err != nil {
			s.t.Fatal(err)
		}
	}
	if len(pins) == 0 {
		return
	}
	args := append([]string{"-m", "pip", "install", "-q", "--index-url", s.srv.IndexURL()}, pins...)
	if out, errOut, code := runCmd(s.t, s.env, s.py, args...); code != 0 {
		s.t.Fatalf("seed: pip exit %d\n%s%s", code, out, errOut)
	}
}

func (s *upgradeSetup) pipup(args ...string) (stdout, stderr string, code int) {
	s.t.Helper()
	args = append(args, "--python", s.py, "--index-url", s.srv.IndexURL())
	return runCmd(s.t, s.env, pipupBinary(s.t), args...)
}

func (s *upgradeSetup) interp() *pip.Interpreter {
	s.t.Helper()
	in, err := pip.Inspect(context.Background(), s.py)
	if err != nil {
		s.t.Fatal(err)
	}
	return in
}

func (s *upgradeSetup) versions() map[string]string {
	s.t.Helper()
	dists, err := pip.InstalledDists(s.interp())
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range dists {
		out[d.Canonical] = d.Version
	}
	return out
}

func specs(names []string, versions ...string) []pypitest.WheelSpec {
	var out []pypitest.WheelSpec
	for _, n := range names {
		for _, v := range versions {
			out = append(out, pypitest.WheelSpec{Name: n, Version: v})
		}
	}
	return out
}

func pins(names []string, version string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n+"=="+version)
	}
	return out
}

func TestUpgradeCommand(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	names := []string{"aa", "bb", "cc", "dd"}
	s.seed(specs(names, "1.0", "2.0"), pins(names, "1.0")...)
	broken := pypitest.WheelSpec{Name: "ee", Version: "2.0", Broken: true}
	s.seed(append(specs([]string{"ee"}, "1.0"), broken), "ee==1.0")
	// gg's requirement holds ff below 2.0: --all takes ff to 1.5 only.
	s.seed(append(specs([]string{"ff"}, "1.0", "1.5", "2.0"), pypitest.WheelSpec{Name: "gg", Version: "1.0", Requires: []string{"ff<2"}}), "ff==1.0", "gg==1.0")

	// Usage errors and the missing confirmation change nothing.
	if _, errOut, code := s.pipup("upgrade"); code != exitUsage || !strings.Contains(errOut, "--all") {
		t.Errorf("no packages: exit %d, %q", code, errOut)
	}
	if _, errOut, code := s.pipup("upgrade", "--all"); code != exitUsage || !strings.Contains(errOut, "--yes") {
		t.Errorf("no terminal, no --yes: exit %d, %q", code, errOut)
	}
	out, _, code := s.pipup("upgrade", "--all", "--dry-run")
	if code != exitOK || !strings.Contains(out, "would be upgraded") {
		t.Errorf("dry run: exit %d, %q", code, out)
	}
	if v := s.versions(); v["aa"] != "1.0" || v["ee"] != "1.0" {
		t.Fatalf("changed before any real run: %v", v)
	}

	// A chosen subset: only those.
	out, errOut, code := s.pipup("upgrade", "bb", "DD", "--yes")
	if code != exitOK {
		t.Fatalf("subset: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["aa"] != "1.0" || v["bb"] != "2.0" || v["cc"] != "1.0" || v["dd"] != "2.0" {
		t.Errorf("subset: versions %v", v)
	}
	if !strings.Contains(out, "Package") || !rowMatches(out, "bb", "1.0", "2.0", "upgraded") {
		t.Errorf("subset output:\n%s", out)
	}
	if !strings.Contains(errOut, "2 upgraded, 0 failed, 0 skipped in ") {
		t.Errorf("subset summary:\n%s", errOut)
	}

	// Everything else; the broken wheel fails alone, exit 1.
	out, errOut, code = s.pipup("upgrade", "--all", "--yes")
	if code != exitFailed {
		t.Errorf("all: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["aa"] != "2.0" || v["cc"] != "2.0" || v["ee"] != "1.0" || v["ff"] != "1.5" {
		t.Errorf("all: versions %v", v)
	}
	if !strings.Contains(errOut, "ff: upgrading to 1.5, not 2.0: held back by gg 1.0 (ff<2)") {
		t.Errorf("all: no note on the held-back package:\n%s", errOut)
	}
	if !strings.Contains(errOut, "3 upgraded, 1 failed, 0 skipped") || !rowMatches(out, "ee", "1.0", "2.0", "failed: ") {
		t.Errorf("all: output\n%s%s", out, errOut)
	}

	out, _, code = runCmd(t, s.env, pipupBinary(t), "history", "--python", s.py)
	if code != exitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "aa 1.0 → 2.0") {
		t.Errorf("history: exit %d\n%s", code, out)
	}

	// Undo restores the last run's packages only.
	out, errOut, code = runCmd(t, s.env, pipupBinary(t), "undo", "--yes", "--python", s.py, "--index-url", s.srv.IndexURL())
	if code != exitOK {
		t.Fatalf("undo: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["aa"] != "1.0" || v["cc"] != "1.0" || v["bb"] != "2.0" || v["dd"] != "2.0" || v["ee"] != "1.0" || v["ff"] != "1.0" {
		t.Errorf("after undo: %v", v)
	}
	if !rowMatches(out, "aa", "2.0", "1.0", "restored") {
		t.Errorf("undo output:\n%s", out)
	}
	assertHealthy(t, s.interp())
}

// rowMatches finds a result row with these cells.
func rowMatches(out string, cells ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < len(cells) {
			continue
		}
		ok := true
		for i, c := range cells {
			if i == len(cells)-1 {
				ok = ok && strings.HasPrefix(strings.Join(f[i:], " "), c)
			} else {
				ok = ok && f[i] == c
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// assertHealthy: one .dist-info per project, all RECORD files present, no
// "~" leftovers.
func assertHealthy(t *testing.T, in *pip.Interpreter) {
	t.Helper()
	for _, l := range pip.FindLeftovers(in) {
		t.Errorf("environment damaged: %s", l)
	}
}

// ptyDriver runs a command on a pseudo-terminal, answers the first
// "[y/N]" question with its first argument and prints what the terminal
// showed; its exit code is the command's.
const ptyDriver = `import os, pty, select, sys
answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out, sent = b"", False
while True:
    r, _, _ = select.select([fd], [], [], 120)
    if not r:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and b"[y/N]" in out:
        os.write(fd, (answer + "\n").encode())
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`

// TestUpgradeCommandAsksOnTerminal: on a terminal, without --yes, the plan
// is shown and one question asked; "n" changes nothing, "y" upgrades.
func TestUpgradeCommandAsksOnTerminal(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed(specs([]string{"aa"}, "1.0", "2.0"), "aa==1.0")
	for _, answer := range []string{"n", "y"} {
		out, errOut, code := runCmd(t, s.env, pythons.Python(t), "-c", ptyDriver, answer, pipupBinary(t), "upgrade", "--all", "--python", s.py, "--index-url", s.srv.IndexURL())
		if code != exitOK {
			t.Fatalf("answer %s: exit %d\n%s%s", answer, code, out, errOut)
		}
		if !strings.Contains(out, "to be upgraded") || strings.Count(out, "[y/N]") != 1 {
			t.Errorf("answer %s: plan or question missing:\n%s", answer, out)
		}
		want := map[string]string{"n": "1.0", "y": "2.0"}[answer]
		if v := s.versions()["aa"]; v != want {
			t.Errorf("answer %s: aa is at %s, want %s\n%s", answer, v, want, out)
		}
	}
}
