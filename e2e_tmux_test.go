//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi/pypitest"
)

// End-to-end tests of the terminal UI: the real binary in tmux, driven by
// keys, against a pypitest index and a real venv.

// tmuxSession is one detached tmux server and session running a command.
type tmuxSession struct {
	t        testing.TB
	sock     string
	exitFile string
}

// startTmux runs argv in a fresh tmux server (its own socket, no user
// configuration) in a w×h window; the exit code goes to a file and the pane
// stays open afterwards so the last screen can be read.
func startTmux(t testing.TB, env []string, w, h int, argv ...string) *tmuxSession {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		testenv.Missing(t, "tmux, which drives the UI end-to-end tests (apt-get install tmux): %v", err)
	}
	dir := t.TempDir()
	s := &tmuxSession{t: t, sock: filepath.Join(dir, "tmux.sock"), exitFile: filepath.Join(dir, "exit")}
	var quoted []string
	for _, a := range argv {
		quoted = append(quoted, shellQuote(a))
	}
	script := strings.Join(quoted, " ") + "; echo $? > " + shellQuote(s.exitFile) + "; sleep 3600"
	cmd := exec.Command(tmux, "-S", s.sock, "-f", os.DevNull, "new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sh", "-c", script)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", s.sock, "kill-server").Run() })
	return s
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is what the pane shows now.
func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p") }

// waitFor waits until the pane shows text and returns the screen.
func (s *tmuxSession) waitFor(text string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		if strings.Contains(scr, text) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q; it shows:\n%s", text, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keys sends tmux key names (Down, Space, Enter, C-c, or text).
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.tmux("send-keys", k)
		time.Sleep(30 * time.Millisecond) // one key at a time, as typed
	}
}

// exitCode waits for the program to end and returns its exit code.
func (s *tmuxSession) exitCode(timeout time.Duration) int {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if data, err := os.ReadFile(s.exitFile); err == nil && len(data) > 0 && data[len(data)-1] == '\n' {
			code, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				s.t.Fatalf("exit file: %q", data)
			}
			return code
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("pipup did not exit; the screen shows:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pipVersions asks the venv's own pip what is installed.
func (s *upgradeSetup) pipVersions() map[string]string {
	s.t.Helper()
	out, errOut, code := runCmd(s.t, s.env, s.py, "-m", "pip", "list", "--format=json")
	if code != 0 {
		s.t.Fatalf("pip list: exit %d\n%s", code, errOut)
	}
	var list []struct{ Name, Version string }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		s.t.Fatalf("pip list: %v\n%s", err, out)
	}
	v := map[string]string{}
	for _, p := range list {
		v[p.Name] = p.Version
	}
	return v
}

func (s *upgradeSetup) tui(w, h int, extra ...string) *tmuxSession {
	s.t.Helper()
	argv := append([]string{pipupBinary(s.t), "--python", s.py, "--index-url", s.srv.IndexURL()}, extra...)
	return startTmux(s.t, s.env, w, h, argv...)
}

// TestTUIChooseAndUpgrade: move with the arrows, change the pre-selection
// with space, confirm, and only the chosen packages change.
func TestTUIChooseAndUpgrade(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{
		{Name: "apple", Version: "1.0.0"}, {Name: "apple", Version: "1.0.1", Summary: "A patch release"},
		{Name: "banana", Version: "1.0"}, {Name: "banana", Version: "1.1"},
		{Name: "cherry", Version: "1.0"}, {Name: "cherry", Version: "2.0"},
		{Name: "damson", Version: "1.0.0"}, {Name: "damson", Version: "1.0.5"},
		{Name: "elder", Version: "3.0"},
	}, "apple==1.0.0", "banana==1.0", "cherry==1.0", "damson==1.0.0", "elder==3.0")

	ui := s.tui(120, 40)
	scr := ui.waitFor("4 outdated", 30*time.Second)
	// Grouped by bump kind: Patch (apple, damson), Minor (banana), Major
	// (cherry); patch and minor start ticked.
	for _, want := range []string{"› [x] apple", "[x] damson", "[x] banana", "[ ] cherry", "3 of 4 selected"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("table lacks %q:\n%s", want, scr)
		}
	}
	ui.keys("Down", "Space") // untick damson
	ui.keys("Down", "Down", "Space")
	scr = ui.waitFor("3 of 4 selected (1 major)", 5*time.Second)
	if !strings.Contains(scr, "› [x] cherry") || !strings.Contains(scr, "[ ] damson") {
		t.Fatalf("after the keys:\n%s", scr)
	}
	ui.keys("Enter")
	ui.waitFor("Upgrade 3 packages?", 5*time.Second)
	// Enter counts once the plan is checked: its key is shown then.
	scr = ui.waitFor("upgrade now", 30*time.Second)
	if !strings.Contains(scr, "apple, banana, cherry") || !strings.Contains(scr, "cherry 1.0 → 2.0 major") {
		t.Fatalf("confirm screen:\n%s", scr)
	}
	ui.keys("Enter")
	scr = ui.waitFor("To undo:", 2*time.Minute)
	if code := ui.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, ui.screen())
	}
	for _, want := range []string{"✓ apple 1.0.0 → 1.0.1", "✓ banana 1.0 → 1.1", "✓ cherry 1.0 → 2.0", "✓ 3 upgraded", "pip check: no broken requirements"} {
		if !strings.Contains(scr, want) {
			t.Errorf("final screen lacks %q:\n%s", want, scr)
		}
	}
	got := s.pipVersions()
	want := map[string]string{"apple": "1.0.1", "banana": "1.1", "cherry": "2.0", "damson": "1.0.0", "elder": "3.0"}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s is %q, want %q (pip list: %v)", name, got[name], v, got)
		}
	}
}

