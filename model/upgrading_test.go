package model

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// upgradeMidway is an upgrade of the pre-selected packages half done.
func upgradeMidway() []pip.UpgradeEvent {
	return []pip.UpgradeEvent{
		pip.UpgradeStarted{Packages: []pip.PlannedUpgrade{
			{Name: longName, From: "0.1.0", To: "0.1.1"}, {Name: "certifi", From: "2024.2.2", To: "2024.12.14"},
			{Name: "charset-normalizer", From: "3.3.2", To: "3.4.0"}, {Name: "idna", From: "3.6", To: "3.10"},
			{Name: "requests", From: "2.31.0", To: "2.32.3"}, {Name: "six", From: "1.16.0", To: "1.17.0"},
			{Name: "typing_extensions", From: "4.10.0", To: "4.12.2"}, {Name: "urllib3", From: "2.2.1", To: "2.2.3"},
		}},
		pip.UpgradeProgress{Name: "requests", Stage: pip.StageDownloading, Done: 41_000, Total: 64_900},
		pip.UpgradeProgress{Name: "certifi", Stage: pip.StageVerifying},
		pip.UpgradeProgress{Name: "urllib3", Stage: pip.StageInstalling},
		pip.UpgradeProgress{Name: "six", Stage: pip.StageQueued},
		pip.PackageUpgraded{Name: "idna", From: "3.6", To: "3.10"},
		pip.UpgradeFailed{Name: longName, From: "0.1.0", To: "0.1.1", Reason: "hash mismatch: index says sha256 1f2e…, file is 9a8b…"},
	}
}

func upgradeEnd(cancelled bool) []pip.UpgradeEvent {
	ok := true
	evs := []pip.UpgradeEvent{
		pip.PackageUpgraded{Name: "certifi", From: "2024.2.2", To: "2024.12.14"},
		pip.PackageUpgraded{Name: "urllib3", From: "2.2.1", To: "2.2.3"},
	}
	if cancelled {
		return append(evs, pip.UpgradeDone{Upgraded: 3, Failed: 1, Elapsed: 4200 * time.Millisecond, Cancelled: true,
			PipCheckOK: &ok, UndoCommand: "pipup undo"})
	}
	return append(evs,
		pip.PackageUpgraded{Name: "requests", From: "2.31.0", To: "2.32.3"},
		pip.PackageUpgraded{Name: "charset-normalizer", From: "3.3.2", To: "3.4.0"},
		pip.PackageUpgraded{Name: "six", From: "1.16.0", To: "1.17.0"},
		pip.UpgradeSkipped{Name: "typing_extensions", Reason: "no RECORD file: installed by a system package manager"},
		pip.UpgradeDone{Upgraded: 6, Failed: 1, Skipped: 1, Elapsed: 9300 * time.Millisecond, PipCheckOK: &ok, UndoCommand: "pipup undo"},
	)
}

// confirming is a model on the confirm screen with the pre-selection.
func confirming(t *testing.T, f *fakes, w, h int) Model {
	t.Helper()
	m := scanned(t, f, w, h)
	m, _ = update(t, m, confirmRequestedMsg{})
	if m.phase != phaseConfirming {
		t.Fatalf("phase %v", m.phase)
	}
	return m
}

func TestConfirmKeys(t *testing.T) {
	tests := []struct {
		key  string
		want tea.Msg
	}{
		{"enter", upgradeApprovedMsg{}},
		{"y", upgradeApprovedMsg{}},
		{"esc", backToListMsg{}},
		{"n", backToListMsg{}},
		{"backspace", backToListMsg{}},
		{"q", quitRequestedMsg{}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			m := confirming(t, &fakes{}, 80, 24)
			_, cmd := update(t, m, keyMsg(tt.key))
			msgs := collect(cmd, time.Second)
			if len(msgs) != 1 || msgs[0] != tt.want {
				t.Errorf("got %#v, want %#v", msgs, tt.want)
			}
		})
	}
	m := confirming(t, &fakes{}, 80, 24)
	m, _ = update(t, m, keys("space")...) // ignored here
	m, _ = update(t, m, backToListMsg{})
	if m.phase != phaseChoosing || len(m.choose.selection()) != 8 {
		t.Errorf("back keeps the selection: phase %v, %d selected", m.phase, len(m.choose.selection()))
	}
}

