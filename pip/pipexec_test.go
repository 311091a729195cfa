//go:build unix

package pip

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakePython writes a script that stands in for `python -m pip`: it runs
// body (POSIX sh) whatever its arguments.
func fakePython(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "python")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func fakeCmd(t *testing.T, body string, timeout time.Duration, stoppable bool) *pipCmd {
	return &pipCmd{
		python: fakePython(t, body), env: os.Environ(), log: filepath.Join(t.TempDir(), "pip.log"),
		timeout: timeout, stoppable: stoppable,
	}
}

func TestPipRunTimeoutBeforeInstallEndsPip(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "finished")
	c := fakeCmd(t, "echo 'Collecting alpha==2.0'; sleep 30; touch "+marker, 300*time.Millisecond, false)
	start := time.Now()
	res := runPip(c, nil)
	if !res.timedOut || !res.killed || res.ok() {
		t.Fatalf("res = %+v", res)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s to end a pip that had changed nothing", d)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the script ran to its end")
	}
	if !strings.Contains(res.output, "Collecting alpha") {
		t.Errorf("output = %q", res.output)
	}
}

func TestPipRunTimeoutDuringInstallWaits(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "finished")
	c := fakeCmd(t, "echo 'Installing collected packages: alpha'; sleep 1.5; touch "+marker, 200*time.Millisecond, false)
	res := runPip(c, nil)
	if !res.timedOut || res.killed || res.exitCode != 0 {
		t.Fatalf("res = %+v", res)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("pip was stopped mid-install")
	}
}

func TestPipRunCancelLetsInstallFinish(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "finished")
	stop := make(chan struct{})
	close(stop)
	res := runPip(fakeCmd(t, "sleep 1; touch "+marker+"; exit 3", 0, false), stop)
	if res.killed || res.exitCode != 3 {
		t.Fatalf("res = %+v", res)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("a cancelled install run was ended")
	}
}

func TestPipRunCancelEndsStoppableRun(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	close(stop)
	start := time.Now()
	res := runPip(fakeCmd(t, "sleep 30", 0, true), stop)
	if !res.killed || res.ok() {
		t.Fatalf("res = %+v", res)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

// pip must not share pipup's process group, which is the terminal's
// foreground group that Ctrl-C signals.
func TestPipRunOwnProcessGroup(t *testing.T) {
	t.Parallel()
	res := runPip(fakeCmd(t, `echo "pid=$$"; ps -o pgid= -p $$`, 0, false), nil)
	if !res.ok() {
		t.Fatalf("res = %+v", res)
	}
	lines := strings.Fields(res.output)
	if len(lines) != 2 {
		t.Fatalf("output %q", res.output)
	}
	if pid := strings.TrimPrefix(lines[0], "pid="); lines[1] != pid {
		t.Errorf("pgid %s, want the child's own pid %s", lines[1], pid)
	}
	if lines[1] == strconv.Itoa(syscall.Getpgrp()) {
		t.Error("pip runs in pipup's process group")
	}
}

func TestPipEnvDropsPipSettings(t *testing.T) {
	env := pipEnv([]string{"HOME=/h", "PIP_FIND_LINKS=/opt/wheels", "PIP_INDEX_URL=https://u:p@x/simple", "PATH=/bin"},
		map[string]string{"PIP_NO_INDEX": "1"})
	got := strings.Join(env, "\n")
	for _, bad := range []string{"/opt/wheels", "u:p@"} {
		if strings.Contains(got, bad) {
			t.Errorf("environment keeps %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{"HOME=/h", "PATH=/bin", "PIP_CONFIG_FILE=" + os.DevNull, "PIP_NO_INDEX=1", "PIP_DISABLE_PIP_VERSION_CHECK=1"} {
		if !strings.Contains(got, want) {
			t.Errorf("environment lacks %q:\n%s", want, got)
		}
	}
}

func TestPipError(t *testing.T) {
	tests := []struct{ name, output, want string }{
		{"no match", "Looking in links: /x\nERROR: Could not find a version that satisfies the requirement foo==2 (from versions: none)\nERROR: No matching distribution found for foo==2\n",
			"Could not find a version that satisfies the requirement foo==2 (from versions: none)"},
		{"conflict", "ERROR: Cannot install a==2 and b==3 because these package versions have conflicting dependencies.\n\nThe conflict is caused by:\n    a 2 depends on b<3\n\nERROR: ResolutionImpossible: for help visit https://pip.pypa.io/\n",
			"Cannot install a==2 and b==3 because these package versions have conflicting dependencies."},
		{"traceback", "Traceback (most recent call last):\n  File \"x\", line 1\nOSError: [Errno 28] No space left on device\n",
			"OSError: [Errno 28] No space left on device"},
		{"empty", "", "pip failed without a message"},
	}
	for _, tt := range tests {
		if got := pipError(tt.output); got != tt.want {
			t.Errorf("%s: pipError = %q, want %q", tt.name, got, tt.want)
		}
	}
	out := "ERROR: No matching distribution found for newdep>=1.0\n"
	if m := missingRequirements(out); len(m) != 1 || m[0] != "newdep" || !resolutionFailed(out) {
		t.Errorf("missingRequirements = %v, resolutionFailed = %v", m, resolutionFailed(out))
	}
	if resolutionFailed("ERROR: foo has an invalid wheel, could not read WHEEL") {
		t.Error("an invalid wheel is not a resolution failure")
	}
}