// TestTUICtrlCDuringUpgrade: Ctrl-C while pip installs the first batch
// (--installer pip) stops safely: the batch finishes, nothing else starts,
// exit 130, and the environment is consistent.
func TestTUICtrlCDuringUpgrade(t *testing.T) {
	t.Parallel()
	n := 2*pip.DefaultBatchSize + 5
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("fig%02d", i))
	}
	s := newUpgradeSetup(t)
	s.seed(specs(names, "1.0", "1.1"), pins(names, "1.0")...)
	s.srv.SetLatency(100 * time.Millisecond)

	ui := s.tui(100, 30, "--concurrency", "4", "--installer", "pip")
	ui.waitFor(fmt.Sprintf("%d outdated", n), time.Minute)
	ui.keys("Enter")
	ui.waitFor(fmt.Sprintf("Upgrade %d packages?", n), 5*time.Second)
	ui.waitFor("upgrade now", time.Minute) // the plan is checked
	ui.keys("Enter")
	deadline := time.Now().Add(2 * time.Minute)
	for s.pipLogsWith("Attempting uninstall") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the first install never started:\n%s", ui.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ui.keys("C-c")
	ui.waitFor("Stopping safely: no new package will start.", 10*time.Second)
	code := ui.exitCode(3 * time.Minute)
	scr := ui.screen()
	if code != exitInterrupted {
		t.Errorf("exit %d, want 130:\n%s", code, scr)
	}
	if !strings.Contains(scr, "Stopped by Ctrl-C") {
		t.Errorf("the summary should say the run was stopped:\n%s", scr)
	}
	got := s.pipVersions()
	upgraded := 0
	for _, name := range names {
		switch got[name] {
		case "1.1":
			upgraded++
		case "1.0":
		default:
			t.Errorf("%s is at %q", name, got[name])
		}
	}
	if upgraded == 0 || upgraded == n {
		t.Errorf("%d of %d upgraded: the install in progress should finish and no other start", upgraded, n)
	}
	assertHealthy(t, s.interp())
	if out, errOut, code := runCmd(t, s.env, s.py, "-m", "pip", "check"); code != 0 {
		t.Errorf("pip check: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("%d of %d upgraded before the stop", upgraded, n)
}

// firstFrameDriver runs a command on a pseudo-terminal that answers the
// colour queries a real terminal answers, and prints the microseconds from
// just before the fork to the first output containing each marker.
const firstFrameDriver = `
import fcntl, os, select, struct, sys, termios, time
markers = [m.encode() for m in sys.argv[1].split("|")]
argv = sys.argv[2:]
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    os.close(master)
    os.login_tty(slave)
    os.execv(argv[0], argv)
os.close(slave)
buf, found = b"", {}
deadline = t0 + 60
while len(found) < len(markers) and time.monotonic() < deadline:
    r, _, _ = select.select([master], [], [], 1)
    if not r:
        continue
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    now = time.monotonic()
    if b"\x1b]11;?" in data:
        os.write(master, b"\x1b]11;rgb:0000/0000/0000\x1b\\")
    if b"\x1b[6n" in data:
        os.write(master, b"\x1b[1;1R")
    buf += data
    for m in markers:
        if m not in found and m in buf:
            found[m] = now
os.write(master, b"q")
time.sleep(0.2)
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
print(" ".join(str(int((found[m] - t0) * 1e6)) if m in found else "-1" for m in markers))
`

// firstFrames runs pipup on a pseudo-terminal n times and returns, per run,
// the time from fork to the first frame (its "pipup" title) and to the
// table of the two outdated packages.
func firstFrames(t testing.TB, n int) (first, table []time.Duration) {
	s := newUpgradeSetup(t)
	s.seed(specs([]string{"kiwi", "lime"}, "1.0", "2.0"), pins([]string{"kiwi", "lime"}, "1.0")...)
	bin := pipupBinary(t)
	env := append(s.env, "TERM=xterm-256color")
	for range n {
		cmd := exec.Command(pythons.Python(t), "-c", firstFrameDriver, "pipup|2 outdated",
			bin, "--python", s.py, "--index-url", s.srv.IndexURL())
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("driver: %v\n%s", err, out)
		}
		var a, b int64
		if _, err := fmt.Sscan(string(out), &a, &b); err != nil || a < 0 || b < 0 {
			t.Fatalf("driver output %q (a marker never appeared)", out)
		}
		first = append(first, time.Duration(a)*time.Microsecond)
		table = append(table, time.Duration(b)*time.Microsecond)
	}
	return first, table
}