func TestConfirmSaysWhatAndWhere(t *testing.T) {
	f := &fakes{}
	m := scanned(t, f, 120, 40)
	m, _ = update(t, m, keys("end", "up", "up", "up", "up", "up", "up", "up", "space")...) // + Django
	m, _ = update(t, m, confirmRequestedMsg{})
	v := m.View()
	for _, want := range []string{"Upgrade 9 packages?", "(1 major or pre-release)", "Django 4.2.11 → 5.1.4 major",
		"/home/me/proj/.venv/bin/python", "virtual environment", "enter/y upgrade now", "esc/n back to the list"} {
		if !strings.Contains(v, want) {
			t.Errorf("confirm lacks %q:\n%s", want, v)
		}
	}
}

func TestConfirmRefuses(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		noEng  bool
		want   string
	}{
		{"externally managed", Target{Python: "/usr/bin/python3", ExternallyManaged: "This environment is externally managed\n╰─> To install Python packages system-wide, try apt install python3-xyz"},
			false, "externally managed (PEP 668)"},
		{"no upgrade engine", venv, true, "not available in this build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakes{}
			m := scanned(t, f, 80, 24)
			m.target = tt.target
			if tt.noEng {
				m.eng.Upgrade = nil
			}
			m, _ = update(t, m, confirmRequestedMsg{})
			v := m.View()
			if !strings.Contains(v, tt.want) || !strings.Contains(v, "Nothing will be changed.") || strings.Contains(v, "upgrade now") {
				t.Errorf("refusal:\n%s", v)
			}
			m, cmd := update(t, m, keyMsg("enter"))
			if cmd != nil || m.phase != phaseConfirming {
				t.Error("enter must do nothing on a refusal")
			}
			m, _ = update(t, m, upgradeApprovedMsg{})
			if m.phase != phaseConfirming || f.upgraded != nil {
				t.Error("no upgrade may start")
			}
		})
	}
}

// upgrading is a model whose upgrade engine has been started.
func upgrading(t *testing.T, f *fakes, w, h int) Model {
	t.Helper()
	m := confirming(t, f, w, h)
	m, cmd := update(t, m, upgradeApprovedMsg{})
	if m.phase != phaseUpgrading {
		t.Fatalf("phase %v", m.phase)
	}
	msgs := collect(cmd, 50*time.Millisecond)
	ch, ok := find[upgradeChanMsg](msgs)
	if !ok {
		t.Fatalf("the engine was not started: %#v", msgs)
	}
	// The upgrade leaves the alternate screen so results reach the scrollback.
	if !hasType(msgs, "exitAltScreenMsg") {
		t.Errorf("no exit from the alternate screen: %#v", msgs)
	}
	m, _ = update(t, m, ch)
	return m
}

func hasType(msgs []tea.Msg, name string) bool {
	for _, m := range msgs {
		if strings.HasSuffix(fmt.Sprintf("%T", m), "."+name) {
			return true
		}
	}
	return false
}

func TestUpgradeGetsTheSelection(t *testing.T) {
	f := &fakes{}
	m := scanned(t, f, 80, 24)
	m, _ = update(t, m, keys("space", "end", "up", "up", "up", "up", "up", "up", "up", "space")...)
	m, _ = update(t, m, confirmRequestedMsg{})
	m, cmd := update(t, m, upgradeApprovedMsg{})
	collect(cmd, 50*time.Millisecond)
	var got []string
	for _, p := range f.upgraded {
		got = append(got, p.Name+"=="+p.Target)
	}
	want := "certifi==2024.12.14 charset-normalizer==3.4.0 Django==5.1.4 idna==3.10 requests==2.32.3 six==1.17.0 typing_extensions==4.12.2 urllib3==2.2.3"
	if strings.Join(got, " ") != want {
		t.Errorf("engine got %v\nwant %s", got, want)
	}
}

