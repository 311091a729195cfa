package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi/pypitest"
)

// End-to-end tests of pipup upgrade / undo / history: the real binary,
// real pip, fresh venvs, an in-process index.
//
// Venvs are made with --without-pip (0.5 s instead of ~10 s) and get the
// base interpreter's bundled pip through a .pth file pointing at one
// unpacked copy: pip is importable and installs into the venv, without
// being one of the venv's distributions.

var upPip struct {
	once sync.Once
	dir  string
	err  error
}

func sharedPipDir(t testing.TB) string {
	t.Helper()
	upPip.once.Do(func() {
		out, err := exec.Command(python3(t), "-c", "import ensurepip,os,sys;print(os.path.dirname(ensurepip.__file__));print('%d.%d'%sys.version_info[:2])").Output()
		if err != nil {
			upPip.err = err
			return
		}
		f := strings.Fields(string(out))
		whls, _ := filepath.Glob(filepath.Join(f[0], "_bundled", "pip-*.whl"))
		if len(whls) == 0 {
			upPip.err = fmt.Errorf("no bundled pip in %s", f[0])
			return
		}
		dir := filepath.Join(os.TempDir(), "pipup-cli-test-"+strings.TrimSuffix(filepath.Base(whls[0]), ".whl")+"-py"+f[1])
		if _, err := os.Stat(filepath.Join(dir, "pip", "__main__.py")); err == nil {
			upPip.dir = dir
			return
		}
		tmp, err := os.MkdirTemp(os.TempDir(), "pipup-cli-pip-")
		if err == nil {
			err = unzipTo(whls[0], tmp)
		}
		if err == nil {
			infos, _ := filepath.Glob(filepath.Join(tmp, "pip-*.dist-info"))
			for _, d := range infos {
				os.RemoveAll(d)
			}
			// This machine sets PYTHONDONTWRITEBYTECODE; precompile once.
			err = exec.Command(python3(t), "-m", "compileall", "-q", tmp).Run()
		}
		if err != nil {
			upPip.err = err
			return
		}
		if os.Rename(tmp, dir) != nil {
			os.RemoveAll(tmp)
		}
		upPip.dir = dir
	})
	if upPip.err != nil {
		t.Fatalf("shared pip: %v", upPip.err)
	}
	return upPip.dir
}