// TestTUIFirstFrame checks that the UI draws its first frame and then the
// table on a real pseudo-terminal. How fast is a benchmark's question
// (BenchmarkTUIFirstFrame, docs/BENCHMARKS.md), not a test's.
func TestTUIFirstFrame(t *testing.T) {
	first, table := firstFrames(t, 2)
	for i := range first {
		if first[i] > table[i] {
			t.Errorf("run %d: table (%v) before the first frame (%v)", i, table[i], first[i])
		}
	}
	t.Logf("first frame %v, table %v", first, table)
}

// BenchmarkTUIFirstFrame reports the median time to the first frame and to
// the table: go test -run '^$' -bench TUIFirstFrame -benchtime 15x .
func BenchmarkTUIFirstFrame(b *testing.B) {
	first, table := firstFrames(b, b.N)
	med := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	b.ReportMetric(float64(med(first).Microseconds())/1000, "ms-first-frame")
	b.ReportMetric(float64(med(table).Microseconds())/1000, "ms-table")
	b.ReportMetric(float64(first[0].Microseconds())/1000, "ms-first-frame-min")
}

// TestTUIColourAndResize: colours by default, none with NO_COLOR; the
// table adapts when the window shrinks to 80×24.
func TestTUIColourAndResize(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed(specs([]string{"quince-with-a-rather-long-project-name-indeed", "rowan"}, "1.0", "1.0.1"),
		pins([]string{"quince-with-a-rather-long-project-name-indeed", "rowan"}, "1.0")...)
	for _, noColor := range []bool{false, true} {
		t.Run(fmt.Sprintf("NO_COLOR=%v", noColor), func(t *testing.T) {
			env := append(append([]string(nil), s.env...), "COLORTERM=truecolor")
			if noColor {
				env = append(env, "NO_COLOR=1")
			}
			argv := []string{pipupBinary(t), "--python", s.py, "--index-url", s.srv.IndexURL()}
			ui := startTmux(t, env, 120, 40, argv...)
			ui.waitFor("2 outdated", 30*time.Second)
			styled := ui.tmux("capture-pane", "-p", "-e")
			coloured := strings.Contains(styled, "\x1b[38") || strings.Contains(styled, "\x1b[3")
			if coloured == noColor {
				t.Errorf("colour escapes present: %v, with NO_COLOR=%v:\n%q", coloured, noColor, styled)
			}
			ui.tmux("resize-window", "-x", "80", "-y", "24")
			// The long name gives way: truncated with an ellipsis, the help
			// line still whole at the bottom.
			scr := ui.waitFor("quince-with-a-rather-", 5*time.Second)
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(scr, "quince-with-a-rather-lo…") && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				scr = ui.screen()
			}
			lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
			if len(lines) > 24 || !strings.Contains(scr, "quince-with-a-rather-lo…") || !strings.Contains(lines[len(lines)-1], "q quit") {
				t.Errorf("after resizing to 80x24:\n%s", scr)
			}
			for _, l := range lines {
				if n := len([]rune(l)); n > 80 {
					t.Errorf("line of %d cells: %q", n, l)
				}
			}
			ui.keys("q")
			if code := ui.exitCode(10 * time.Second); code != 0 {
				t.Errorf("exit %d", code)
			}
		})
	}
}