func TestUpgradeRows(t *testing.T) {
	f := &fakes{}
	m := upgrading(t, f, 120, 40)
	m, cmd := update(t, m, upgradeBatchMsg{events: upgradeMidway()})
	if cmd == nil {
		t.Fatal("must print finished rows and re-arm")
	}
	var printed string
	for _, msg := range collect(cmd, 50*time.Millisecond) {
		printed += fmt.Sprint(msg)
	}
	if !strings.Contains(printed, "✓ idna 3.6 → 3.10") || !strings.Contains(printed, "✗ "+longName+" 0.1.0 → 0.1.1 hash mismatch") {
		t.Errorf("finished rows go to the scrollback, printed: %q", printed)
	}
	v := m.View()
	for _, want := range []string{"requests", "downloading", "41.0 kB / 64.9 kB", "certifi", "verifying", "urllib3", "installing", "six", "queued", "2 of 8 done", "✓ 1", "✗ 1"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "idna") {
		t.Error("finished rows leave the live area")
	}
	// A dependency the plan added gets its own row.
	m, _ = update(t, m, upgradeBatchMsg{events: []pip.UpgradeEvent{pip.UpgradeProgress{Name: "h11", Stage: pip.StageDownloading, Done: 10, Total: -1}}})
	if !strings.Contains(m.View(), "h11") || len(m.upgrade.rows) != 9 {
		t.Errorf("added dependency:\n%s", m.View())
	}
	m, _ = update(t, m, upgradeBatchMsg{events: upgradeEnd(false)})
	if m.phase != phaseSummary || m.ExitCode() != 1 || !m.quitting {
		t.Fatalf("phase %v code %d", m.phase, m.ExitCode())
	}
}

// A package the plan installs new shows "new" where the old version goes.
func TestUpgradeRowOfNewInstall(t *testing.T) {
	m := upgrading(t, &fakes{}, 120, 40)
	m, _ = update(t, m, upgradeBatchMsg{events: []pip.UpgradeEvent{
		pip.UpgradeStarted{Packages: []pip.PlannedUpgrade{{Name: "arrowhead", To: "0.3.2"}, {Name: "riverbed", From: "1.2.0", To: "1.4.0"}}},
		pip.UpgradeProgress{Name: "arrowhead", Stage: pip.StageInstalling},
	}})
	if v := m.View(); !regexp.MustCompile(`arrowhead +new +→ 0\.3\.2 `).MatchString(v) {
		t.Errorf("live row of a new install:\n%s", v)
	}
	_, cmd := update(t, m, upgradeBatchMsg{events: []pip.UpgradeEvent{pip.PackageUpgraded{Name: "arrowhead", To: "0.3.2"}}})
	var printed string
	for _, msg := range collect(cmd, 50*time.Millisecond) {
		printed += fmt.Sprint(msg)
	}
	if !strings.Contains(printed, "✓ arrowhead new → 0.3.2") {
		t.Errorf("finished row of a new install: %q", printed)
	}
}

func TestManyRowsStayReadable(t *testing.T) {
	m := upgrading(t, &fakes{}, 80, 24)
	var evs []pip.UpgradeEvent
	var plan []pip.PlannedUpgrade
	for i := 0; i < 200; i++ {
		plan = append(plan, pip.PlannedUpgrade{Name: fmt.Sprintf("pkg%03d", i), From: "1.0", To: "2.0"})
	}
	evs = append(evs, pip.UpgradeStarted{Packages: plan})
	for i := 0; i < 5; i++ {
		evs = append(evs, pip.UpgradeProgress{Name: fmt.Sprintf("pkg%03d", 100+i), Stage: pip.StageBuilding})
	}
	m, _ = update(t, m, upgradeBatchMsg{events: evs})
	v := m.View()
	if n := strings.Count(v, "\n") + 1; n > 24 {
		t.Errorf("%d lines for 208 rows", n)
	}
	if !strings.Contains(v, "pkg100") || !strings.Contains(v, "building") || !strings.Contains(v, "more queued") {
		t.Errorf("active rows first, the queue counted:\n%s", v)
	}
}