func unzipTo(path, dest string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		p := filepath.Join(dest, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
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
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// upgradeSetup is an index, a venv with old versions and the environment
// to run pipup in.
type upgradeSetup struct {
	t    *testing.T
	srv  *pypitest.Server
	py   string
	home string
	env  []string
}

func newUpgradeSetup(t *testing.T, opts ...pypitest.Option) *upgradeSetup {
	t.Helper()
	srv := pypitest.NewServer(opts...)
	t.Cleanup(srv.Close)
	py := newVenv(t, filepath.Join(t.TempDir(), "venv"), "--without-pip")
	site, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(py)), "lib", "python*", "site-packages"))
	if len(site) != 1 {
		t.Fatalf("site-packages of %s: %v", py, site)
	}
	if err := os.WriteFile(filepath.Join(site[0], "_pipup_test_pip.pth"), []byte(sharedPipDir(t)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	return &upgradeSetup{t: t, srv: srv, py: py, home: home, env: cleanEnv(home, "PYTHONNOUSERSITE=1")}
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
	if v := s.versions(); v["aa"] != "2.0" || v["cc"] != "2.0" || v["ee"] != "1.0" {
		t.Errorf("all: versions %v", v)
	}
	if !strings.Contains(errOut, "2 upgraded, 1 failed, 0 skipped") || !rowMatches(out, "ee", "1.0", "2.0", "failed: ") {
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
	if v := s.versions(); v["aa"] != "1.0" || v["cc"] != "1.0" || v["bb"] != "2.0" || v["dd"] != "2.0" || v["ee"] != "1.0" {
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

// TestUpgradeInterruptSafety sends SIGINT, as a terminal's Ctrl-C does (to
// pipup's whole process group), at several points of `pipup upgrade --all
// --yes` against a slowed-down index. Every time: exit 130, each package
// at its old or its new version as pipup reported it, one .dist-info per
// package, every file RECORD lists present, no "~" leftovers.
func TestUpgradeInterruptSafety(t *testing.T) {
	t.Parallel()
	const batch = 10
	n := 2*batch + 5 // three install batches
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("pkg%02d", i))
	}
	points := []struct {
		name    string
		when    func(s *upgradeSetup) bool
		twice   bool // a second Ctrl-C while pip is finishing
		changed func(upgraded int) bool
	}{
		{"during downloads", func(s *upgradeSetup) bool { return s.srv.Requests().File >= 2 }, false,
			func(u int) bool { return u == 0 }},
		{"as the first install batch starts", func(s *upgradeSetup) bool { return s.pipLogsWith("Processing ") >= 1 }, false,
			func(u int) bool { return u == batch }},
		{"mid-install, twice", func(s *upgradeSetup) bool { return s.pipLogsWith("Attempting uninstall") >= 1 }, true,
			func(u int) bool { return u == batch }},
		{"during the second batch", func(s *upgradeSetup) bool { return s.pipLogsWith("Installing collected packages") >= 2 }, false,
			func(u int) bool { return u == 2*batch }},
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			s := newUpgradeSetup(t)
			s.seed(specs(names, "1.0", "2.0"), pins(names, "1.0")...)
			s.srv.SetLatency(150 * time.Millisecond)
			s.srv.ResetCounts()

			cmd := exec.Command(pipupBinary(t), "upgrade", "--all", "--yes", "--concurrency", "4", "--batch-size", itoa(batch), "--python", s.py, "--index-url", s.srv.IndexURL())
			cmd.Env = s.env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own "terminal" group
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			ctrlC := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }

			deadline := time.Now().Add(2 * time.Minute)
			for !p.when(s) {
				select {
				case err := <-exited:
					t.Fatalf("pipup ended (%v) before the interrupt point\n%s%s", err, stdout.String(), stderr.String())
				case <-time.After(20 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatal("interrupt point never reached")
				}
			}
			ctrlC()
			if p.twice {
				time.Sleep(300 * time.Millisecond)
				ctrlC()
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(3 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("pipup did not exit after Ctrl-C\n%s%s", stdout.String(), stderr.String())
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			out, errOut := stdout.String(), stderr.String()
			if code != exitInterrupted {
				t.Errorf("exit %d, want 130\n%s%s", code, out, errOut)
			}
			if p.twice && !strings.Contains(errOut, "still finishing the install") {
				t.Errorf("second Ctrl-C not answered:\n%s", errOut)
			}

			v := s.versions()
			upgraded := 0
			for _, name := range names {
				reported := rowMatches(out, name, "1.0", "2.0", "upgraded")
				switch {
				case v[name] == "2.0" && reported:
					upgraded++
				case v[name] == "1.0" && !reported:
				default:
					t.Errorf("%s is at %q; pipup reported it upgraded: %v", name, v[name], reported)
				}
			}
			if !p.changed(upgraded) {
				t.Errorf("%d packages upgraded at this interrupt point", upgraded)
			}
			assertHealthy(t, s.interp())
			// pipup waited for pip: nothing changes after it exits.
			time.Sleep(500 * time.Millisecond)
			if again := s.versions(); fmt.Sprint(again) != fmt.Sprint(v) {
				t.Errorf("environment changed after pipup exited: %v then %v", v, again)
			}
			t.Logf("%s: %d of %d upgraded; stderr:\n%s", p.name, upgraded, n, errOut)
		})
	}
}

// pipLogsWith counts the pip logs of the running upgrade that contain s.
func (s *upgradeSetup) pipLogsWith(text string) int {
	logs, _ := filepath.Glob(filepath.Join(s.home, ".cache", "pipup", "upgrade", "run-*", "logs", "*.log"))
	n := 0
	for _, l := range logs {
		if data, err := os.ReadFile(l); err == nil && bytes.Contains(data, []byte(text)) {
			n++
		}
	}
	return n
}

// TestUpgradeRealPackages: pip 23.0.1 and setuptools 58.1.0, the wheels
// bundled with this machine's Pythons, upgraded to the newest bundled
// versions the interpreter supports; pip still works afterwards.
func TestUpgradeRealPackages(t *testing.T) {
	t.Parallel()
	bundled, _ := filepath.Glob("/root/.pyenv/versions/*/lib/python*/ensurepip/_bundled/*.whl")
	var pip2301, st581 string
	for _, w := range bundled {
		switch filepath.Base(w) {
		case "pip-23.0.1-py3-none-any.whl":
			pip2301 = w
		case "setuptools-58.1.0-py3-none-any.whl":
			st581 = w
		}
	}
	if pip2301 == "" || st581 == "" {
		t.Fatalf("bundled pip 23.0.1 / setuptools 58.1.0 not found among %v", bundled)
	}
	s := newUpgradeSetup(t)
	// This venv gets its own pip, not the shared one.
	site, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(s.py)), "lib", "python*", "site-packages"))
	os.Remove(filepath.Join(site[0], "_pipup_test_pip.pth"))
	// By name from a directory, not by path: a wheel installed by its path
	// is a direct-URL install, which pipup rightly refuses to upgrade.
	seedDir := t.TempDir()
	for _, w := range []string{pip2301, st581} {
		data, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(seedDir, filepath.Base(w)), data, 0o644)
	}
	if out, errOut, code := runCmd(t, s.env, s.py, filepath.Join(pip2301, "pip"), "install", "-q", "--no-index", "--find-links", seedDir, "pip==23.0.1", "setuptools==58.1.0"); code != 0 {
		t.Fatalf("install bundled wheels: %s%s", out, errOut)
	}
	seen := map[string]bool{}
	want := map[string]string{}
	for _, w := range bundled {
		base := filepath.Base(w)
		if seen[base] {
			continue
		}
		seen[base] = true
		data, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(base, "-")
		rp := wheelRequiresPython(t, data)
		if err := s.srv.Add(pypitest.FileSpec{Project: parts[0], Filename: base, Data: data, RequiresPython: rp}); err != nil {
			t.Fatal(err)
		}
	}
	// The newest bundled versions whose Requires-Python this interpreter meets.
	out, _, _ := runCmd(t, s.env, s.py, "-c", "import sys;print('%d.%d'%sys.version_info[:2])")
	switch strings.TrimSpace(out) {
	case "3.11", "3.12", "3.13":
		want = map[string]string{"pip": "24.2", "setuptools": "65.5.0"}
	default:
		t.Skipf("expectations written for python3 >= 3.11, have %s", out)
	}
	stdout, stderr, code := s.pipup("upgrade", "--all", "--yes")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	v := s.versions()
	for name, ver := range want {
		if v[name] != ver {
			t.Errorf("%s is at %s, want %s\n%s%s", name, v[name], ver, stdout, stderr)
		}
	}
	out, errOut, code := runCmd(t, s.env, s.py, "-m", "pip", "--version")
	if code != 0 || !strings.HasPrefix(out, "pip "+want["pip"]+" ") {
		t.Errorf("pip --version after the upgrade: exit %d %q %q", code, out, errOut)
	}
	assertHealthy(t, s.interp())
}

// wheelRequiresPython reads Requires-Python from a wheel's METADATA, which
// PyPI advertises as data-requires-python.
func wheelRequiresPython(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".dist-info/METADATA") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		sc := bufio.NewScanner(rc)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Requires-Python:"); ok {
				return strings.TrimSpace(v)
			}
			if sc.Text() == "" {
				break
			}
		}
	}
	return ""
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
		out, errOut, code := runCmd(t, s.env, python3(t), "-c", ptyDriver, answer, pipupBinary(t), "upgrade", "--all", "--python", s.py, "--index-url", s.srv.IndexURL())
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
