package model

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// preselection is what the fake scan pre-selects, by name.
const preselection = longName + " certifi charset-normalizer idna requests six typing_extensions urllib3"

// fullPlan adjusts the pre-selection plus Django in every way a plan can:
// urllib3 lowered, six dropped, s3transfer and jmespath (a new install)
// added, Django together with its dependent, a conflict and a warning.
func fullPlan() *pip.Plan {
	var pkgs []pip.PackageChecked
	for _, p := range outdated() {
		switch p.Name {
		case "urllib3":
			p.Latest, p.Bump = "2.2.2", pip.BumpPatch
		case "six", "numpy", "attrs", "packaging", "pydantic", "setuptools":
			continue
		}
		pkgs = append(pkgs, p)
	}
	pkgs = append(pkgs,
		pkg("s3transfer", "0.10.0", "0.10.4", pip.BumpPatch, "An Amazon S3 Transfer Manager"),
		pkg("jmespath", "", "1.0.1", pip.BumpNone, "JSON Matching Expressions"))
	return &pip.Plan{
		Packages: toLatest(pkgs),
		Changes: []pip.PlanChange{
			{Kind: pip.ChangeLowered, Name: "urllib3", From: "2.2.1", To: "2.2.2", Asked: "2.2.3", Reason: "held back by botocore 1.34.0 (urllib3<2.2.3,>=1.25.4)"},
			{Kind: pip.ChangeAdded, Name: "s3transfer", From: "0.10.0", To: "0.10.4", Reason: "required by boto3 1.35.2 (s3transfer<0.11.0,>=0.10.4)"},
			{Kind: pip.ChangeAdded, Name: "jmespath", To: "1.0.1", Reason: "required by boto3 1.35.2 (jmespath<2.0.0,>=0.7.1)"},
			{Kind: pip.ChangeDropped, Name: "six", From: "1.16.0", Asked: "1.17.0", Reason: "held back by python-dateutil 2.8.2 (six==1.16.0)"},
			{Kind: pip.ChangeTogether, Name: "Django", From: "4.2.11", To: "5.1.4", Asked: "5.1.4", Reason: "together with django-stubs 5.1.1, which allows it"},
		},
		Conflicts: []pip.Conflict{{Dependent: "types-requests", Version: "2.31.0.6", Requirement: "urllib3<2", Name: "urllib3", Have: "2.2.2"}},
		Warnings:  []string{"charset-normalizer 3.4.0: its metadata could not be read (404 Not Found)"},
	}
}

// planning is a model on the confirm screen of the pre-selection plus
// Django, waiting for the fake Plan engine; cmd is the plan request.
func planning(t *testing.T, f *fakes, w, h int) (Model, tea.Cmd) {
	t.Helper()
	m := scanned(t, f, w, h)
	m, _ = update(t, m, keys("end", "up", "up", "up", "up", "up", "up", "up", "space")...) // + Django
	m, cmd := update(t, m, confirmRequestedMsg{})
	if m.phase != phaseConfirming || !m.confirm.planning {
		t.Fatalf("phase %v, planning %v", m.phase, m.confirm.planning)
	}
	return m, cmd
}

// answer runs the plan request and hands its answer to the model.
func answer(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	ready, ok := find[planReadyMsg](collect(cmd, time.Second))
	if !ok {
		t.Fatal("no plan request was started")
	}
	m, _ = update(t, m, ready)
	return m
}

func names(pkgs []pip.Upgrade) string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name+"=="+p.Target)
	}
	return strings.Join(out, " ")
}