// TestTUIPlanPairAndNewDependency: the whole UI with the real engines on a
// held pair and a new dependency. `p` on the held package ticks its
// holder too; the confirm screen shows the checked plan (the pair, and the
// package a new version needs installed); after the upgrade pip check
// finds nothing broken.
func TestTUIPlanPairAndNewDependency(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{
		{Name: "app", Version: "1.0"}, {Name: "app", Version: "1.1", Requires: []string{"fresh>=1"}},
		{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
		{Name: "fresh", Version: "1.2"},
		{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
		{Name: "holder", Version: "2.0", Requires: []string{"dep>=2"}},
	}, "app==1.0", "dep==1.0", "holder==1.0")

	ui := s.tui(120, 40)
	scr := ui.waitFor("3 outdated", 30*time.Second)
	// dep is offered at 1.5, what holder 1.0 allows; holder's major step
	// is not pre-selected.
	for _, want := range []string{"[x] app", "[x] dep", "1.5", "[ ] holder", "2 of 3 selected"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("table lacks %q:\n%s", want, scr)
		}
	}
	ui.keys("Down")
	ui.waitFor("p: upgrade with holder 2.0", 5*time.Second)
	ui.keys("p")
	scr = ui.waitFor("3 of 3 selected", 5*time.Second)
	if !strings.Contains(scr, "[x] holder") {
		t.Fatalf("p did not tick the holder:\n%s", scr)
	}
	ui.keys("Enter")
	scr = ui.waitFor("upgrade now", 30*time.Second)
	if !strings.Contains(scr, "fresh: installing 1.2: required by app 1.1 (fresh>=1)") {
		t.Fatalf("confirm screen lacks the added dependency:\n%s", scr)
	}
	ui.keys("Enter")
	scr = ui.waitFor("To undo:", 2*time.Minute)
	if code := ui.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, scr)
	}
	got := s.pipVersions()
	for name, v := range map[string]string{"app": "1.1", "dep": "2.0", "holder": "2.0", "fresh": "1.2"} {
		if got[name] != v {
			t.Errorf("%s is %q, want %q (pip list: %v)", name, got[name], v, got)
		}
	}
	if out, errOut, code := runCmd(t, s.env, s.py, "-m", "pip", "check"); code != 0 {
		t.Errorf("pip check:\n%s%s", out, errOut)
	}
}
