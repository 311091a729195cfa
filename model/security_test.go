package model

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// ignorer is a fake of Engines.Ignore and Unignore that records the names.
type ignorer struct {
	ignored, back []string
	err           error
}

// scannedWith is scanned with extra engines and scan events: the table at
// w×h after the fake scan plus extra, the channel left open (answers may
// still come).
func scannedWith(t *testing.T, ig *ignorer, extra []pip.ScanEvent, w, h int) Model {
	t.Helper()
	f := &fakes{}
	e := f.engines()
	if ig != nil {
		e.Ignore = func(name string) (string, error) {
			ig.ignored = append(ig.ignored, name)
			return name + " is ignored from now on (written to config.toml).", ig.err
		}
		e.Unignore = func(name string) (string, error) {
			ig.back = append(ig.back, name)
			return name + " is offered from the next run.", ig.err
		}
	}
	m := newTest(e, venv, &clock{t: t0})
	m, _ = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m, _ = update(t, m, scanChanMsg{ch: make(chan pip.ScanEvent)})
	evs := scanEvents()
	evs = append(append(evs[:len(evs)-1:len(evs)-1], extra...), evs[len(evs)-1])
	m, _ = update(t, m, scanBatchMsg{events: evs})
	if m.phase != phaseChoosing {
		t.Fatalf("after the scan: phase %v, want choosing", m.phase)
	}
	return m
}

func djangoFix() pip.PackageVulnerable {
	return pip.PackageVulnerable{Name: "Django", Version: "4.2.11", Wanted: "5.1.4", Vulns: []pip.Vuln{
		{ID: "PYSEC-2024-1", Aliases: []string{"CVE-2024-1"}, FixedIn: []string{"4.2.14", "5.0.7"}, FixedByTarget: true}}}
}

func numpyOpen() pip.PackageVulnerable {
	return pip.PackageVulnerable{Name: "numpy", Version: "1.26.4", Wanted: "2.2.0", Vulns: []pip.Vuln{
		{ID: "GHSA-np", FixedIn: []string{"3.0"}}}}
}

// rowLine is the table line that shows name.
func rowLine(view, name string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "] "+name+" ") {
			return l
		}
	}
	return ""
}

// Answers that arrive after the table is shown mark their rows: Django's
// upgrade fixes an advisory, so it moves to the Security group at the top
// and is ticked although the step is major; numpy's advisory is not fixed
// by its upgrade, so it stays among the majors, unticked, marked.
func TestVulnerabilitiesArriveAfterTheTable(t *testing.T) {
	m := scannedWith(t, nil, nil, 120, 40)
	if v := m.View(); strings.Contains(v, "Security") || strings.Contains(rowLine(v, "Django"), "[x]") {
		t.Fatalf("before any answer:\n%s", v)
	}
	m, cmd := update(t, m, scanBatchMsg{events: []pip.ScanEvent{djangoFix(), numpyOpen()}})
	if cmd == nil {
		t.Error("the model stopped waiting for the scan's remaining answers")
	}
	v := m.View()
	lines := strings.Split(v, "\n")
	sec := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "Security  fixes a known vulnerability") })
	if sec < 0 || sec > 4 || !strings.Contains(lines[sec+1], "Django") {
		t.Errorf("want a Security group at the top with Django:\n%s", v)
	}
	if l := rowLine(v, "Django"); !strings.Contains(l, "[x]") || !strings.Contains(l, "fixes PYSEC-2024-1") {
		t.Errorf("Django's row %q: want ticked and marked", l)
	}
	if l := rowLine(v, "numpy"); strings.Contains(l, "[x]") || !strings.Contains(l, "vulnerable: GHSA-np") {
		t.Errorf("numpy's row %q: want unticked and marked", l)
	}
	// The cursor stayed where it was; on Django's row, the details line
	// names the advisory.
	m, _ = update(t, m, keys("home")...)
	if v = m.View(); !strings.Contains(v, "fixes PYSEC-2024-1 (CVE-2024-1)") {
		t.Errorf("details line lacks the ids:\n%s", v)
	}
	// The user's own untick stands against a later answer.
	m = scannedWith(t, nil, nil, 120, 40)
	for range 20 {
		if r, ok := m.choose.current(); ok && r.kind == rowPackage && m.choose.choice.Offer(r.idx).Package.Name == "Django" {
			break
		}
		m, _ = update(t, m, keys("down")...)
	}
	m, _ = update(t, m, keys("space", "space")...) // ticked, then unticked again
	m, _ = update(t, m, scanBatchMsg{events: []pip.ScanEvent{djangoFix()}})
	if l := rowLine(m.View(), "Django"); strings.Contains(l, "[x]") {
		t.Errorf("Django %q: an answer overrode the user's untick", l)
	}
}

