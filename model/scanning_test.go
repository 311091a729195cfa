package model

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

func TestInitOpensThenScans(t *testing.T) {
	c := &clock{t: t0}
	f := &fakes{scanEvents: scanEvents()}
	e := f.engines()
	opened := Target{Python: "/opt/py/bin/python3", InVenv: false}
	e.Open = func(context.Context) (Target, error) { return opened, nil }
	m := newTest(e, Target{}, c)
	if !m.scan.opening || !strings.Contains(m.View(), "inspecting") {
		t.Fatalf("first frame should say the environment is being inspected:\n%s", m.View())
	}
	msgs := collect(m.Init(), 50*time.Millisecond)
	om, ok := find[openedMsg](msgs)
	if !ok || om.target != opened {
		t.Fatalf("Init did not open: %#v", msgs)
	}
	m, cmd := update(t, m, om)
	if m.target != opened || m.scan.opening {
		t.Fatalf("target not taken: %+v", m.target)
	}
	sc, ok := find[scanChanMsg](collect(cmd, 50*time.Millisecond))
	if !ok {
		t.Fatal("opening did not start the scan")
	}
	m, cmd = update(t, m, sc)
	b, ok := find[scanBatchMsg](collect(cmd, 50*time.Millisecond))
	if !ok || !b.closed || len(b.events) != len(scanEvents()) {
		t.Fatalf("wait command: %+v", b)
	}
	m, _ = update(t, m, b)
	if m.phase != phaseChoosing || m.choose.choice.Len() != 14 {
		t.Fatalf("phase %v with %d items", m.phase, m.choose.choice.Len())
	}
}

func TestInitWithoutOpenScansAtOnce(t *testing.T) {
	f := &fakes{scanEvents: scanEvents()}
	m := newTest(f.engines(), venv, &clock{t: t0})
	if _, ok := find[scanChanMsg](collect(m.Init(), 50*time.Millisecond)); !ok {
		t.Fatal("Init should start the scan")
	}
}

func TestOpenFailureQuitsWithError(t *testing.T) {
	e := (&fakes{}).engines()
	m := newTest(e, venv, &clock{t: t0})
	m, cmd := update(t, m, openedMsg{err: errors.New("python3: not found")})
	if !m.quitting || m.ExitCode() != 1 || m.Err() == nil {
		t.Fatalf("quitting=%v code=%d err=%v", m.quitting, m.ExitCode(), m.Err())
	}
	if _, ok := find[tea.QuitMsg](collect(cmd, time.Second)); !ok {
		t.Fatal("no quit command")
	}
}

func TestScanProgress(t *testing.T) {
	c := &clock{t: t0}
	m := newTest((&fakes{}).engines(), venv, c)
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	c.Set(2 * time.Second)
	m, cmd := update(t, m, scanBatchMsg{events: scanEvents()[:10]}, tickMsg{id: m.tickID, t: c.Now()})
	if cmd == nil {
		t.Fatal("a tick must re-arm while scanning")
	}
	s := m.scan
	if s.total != 20 || s.done != 4 || len(s.outdated) != 4 || s.current != "certifi" {
		t.Fatalf("total %d done %d outdated %d current %q", s.total, s.done, len(s.outdated), s.current)
	}
	v := m.View()
	for _, want := range []string{"4/20", "20%", "2 packages/s", "2.0s elapsed", "checking certifi", "Outdated so far: 4", "Django"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if _, cmd := update(t, m, tickMsg{id: m.tickID - 1}); cmd != nil {
		t.Error("a stale tick must not re-arm")
	}
}

func TestScanStopKeepsWhatWasFound(t *testing.T) {
	for _, k := range []string{"esc", "q"} {
		t.Run(k, func(t *testing.T) {
			f := &fakes{}
			m := newTest(f.engines(), venv, &clock{t: t0})
			m, _ = update(t, m, collectOne(m.startScan()))
			m, _ = update(t, m, scanBatchMsg{events: scanEvents()[:9]})
			m, cmd := update(t, m, keyMsg(k))
			if _, ok := find[stopScanMsg](collect(cmd, time.Second)); !ok {
				t.Fatal("stop key did not ask to stop")
			}
			m, _ = update(t, m, stopScanMsg{})
			if m.phase != phaseChoosing || m.choose.choice.Len() != 4 {
				t.Fatalf("phase %v items %d", m.phase, m.choose.choice.Len())
			}
			if f.scanCtx.Err() == nil {
				t.Error("the scan was not cancelled")
			}
			if !strings.Contains(m.View(), "stopped at 4 of 20 packages") {
				t.Errorf("the table should say the list is partial:\n%s", m.View())
			}
			// Late events are drained and dropped.
			m, cmd = update(t, m, scanBatchMsg{events: scanEvents()[9:12]})
			if m.choose.choice.Len() != 4 || cmd == nil {
				t.Errorf("late events: %d items, re-armed=%v", m.choose.choice.Len(), cmd != nil)
			}
			if _, cmd = update(t, m, scanBatchMsg{closed: true}); cmd != nil {
				t.Error("a closed channel must not be waited on again")
			}
		})
	}
}

func TestScanEnds(t *testing.T) {
	upToDate := []pip.ScanEvent{
		pip.ScanStarted{Total: 2},
		pip.PackageChecked{Name: "a", Version: "1", Latest: "1"},
		pip.PackageChecked{Name: "b", Version: "1", Latest: "1"},
		pip.ScanDone{Checked: 2, Elapsed: time.Second},
	}
	tests := []struct {
		name     string
		events   []pip.ScanEvent
		closed   bool
		phase    phase
		code     int
		err      string
		farewell string
	}{
		{"outdated found", scanEvents(), true, phaseChoosing, 0, "", ""},
		{"done before close", scanEvents(), false, phaseChoosing, 0, "", ""},
		{"all up to date", upToDate, true, phaseScanning, 0, "", "All 2 packages are up to date"},
		{"fatal before anything", []pip.ScanEvent{pip.ScanDone{Err: errors.New("index unreachable")}}, true, phaseScanning, 1, "index unreachable", ""},
		{"closed without done", []pip.ScanEvent{pip.ScanStarted{Total: 1}}, true, phaseScanning, 1, "without a result", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTest((&fakes{}).engines(), venv, &clock{t: t0})
			m, _ = update(t, m, scanBatchMsg{events: tt.events, closed: tt.closed})
			if m.phase != tt.phase || m.ExitCode() != tt.code {
				t.Fatalf("phase %v code %d; want %v %d", m.phase, m.ExitCode(), tt.phase, tt.code)
			}
			if tt.err != "" && (m.Err() == nil || !strings.Contains(m.Err().Error(), tt.err)) {
				t.Errorf("err %v, want %q", m.Err(), tt.err)
			}
			if !strings.Contains(m.Farewell(), tt.farewell) {
				t.Errorf("farewell %q, want %q", m.Farewell(), tt.farewell)
			}
		})
	}
}