func TestUpgradeInterrupts(t *testing.T) {
	f := &fakes{}
	m := upgrading(t, f, 80, 24)
	m, _ = update(t, m, upgradeBatchMsg{events: upgradeMidway()})

	m, cmd := update(t, m, keyMsg("ctrl+c"))
	if m.quitting || cmd != nil {
		t.Fatal("the first Ctrl-C must not quit")
	}
	if f.upgradeCtx.Err() == nil {
		t.Fatal("the first Ctrl-C cancels the engine's context (its safe stop)")
	}
	if !strings.Contains(m.View(), "Stopping safely: no new package will start.") {
		t.Errorf("first Ctrl-C:\n%s", m.View())
	}
	m, _ = update(t, m, upgradeBatchMsg{events: []pip.UpgradeEvent{pip.UpgradeCancelling{Installing: []string{"urllib3"}}}})
	if !strings.Contains(m.View(), "Finishing the install in progress: urllib3…") {
		t.Errorf("cancelling:\n%s", m.View())
	}
	m, cmd = update(t, m, interruptMsg{}) // a signal counts the same
	if m.quitting || cmd != nil || !strings.Contains(m.View(), "Press Ctrl-C again to quit without waiting") {
		t.Errorf("second Ctrl-C:\n%s", m.View())
	}

	done, _ := update(t, m, upgradeBatchMsg{events: upgradeEnd(true), closed: true})
	if done.phase != phaseSummary || done.ExitCode() != 130 {
		t.Fatalf("a cancelled run ends in the summary with 130, got %v %d", done.phase, done.ExitCode())
	}
	if v := done.View(); !strings.Contains(v, "Stopped by Ctrl-C: 4 packages left as they were.") {
		t.Errorf("summary of a cancelled run:\n%s", v)
	}

	forced, cmd := update(t, m, keyMsg("ctrl+c"))
	if !forced.quitting || forced.ExitCode() != 130 || !strings.Contains(forced.Farewell(), "still installing [urllib3]") {
		t.Errorf("third Ctrl-C: quitting %v code %d farewell %q", forced.quitting, forced.ExitCode(), forced.Farewell())
	}
	if _, ok := find[tea.QuitMsg](collect(cmd, time.Second)); !ok {
		t.Error("third Ctrl-C: no quit")
	}
}

func TestUpgradeEndsWithoutSummary(t *testing.T) {
	m := upgrading(t, &fakes{}, 80, 24)
	m, _ = update(t, m, upgradeBatchMsg{closed: true})
	if m.phase != phaseSummary || m.ExitCode() != 1 || !strings.Contains(m.View(), "without a summary") {
		t.Errorf("phase %v code %d:\n%s", m.phase, m.ExitCode(), m.View())
	}
}

func TestSummary(t *testing.T) {
	bad := false
	tests := []struct {
		name string
		done pip.UpgradeDone
		code int
		want []string
	}{
		{"all good", pip.UpgradeDone{Upgraded: 3, Elapsed: time.Second, PipCheckOK: ptr(true), UndoCommand: "pipup undo"}, 0,
			[]string{"✓ 3 upgraded", "✗ 0 failed", "pip check: no broken requirements", "To undo: pipup undo"}},
		{"failures", pip.UpgradeDone{Upgraded: 2, Failed: 1, PipCheckOK: &bad, PipCheck: "boto3 1.34.0 has requirement botocore<1.35.0,>=1.34.0, but you have botocore 1.35.2."}, 1,
			[]string{"✗ 1 failed", "pip check found problems:", "botocore<1.35.0"}},
		{"nothing changed", pip.UpgradeDone{Skipped: 2}, 0, []string{"pip check: not run", "Nothing was changed."}},
		{"error", pip.UpgradeDone{Err: errStr("snapshot: disk full")}, 1, []string{"Error: snapshot: disk full"}},
		{"cancelled", pip.UpgradeDone{Upgraded: 1, Cancelled: true}, 130, []string{"Stopped by Ctrl-C."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSummaryModel(newStyles(asciiRenderer()), upgradeModel{}, tt.done)
			if s.exitCode() != tt.code {
				t.Errorf("exit code %d, want %d", s.exitCode(), tt.code)
			}
			v := s.view(80)
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("lacks %q:\n%s", w, v)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