// Answers that came before the table are in it from the start.
func TestVulnerabilitiesBeforeTheTable(t *testing.T) {
	m := scannedWith(t, nil, []pip.ScanEvent{djangoFix()}, 120, 40)
	if l := rowLine(m.View(), "Django"); !strings.Contains(l, "[x]") || !strings.Contains(l, "fixes PYSEC-2024-1") {
		t.Errorf("Django's row %q: want ticked and marked", l)
	}
}

// `i` asks the engine to ignore the highlighted package and, when it has,
// moves it to the Ignored group; `u` there takes it back. Without the
// engine the keys say so.
func TestIgnoreAndTakeBack(t *testing.T) {
	ig := &ignorer{}
	ignoredAtStart := []pip.ScanEvent{pip.PackageIgnored{Name: "torch", Version: "2.1.0"}}
	m := scannedWith(t, ig, ignoredAtStart, 120, 40)
	v := m.View()
	if !strings.Contains(v, "Ignored") || !strings.Contains(v, "1 package, never offered") || strings.Contains(v, "torch") {
		t.Fatalf("want a closed Ignored group of one:\n%s", v)
	}
	first := m.choose.choice.Offer(m.choose.rows[m.choose.cursor].idx).Package.Name
	m, cmd := update(t, m, keys("i")...)
	if cmd == nil {
		t.Fatal("i: no command")
	}
	m, _ = update(t, m, cmd())
	if !slices.Equal(ig.ignored, []string{first}) {
		t.Fatalf("engine asked to ignore %v, want [%s]", ig.ignored, first)
	}
	v = m.View()
	if rowLine(v, first) != "" || !strings.Contains(v, first+" is ignored from now on") || !strings.Contains(v, "2 packages, never offered") {
		t.Errorf("after i:\n%s", v)
	}
	// Open the group, go to torch and take it back.
	m, _ = update(t, m, keys("end")...)
	for m.choose.rows[m.choose.cursor].kind != rowIgnoredHead {
		m, _ = update(t, m, keys("up")...)
	}
	m, _ = update(t, m, keys("space", "down")...)
	if r := m.choose.rows[m.choose.cursor]; r.kind != rowIgnored || m.choose.ignored[r.idx].name != "torch" {
		t.Fatalf("cursor on %+v, want torch's ignored row:\n%s", r, m.View())
	}
	if !strings.Contains(m.View(), "u un-ignore") {
		t.Errorf("the help does not show u on an ignored row:\n%s", m.View())
	}
	m, cmd = update(t, m, keys("u")...)
	m, _ = update(t, m, cmd())
	if v := m.View(); !slices.Equal(ig.back, []string{"torch"}) || !strings.Contains(v, "taken back: offered from the next run") {
		t.Errorf("after u (engine got %v):\n%s", ig.back, v)
	}

	// An engine error leaves the table as it was and says why.
	ig = &ignorer{err: errors.New("config.toml: permission denied")}
	m = scannedWith(t, ig, nil, 120, 40)
	n := m.choose.choice.Len()
	m, cmd = update(t, m, keys("i")...)
	m, _ = update(t, m, cmd())
	if m.choose.choice.Len() != n || !strings.Contains(m.View(), "permission denied") {
		t.Errorf("after a failed ignore: %d offers (want %d)\n%s", m.choose.choice.Len(), n, m.View())
	}

	// No engine: the key says so and asks nothing.
	m = scannedWith(t, nil, nil, 120, 40)
	m, cmd = update(t, m, keys("i")...)
	if cmd != nil || !strings.Contains(m.View(), "Ignoring is not available") {
		t.Errorf("i without an engine: cmd %v\n%s", cmd != nil, m.View())
	}
}

func TestGoldenChoosingSecurityAndIgnored(t *testing.T) {
	forSizes(t, func(t *testing.T, w, h int) Model {
		m := scannedWith(t, &ignorer{}, []pip.ScanEvent{pip.PackageIgnored{Name: "torch", Version: "2.1.0"}}, w, h)
		m, _ = update(t, m, scanBatchMsg{events: []pip.ScanEvent{djangoFix(), numpyOpen()}})
		m, _ = update(t, m, keys("end", "space", "home")...) // opens the Ignored group
		return m
	})
}