func TestScanFailureWithResultsShowsThem(t *testing.T) {
	evs := append(scanEvents()[:5], pip.ScanDone{Err: errors.New("index went away")})
	m := newTest((&fakes{}).engines(), venv, &clock{t: t0})
	m, _ = update(t, m, scanBatchMsg{events: evs, closed: true})
	if m.phase != phaseChoosing || !strings.Contains(m.View(), "The scan failed, the list is partial: index went away") {
		t.Fatalf("phase %v:\n%s", m.phase, m.View())
	}
}

func TestCtrlCQuitsAtOnceOutsideUpgrade(t *testing.T) {
	for _, p := range []string{"scanning", "choosing", "confirming"} {
		t.Run(p, func(t *testing.T) {
			f := &fakes{}
			m := scanned(t, f, 80, 24)
			switch p {
			case "scanning":
				m = newTest(f.engines(), venv, &clock{t: t0})
				m, _ = update(t, m, collectOne(m.startScan()))
			case "confirming":
				m, _ = update(t, m, confirmRequestedMsg{})
			}
			for _, msg := range []tea.Msg{keyMsg("ctrl+c"), interruptMsg{}} {
				q, cmd := update(t, m, msg)
				if !q.quitting || q.ExitCode() != 130 || q.View() != "" {
					t.Errorf("%T: quitting=%v code=%d", msg, q.quitting, q.ExitCode())
				}
				if _, ok := find[tea.QuitMsg](collect(cmd, time.Second)); !ok {
					t.Errorf("%T: no quit", msg)
				}
			}
			if p == "scanning" {
				q, _ := update(t, m, keyMsg("ctrl+c"))
				_ = q
				if f.scanCtx.Err() == nil {
					t.Error("quitting must cancel the scan")
				}
			}
		})
	}
}

func TestTicksStopWhenNothingMoves(t *testing.T) {
	m := scanned(t, &fakes{}, 80, 24)
	if _, cmd := update(t, m, tickMsg{id: m.tickID}); cmd != nil {
		t.Error("the choosing screen must not keep ticking")
	}
}

// Esc or q while the environment is still being inspected quits without a
// word about packages (none were checked), and the inspection finishing
// afterwards starts no scan.
func TestStopWhileOpeningQuits(t *testing.T) {
	for _, k := range []string{"esc", "q"} {
		t.Run(k, func(t *testing.T) {
			f := &fakes{scanEvents: scanEvents()}
			e := f.engines()
			e.Open = func(context.Context) (Target, error) { return venv, nil }
			m := newTest(e, Target{}, &clock{t: t0})
			m, cmd := update(t, m, keyMsg(k))
			stop, ok := find[stopScanMsg](collect(cmd, 50*time.Millisecond))
			if !ok {
				t.Fatalf("%s did not ask to stop", k)
			}
			m, cmd = update(t, m, stop)
			if !m.quitting || m.ExitCode() != 0 || m.Err() != nil {
				t.Fatalf("quitting=%v code=%d err=%v", m.quitting, m.ExitCode(), m.Err())
			}
			if strings.Contains(m.Farewell(), "up to date") || m.phase != phaseScanning {
				t.Errorf("farewell %q in phase %v: nothing was checked", m.Farewell(), m.phase)
			}
			if _, ok := find[tea.QuitMsg](collect(cmd, time.Second)); !ok {
				t.Fatal("no quit command")
			}
			m, cmd = update(t, m, openedMsg{target: venv})
			if _, ok := find[scanChanMsg](collect(cmd, 50*time.Millisecond)); ok || m.cancelScan != nil {
				t.Error("the scan started after the user quit")
			}
		})
	}
}