func TestPlanIsCheckedBeforeConfirming(t *testing.T) {
	f := &fakes{plan: fullPlan()}
	m, cmd := planning(t, f, 120, 40)
	v := m.View()
	if !strings.Contains(v, "Checking the plan against the environment…") || strings.Contains(v, "upgrade now") ||
		!strings.Contains(v, "esc/n back to the list") {
		t.Errorf("while planning:\n%s", v)
	}
	// Enter does nothing until the plan is in, nor does a stray approval.
	if _, c := update(t, m, keyMsg("enter")); c != nil {
		t.Errorf("enter before the plan: %#v", collect(c, time.Second))
	}
	if a, _ := update(t, m, upgradeApprovedMsg{}); a.phase != phaseConfirming || f.upgraded != nil {
		t.Error("an upgrade started before the plan was in")
	}

	// The spinner turns while the plan is checked, and stops after.
	if _, tc := update(t, m, tickMsg{id: m.tickID, t: t0}); tc == nil {
		t.Error("no animation while planning")
	}
	m = answer(t, m, cmd)
	if _, tc := update(t, m, tickMsg{id: m.tickID, t: t0}); tc != nil {
		t.Error("the animation goes on after the plan is in")
	}
	if len(f.planReqs) != 1 || !strings.Contains(names(f.planReqs[0].chosen), "Django==5.1.4") ||
		len(f.planReqs[0].chosen) != 9 {
		t.Fatalf("the plan engine got %v", f.planReqs)
	}
	if m.confirm.planning || m.cancelPlan != nil {
		t.Error("the plan is in: nothing should be pending")
	}
	v = m.View()
	for _, want := range []string{
		"Upgrade 10 packages?  (1 major or pre-release)", // the plan's packages, not the 9 chosen
		"These requirements will be broken (--force-latest):",
		"✗ types-requests 2.31.0.6 has requirement urllib3<2, but you have urllib3 2.2.2.",
		"↓ urllib3: upgrading to 2.2.2, not 2.2.3: held back by botocore",
		"+ s3transfer: also upgrading to 0.10.4",
		"+ jmespath: installing 1.0.1",
		"– six stays at 1.16.0",
		"↑ Django: upgrading to 5.1.4",
		"· charset-normalizer 3.4.0: its metadata could not be read",
		"jmespath, requests, s3transfer", "enter/y upgrade now",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("confirm lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, " six,") {
		t.Errorf("six was dropped but is listed:\n%s", v)
	}

	m, cmd = update(t, m, keyMsg("enter"))
	if _, ok := find[upgradeApprovedMsg](collect(cmd, time.Second)); !ok {
		t.Fatal("enter after the plan should approve")
	}
	m, cmd = update(t, m, upgradeApprovedMsg{})
	collect(cmd, 50*time.Millisecond)
	if m.phase != phaseUpgrading || names(f.upgraded) != names(fullPlan().Packages) {
		t.Errorf("phase %v; upgraded %s\nwant the plan's %s", m.phase, names(f.upgraded), names(fullPlan().Packages))
	}
}

func TestPlanRequestsAreCancelledAndStaleAnswersDropped(t *testing.T) {
	f := &fakes{plan: fullPlan()}
	m, first := planning(t, f, 80, 24)
	stale, ok := find[planReadyMsg](collect(first, time.Second))
	if !ok {
		t.Fatal("no plan request")
	}

	// Back abandons the request: its ctx is cancelled, and its answer,
	// arriving on the list, changes nothing.
	m, _ = update(t, m, backToListMsg{})
	if m.phase != phaseChoosing || f.planReqs[0].ctx.Err() == nil {
		t.Fatalf("back: phase %v, first request's ctx %v", m.phase, f.planReqs[0].ctx.Err())
	}
	if late, _ := update(t, m, stale); late.phase != phaseChoosing {
		t.Errorf("a late answer moved the list to %v", late.phase)
	}

	// Asked again: the first answer is stale, the second is taken.
	m, second := update(t, m, confirmRequestedMsg{})
	m, _ = update(t, m, stale)
	if !m.confirm.planning || m.confirm.plan != nil {
		t.Fatal("an answer to an earlier request was taken")
	}
	current, _ := find[planReadyMsg](collect(second, time.Second))
	if len(f.planReqs) != 2 || f.planReqs[1].ctx.Err() != nil {
		t.Fatal("the current request was cancelled before its answer")
	}
	m, _ = update(t, m, current)
	if m.confirm.planning || m.confirm.plan == nil {
		t.Fatal("the current answer was dropped")
	}

	// Quitting while a plan is pending cancels it.
	m, _ = update(t, m, backToListMsg{})
	m, third := update(t, m, confirmRequestedMsg{})
	collect(third, time.Second)
	q, _ := update(t, m, quitRequestedMsg{})
	if !q.quitting || f.planReqs[2].ctx.Err() == nil {
		t.Errorf("quit left the plan request running")
	}
}

func TestPlanErrorAndEmptyPlan(t *testing.T) {
	tests := []struct {
		name string
		f    *fakes
		want []string
	}{
		{"error", &fakes{planErr: errors.New("read boto3's metadata: 503 Service Unavailable\nsecond line")},
			[]string{"The plan could not be checked: read boto3's metadata: 503 Service Unavailable …",
				"Nothing will be changed; go back", "Upgrade 9 packages?"}},
		{"everything dropped", &fakes{plan: &pip.Plan{Changes: []pip.PlanChange{
			{Kind: pip.ChangeDropped, Name: "six", From: "1.16.0", Asked: "1.17.0", Reason: "held back by python-dateutil 2.8.2 (six==1.16.0)"}}}},
			[]string{"Nothing to upgrade after the checks", "– six stays at 1.16.0", "Every package was dropped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, cmd := planning(t, tt.f, 100, 30)
			m = answer(t, m, cmd)
			v := m.View()
			for _, want := range append(tt.want, "esc/n back to the list", "q quit") {
				if !strings.Contains(v, want) {
					t.Errorf("view lacks %q:\n%s", want, v)
				}
			}
			if strings.Contains(v, "upgrade now") || strings.Contains(v, "Each package goes to") {
				t.Errorf("offers to upgrade:\n%s", v)
			}
			for _, k := range []string{"enter", "y"} {
				if _, c := update(t, m, keyMsg(k)); c != nil {
					t.Errorf("%s: %#v", k, collect(c, time.Second))
				}
			}
			if a, _ := update(t, m, upgradeApprovedMsg{}); a.phase != phaseConfirming || tt.f.upgraded != nil {
				t.Error("an upgrade started")
			}
			_, c := update(t, m, keyMsg("esc"))
			if _, ok := find[backToListMsg](collect(c, time.Second)); !ok {
				t.Error("esc should go back")
			}
		})
	}
}

func TestNoPlanWhenTheEnvironmentIsRefused(t *testing.T) {
	f := &fakes{plan: fullPlan()}
	m := scanned(t, f, 80, 24)
	m.target = Target{Python: "/usr/bin/python3", ExternallyManaged: "externally managed"}
	m, cmd := update(t, m, confirmRequestedMsg{})
	collect(cmd, 50*time.Millisecond)
	if m.confirm.planning || len(f.planReqs) != 0 || !strings.Contains(m.View(), "Nothing will be changed.") {
		t.Errorf("planning %v, %d plan requests:\n%s", m.confirm.planning, len(f.planReqs), m.View())
	}
}

func TestPlanOutsideTextIsCleaned(t *testing.T) {
	p := fullPlan()
	p.Changes[0].Reason = "held back by evil\x1b[2J 1.0 (urllib3<2)"
	p.Conflicts[0].Dependent = "types-requests\x1b]8;;http://x\x07"
	p.Warnings[0] = "warn\x1b[31m\nmore"
	p.Packages[0].Name += "\x1b[5m"
	m, cmd := planning(t, &fakes{plan: p}, 120, 40)
	m = answer(t, m, cmd)
	if v := m.View(); strings.Contains(v, "\x1b") || strings.Contains(v, "\x07") {
		t.Errorf("raw control characters reached the view: %q", v)
	}
}

func TestLongPlansFitTheWindow(t *testing.T) {
	p := fullPlan()
	for i := range 40 {
		p.Changes = append(p.Changes, pip.PlanChange{Kind: pip.ChangeAdded, Name: "extra" + strings.Repeat("x", i%7),
			From: "1.0", To: "1.1", Reason: "required by something"})
		p.Conflicts = append(p.Conflicts, pip.Conflict{Dependent: "dep", Version: "1", Requirement: "x<1", Name: "x", Have: "2"})
	}
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}} {
		w, h := sz[0], sz[1]
		m, cmd := planning(t, &fakes{plan: p}, w, h)
		m = answer(t, m, cmd)
		lines := strings.Split(m.View(), "\n")
		if len(lines) != h {
			t.Errorf("%dx%d: %d lines", w, h, len(lines))
		}
		for _, l := range lines {
			if width(l) > w {
				t.Errorf("%dx%d: line of %d cells: %q", w, h, width(l), l)
			}
		}
		v := strings.Join(lines, "\n")
		for _, want := range []string{"These requirements will be broken", "The checks changed the choice:",
			"more", "Not checked here", "May break code", "Each package goes to", "enter/y upgrade now"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: lacks %q:\n%s", w, h, want, v)
			}
		}
		if !strings.HasPrefix(lines[len(lines)-1], "enter/y upgrade now") {
			t.Errorf("%dx%d: the keys are not on the last line:\n%s", w, h, v)
		}
	}
}

func TestFitBlocks(t *testing.T) {
	blk := func(n int) listBlock { return listBlock{head: "h", items: make([]string, n)} }
	tests := []struct {
		name   string
		blocks []listBlock
		room   int
		want   []int
	}{
		{"all fit", []listBlock{blk(2), blk(3)}, 10, []int{3, 4}},
		{"longest cut first", []listBlock{blk(2), blk(10)}, 8, []int{3, 5}},
		{"cut evenly", []listBlock{blk(10), blk(10)}, 10, []int{5, 5}},
		{"down to heading and more", []listBlock{blk(5), blk(5)}, 4, []int{2, 2}},
		{"a one-item block is not cut", []listBlock{blk(1), blk(5)}, 4, []int{2, 2}},
		{"no room: the last go", []listBlock{blk(5), blk(5), blk(5)}, 4, []int{2, 2, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitBlocks(tt.blocks, tt.room)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	b := listBlock{head: "H", items: []string{"a", "b", "c", "d"}}
	if got := b.render(newStyles(asciiRenderer()), 4); got != "H\na\nb\n"+"    … and 2 more\n" {
		t.Errorf("render cut: %q", got)
	}
}
