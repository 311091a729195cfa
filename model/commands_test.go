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

func TestReceiveBatchesWhatIsQueued(t *testing.T) {
	tests := []struct {
		name       string
		queued     int
		close      bool
		wantEvents int
		wantClosed bool
	}{
		{"one event", 1, false, 1, false},
		{"takes all queued", 10, false, 10, false},
		{"queued then closed", 3, true, 3, true},
		{"closed and empty", 0, true, 0, true},
		{"bounded", maxBatch + 5, false, maxBatch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := make(chan pip.ScanEvent, tt.queued)
			for i := 0; i < tt.queued; i++ {
				ch <- pip.PackageChecking{Name: "p"}
			}
			if tt.close {
				close(ch)
			}
			msg := waitScan(ch)()
			b, ok := msg.(scanBatchMsg)
			if !ok {
				t.Fatalf("waitScan returned %T", msg)
			}
			if len(b.events) != tt.wantEvents || b.closed != tt.wantClosed {
				t.Errorf("got %d events, closed=%v; want %d, %v", len(b.events), b.closed, tt.wantEvents, tt.wantClosed)
			}
		})
	}
}

func TestWaitUpgradeReturnsEventsThenClosed(t *testing.T) {
	ch := make(chan pip.UpgradeEvent, 2)
	ch <- pip.PackageUpgraded{Name: "a"}
	close(ch)
	b := waitUpgrade(ch)().(upgradeBatchMsg)
	if len(b.events) != 1 || !b.closed {
		t.Fatalf("got %+v", b)
	}
	if b := waitUpgrade(ch)().(upgradeBatchMsg); len(b.events) != 0 || !b.closed {
		t.Fatalf("after close got %+v", b)
	}
}

func TestGuardTurnsPanicIntoFatal(t *testing.T) {
	msg := guard(func() tea.Msg { panic("boom") })()
	f, ok := msg.(fatalMsg)
	if !ok || !strings.Contains(f.err.Error(), "boom") {
		t.Fatalf("got %#v", msg)
	}
	if guard(nil) != nil {
		t.Error("guard(nil) should stay nil")
	}
}

func TestEngineCommands(t *testing.T) {
	ctx := context.Background()
	f := &fakes{scanEvents: scanEvents(), details: map[string]Details{"requests": {Links: []Link{{"home", "https://x"}}}}}
	e := f.engines()

	if m, ok := startScanCmd(ctx, e.Scan)().(scanChanMsg); !ok || m.ch == nil {
		t.Fatalf("startScanCmd: %#v", m)
	}
	if m, ok := startUpgradeCmd(ctx, e.Upgrade, toLatest(outdated()[:2]))().(upgradeChanMsg); !ok || m.ch == nil || len(f.upgraded) != 2 {
		t.Fatalf("startUpgradeCmd: %#v, upgraded %v", m, f.upgraded)
	}
	d := fetchDetailsCmd(ctx, e.Details, pip.PackageChecked{Name: "requests"})().(detailsMsg)
	if d.err != nil || d.name != "requests" || len(d.details.Links) != 1 {
		t.Fatalf("fetchDetailsCmd: %+v", d)
	}
	if d := fetchDetailsCmd(ctx, e.Details, pip.PackageChecked{Name: "nope"})().(detailsMsg); d.err == nil {
		t.Fatal("fetchDetailsCmd: want the engine's error")
	}
	open := func(context.Context) (Target, error) { return Target{}, errors.New("no python") }
	if o := openCmd(ctx, open)().(openedMsg); o.err == nil {
		t.Fatal("openCmd: want the engine's error")
	}
	pf := &fakes{plan: fullPlan()}
	if m, ok := planCmd(ctx, pf.engines().Plan, toLatest(outdated()[:3]), 5)().(planReadyMsg); !ok || m.id != 5 || m.err != nil ||
		m.plan != pf.plan || len(pf.planReqs) != 1 || len(pf.planReqs[0].chosen) != 3 {
		t.Fatalf("planCmd: %#v", m)
	}
	nothing := func(context.Context, []pip.Upgrade) (*pip.Plan, error) { return nil, nil }
	if m := planCmd(ctx, nothing, nil, 6)().(planReadyMsg); m.id != 6 || m.err == nil {
		t.Fatalf("planCmd with no plan and no error: %#v", m)
	}
	bug := func(context.Context, []pip.Upgrade) (*pip.Plan, error) { panic("plan bug") }
	if m, ok := planCmd(ctx, bug, nil, 7)().(fatalMsg); !ok || !strings.Contains(m.err.Error(), "plan bug") {
		t.Fatalf("planCmd panic: %#v", m)
	}
	if m, ok := collectOne(tick(7)).(tickMsg); !ok || m.id != 7 {
		t.Fatalf("tick: %#v", m)
	}
	if m, ok := collectOne(detailsAfter(pip.PackageChecked{Name: "x"}, 3)).(detailsDueMsg); !ok || m.pkg.Name != "x" || m.seq != 3 {
		t.Fatalf("detailsAfter: %#v", m)
	}
}

func collectOne(cmd tea.Cmd) tea.Msg {
	msgs := collect(cmd, time.Second)
	if len(msgs) != 1 {
		return nil
	}
	return msgs[0]
}

func TestFormatHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{fit("abcdef", 4), "abc…"},
		{fit("ab", 4), "ab  "},
		{fit("ab", 0), ""},
		{fmtDuration(1234 * time.Millisecond), "1.2s"},
		{fmtDuration(125 * time.Second), "2m05s"},
		{fmtBytes(999), "999 B"},
		{fmtBytes(1500), "1.5 kB"},
		{fmtBytes(2_500_000), "2.5 MB"},
		{fmtBytes(-1), "?"},
		{canonical("Typing_Extensions"), "typing-extensions"},
		{canonical("zope..interface"), "zope-interface"},
		{oneLine("first\nsecond"), "first …"},
		{plural(1, "package", "packages"), "1 package"},
		{plural(2, "package", "packages"), "2 packages"},
		{padLines("a\nb\nc", 2), "a\nb"},
		{padLines("a", 3), "a\n\n"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestOutsideTextIsCleaned(t *testing.T) {
	evil := "Summary \x1b]52;c;ZXZpbA==\x07with \x1b[2Jescapes\tand\u009btabs"
	m := newTest((&fakes{}).engines(), venv, &clock{t: t0})
	m, _ = update(t, m, scanBatchMsg{closed: true, events: []pip.ScanEvent{
		pip.ScanStarted{Total: 1},
		pip.PackageChecked{Name: "evil\x1b[31m", Version: "1.0", Latest: "2.0", Bump: pip.BumpMajor, Summary: evil},
		pip.ScanDone{Checked: 1},
	}})
	m, _ = update(t, m, detailsMsg{name: "evil", details: Details{Links: []Link{{"home", "https://x/\x1b[0m"}}}})
	v := m.View()
	if strings.ContainsAny(v, "\x1b\x07\u009b\t") {
		t.Errorf("control characters reached the view: %q", v)
	}
	if !strings.Contains(v, "Summary ]52;c;ZXZpbA==with [2Jescapes and") {
		t.Errorf("cleaned text: %q", v)
	}
}
