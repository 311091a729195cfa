//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
)

// TestUpgradeInterruptSafetyNative sends SIGINT to `pipup upgrade --all
// --yes` (native installer) during the downloads and once packages are
// being installed: exit 130, each package at its old or new version as
// pipup reported it, the environment whole, nothing changing after exit,
// and no staging directory left behind.
func TestUpgradeInterruptSafetyNative(t *testing.T) {
	t.Parallel()
	n := 40
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("nat%02d", i))
	}
	points := []struct {
		name    string
		when    func(s *upgradeSetup, out string) bool
		twice   bool
		changed func(upgraded int) bool
	}{
		{"during downloads", func(s *upgradeSetup, _ string) bool { return s.srv.Requests().File >= 2 }, false,
			func(u int) bool { return u == 0 }},
		{"while installing, twice", func(_ *upgradeSetup, out string) bool { return strings.Contains(out, "upgraded\n") }, true,
			func(u int) bool { return u >= 1 && u < n }},
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := newUpgradeSetup(t)
			s.seed(specs(names, "1.0", "2.0"), pins(names, "1.0")...)
			s.srv.SetLatency(100 * time.Millisecond)
			s.srv.ResetCounts()

			outPath := filepath.Join(t.TempDir(), "stdout")
			outFile, err := os.Create(outPath)
			if err != nil {
				t.Fatal(err)
			}
			defer outFile.Close()
			var stderr strings.Builder
			cmd := exec.Command(pipupBinary(t), "upgrade", "--all", "--yes", "--jobs", "1", "--concurrency", "4", "--python", s.py, "--index-url", s.srv.IndexURL())
			cmd.Env = s.env
			cmd.Stdout, cmd.Stderr = outFile, &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			stdout := func() string { b, _ := os.ReadFile(outPath); return string(b) }
			ctrlC := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }

			deadline := time.Now().Add(2 * time.Minute)
			for !p.when(s, stdout()) {
				select {
				case err := <-exited:
					t.Fatalf("pipup ended (%v) before the interrupt point\n%s", err, stdout())
				case <-time.After(10 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatal("interrupt point never reached")
				}
			}
			sent := time.Now()
			ctrlC()
			if p.twice {
				time.Sleep(50 * time.Millisecond)
				ctrlC()
			}
			select {
			case err = <-exited:
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("pipup did not exit after Ctrl-C\n%s", stdout())
			}
			t.Logf("Ctrl-C to exit: %s", time.Since(sent).Round(time.Millisecond))
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			out := stdout()
			if code != exitInterrupted {
				t.Errorf("exit %d, want 130\n%s%s", code, out, stderr.String())
			}
			v, upgraded := oldOrNewAsReported(t, s, names, out)
			if !p.changed(upgraded) {
				t.Errorf("%d packages upgraded at this interrupt point", upgraded)
			}
			assertHealthy(t, s.interp())
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(s.py)), ".pipup-tx-*")); len(left) > 0 {
				t.Errorf("staging directories left: %v", left)
			}
			time.Sleep(300 * time.Millisecond)
			if again := s.versions(); fmt.Sprint(again) != fmt.Sprint(v) {
				t.Errorf("environment changed after pipup exited: %v then %v", v, again)
			}
			t.Logf("%s: %d of %d upgraded; stderr:\n%s", p.name, upgraded, n, stderr.String())
		})
	}
}

// TestUpgradeVenvWithoutPip is the acceptance check: a venv made
// with `python -m venv --without-pip` and filled by an outside pip is
// listed, fully upgraded with `pipup upgrade --all --yes` and undone; the
// outside pip's check passes afterwards and the venv still has no pip.
func TestUpgradeVenvWithoutPip(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.py = pythons.Venv(t, piptest.NoPip)
	outside := append(append([]string{}, s.env...), "PYTHONPATH="+pythons.PipDir(t))
	names := []string{"np-one", "np-two", "np-three"}
	for _, sp := range specs(names, "1.0", "2.0") {
		if err := s.srv.AddWheel(sp); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"-m", "pip", "install", "-q", "--index-url", s.srv.IndexURL()}, pins(names, "1.0")...)
	if out, errOut, code := runCmd(t, outside, s.py, args...); code != 0 {
		t.Fatalf("outside pip: exit %d\n%s%s", code, out, errOut)
	}
	noPip := func() {
		t.Helper()
		if _, _, code := runCmd(t, s.env, s.py, "-I", "-c", "import pip"); code == 0 { // -I: not the repo's pip/ in the cwd
			t.Fatal("pip is importable in the venv")
		}
	}
	noPip()
	if out, errOut, code := s.pipup("list"); code != 0 || !strings.Contains(out, "np-two") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code := s.pipup("upgrade", "--all", "--yes")
	if code != 0 {
		t.Fatalf("upgrade: exit %d\n%s%s", code, out, errOut)
	}
	for _, n := range names {
		if v := s.versions()[n]; v != "2.0" {
			t.Errorf("%s at %q after the upgrade", n, v)
		}
	}
	noPip()
	if o, e, code := runCmd(t, outside, s.py, "-m", "pip", "check"); code != 0 {
		t.Errorf("outside pip check: exit %d\n%s%s", code, o, e)
	}
	if out, errOut, code := s.pipup("undo", "--yes"); code != 0 {
		t.Fatalf("undo: exit %d\n%s%s", code, out, errOut)
	}
	for _, n := range names {
		if v := s.versions()[n]; v != "1.0" {
			t.Errorf("%s at %q after undo", n, v)
		}
	}
	noPip()
	assertHealthy(t, s.interp())
}
