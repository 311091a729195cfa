package model

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// heldScan has a package held back below a newer allowed version, one held
// at its installed version, and a free one.
func heldScan() []pip.ScanEvent {
	held := pkg("botocore", "1.43.11", "1.44.5", pip.BumpMinor, "")
	held.Wanted = "1.43.20"
	held.WantedCandidate = pip.CandidateFile{Filename: "botocore-1.43.20-py3-none-any.whl", URL: "https://x/botocore-1.43.20-py3-none-any.whl"}
	held.Candidate = pip.CandidateFile{Filename: "botocore-1.44.5-py3-none-any.whl", URL: "https://x/botocore-1.44.5-py3-none-any.whl"}
	held.HeldBackBy = []pip.Hold{{Name: "boto3", Version: "1.43.11", Requirement: "botocore<1.44.0,>=1.43.11"}}
	held.Lift = &pip.Lift{To: "1.44.5", With: []pip.PlannedUpgrade{{Name: "boto3", From: "1.43.11", To: "1.44.5\x1b[0m"}}}
	stuck := pkg("dep", "1.0", "1.1", pip.BumpMinor, "")
	stuck.Wanted = "1.0"
	stuck.HeldBackBy = []pip.Hold{{Name: "holder\x1b[31m", Version: "2.0", Requirement: "dep==1.0"}}
	free := pkg("idna", "3.6", "3.10", pip.BumpMinor, "")
	free.Wanted = "3.10"
	return []pip.ScanEvent{pip.ScanStarted{Total: 3}, held, stuck, free, pip.ScanDone{Checked: 3, Outdated: 3}}
}

func TestHeldBackPackages(t *testing.T) {
	m := newTest((&fakes{}).engines(), venv, &clock{t: t0})
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30}, scanBatchMsg{closed: true, events: heldScan()})
	if m.phase != phaseChoosing {
		t.Fatalf("phase %v", m.phase)
	}
	got := map[string]item{}
	for _, it := range m.choose.items {
		got[it.pkg.Name] = it
	}
	// Held back below a newer allowed version: offered at that version, as
	// the patch step it is, pre-selected.
	if b := got["botocore"]; b.pkg.Latest != "1.43.20" || b.pkg.Bump != pip.BumpPatch || !b.selected ||
		b.heldLatest != "1.44.5" || b.pkg.Candidate.Filename != "botocore-1.43.20-py3-none-any.whl" {
		t.Errorf("botocore: %+v", b)
	}
	// Nothing newer allowed: shown at latest, not pre-selected.
	if d := got["dep"]; d.pkg.Latest != "1.1" || d.selected {
		t.Errorf("dep: %+v", d)
	}
	if i := got["idna"]; !i.selected || i.pkg.Latest != "3.10" {
		t.Errorf("idna: %+v", i)
	}
	if sel := selectedNames(m); strings.Join(sel, ",") != "botocore,idna" {
		t.Errorf("selection %v", sel)
	}

	// The details of the highlighted package say what holds it back.
	details := map[string]string{}
	for range m.choose.items {
		d1, d2 := m.choose.detailsView()
		details[cur(m)] = d1 + "\n" + d2
		m, _ = update(t, m, keys("down")...)
	}
	for name, want := range map[string]string{
		"botocore": "1.44.5 held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11); 1.44.5 allowed with boto3 1.44.5[0m",
		"dep":      "held back by holder[31m 2.0 (dep==1.0): upgrading would break it",
	} {
		if !strings.Contains(details[name], want) {
			t.Errorf("%s details %q lack %q", name, details[name], want)
		}
	}
	if strings.Contains(details["idna"], "held back") {
		t.Errorf("idna is not held back: %q", details["idna"])
	}
	if strings.Contains(m.View(), "\x1b[31m") {
		t.Error("a dependent's name reached the view uncleaned")
	}
}
