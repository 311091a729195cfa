//go:build unix

package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pypitest"
)

// TestUpgradeInterruptSafety sends SIGINT, as a terminal's Ctrl-C does (to
// pipup's whole process group), at several points of `pipup upgrade --all
// --yes --installer pip` (its interrupt points are pip's batches; the native
// installer has TestUpgradeInterruptSafetyNative) against a slowed-down index. Every time: exit 130, each package
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

			cmd := exec.Command(pipupBinary(t), "upgrade", "--all", "--yes", "--installer", "pip", "--concurrency", "4", "--batch-size", itoa(batch), "--python", s.py, "--index-url", s.srv.IndexURL())
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
				// Soon after the first: a batch of ten small packages can
				// finish in well under half a second on a quiet machine,
				// and a second Ctrl-C after pip is done has nothing to
				// say (300 ms here made this test fail now and then).
				time.Sleep(30 * time.Millisecond)
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

			v, upgraded := oldOrNewAsReported(t, s, names, out)
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

// TestUpgradeRealPackages: real pip and setuptools wheels, the ones
// bundled with the machine's Pythons' ensurepip (internal/testenv), served
// with their Requires-Python; installed at an older bundled version, each
// is upgraded to the newest bundled version the interpreter supports, and
// pip still works afterwards.
func TestUpgradeRealPackages(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	out, _, _ := runCmd(t, s.env, s.py, "-c", "import platform;print(platform.python_version())")
	pyVersion := pep440.MustParse(strings.TrimSpace(out))
	// For pip and setuptools: every bundled wheel this interpreter meets
	// the Requires-Python of, oldest first.
	usable := map[string][]testenv.Wheel{}
	for _, project := range []string{"pip", "setuptools"} {
		for _, w := range testenv.BundledWheels(t, project) {
			data, err := os.ReadFile(w.Path)
			if err != nil {
				t.Fatal(err)
			}
			rp := wheelRequiresPython(t, data)
			if err := s.srv.Add(pypitest.FileSpec{Project: project, Filename: filepath.Base(w.Path), Data: data, RequiresPython: rp}); err != nil {
				t.Fatal(err)
			}
			if set, err := pep440.ParseSpecifierSet(rp); err == nil && set.Contains(pyVersion) {
				usable[project] = append(usable[project], w)
			}
		}
	}
	// Each starts at the newest usable version below the newest (the seed
	// pip must run on this interpreter: the newer, the likelier), and
	// should end at the newest.
	var seeds []testenv.Wheel
	want := map[string]string{}
	for project, ws := range usable {
		if len(ws) >= 2 {
			seeds = append(seeds, ws[len(ws)-2])
			want[project] = ws[len(ws)-1].Version
		}
	}
	if want["pip"] == "" {
		testenv.Missing(t, "two bundled pip wheels Python %s can install, to upgrade one to the other; %s",
			pyVersion, testenv.FoundWheels(testenv.BundledWheels(t, "pip")))
	}
	seedPip := ""
	var seedReqs []string
	for _, w := range seeds {
		if w.Project == "pip" {
			seedPip = w.Path
		}
		seedReqs = append(seedReqs, w.Project+"=="+w.Version)
	}
	// This venv gets its own pip, not the shared one.
	site, err := piptest.SitePackages(s.py)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(site, piptest.PthName)); err != nil {
		t.Fatal(err)
	}
	// By name from a directory, not by path: a wheel installed by its path
	// is a direct-URL install, which pipup rightly refuses to upgrade.
	seedDir := t.TempDir()
	for _, w := range seeds {
		data, err := os.ReadFile(w.Path)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(seedDir, filepath.Base(w.Path)), data, 0o644)
	}
	args := append([]string{filepath.Join(seedPip, "pip"), "install", "-q", "--no-index", "--find-links", seedDir}, seedReqs...)
	if out, errOut, code := runCmd(t, s.env, s.py, args...); code != 0 {
		t.Fatalf("install bundled wheels %v: %s%s", seedReqs, out, errOut)
	}
	t.Logf("Python %s: %v, expecting %v", pyVersion, seedReqs, want)
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

// oldOrNewAsReported checks that each package is at 1.0 or 2.0 exactly as
// pipup's output says (an "upgraded" row for 2.0, none for 1.0) and
// returns the versions and how many were upgraded.
func oldOrNewAsReported(t *testing.T, s *upgradeSetup, names []string, out string) (map[string]string, int) {
	t.Helper()
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
	return v, upgraded
}
