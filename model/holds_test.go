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
	got := map[string]offered{}
	for i := range m.choose.choice.Len() {
		it := offeredAt(m, i)
		got[it.up.Name] = it
	}
	// Held back below a newer allowed version: offered at that version, as
	// the patch step it is, pre-selected.
	if b := got["botocore"]; b.up.Target != "1.43.20" || b.up.Bump != pip.BumpPatch || !b.selected ||
		b.heldLatest != "1.44.5" || b.up.Candidate.Filename != "botocore-1.43.20-py3-none-any.whl" {
		t.Errorf("botocore: %+v", b)
	}
	// Nothing newer allowed: shown at latest, not pre-selected.
	if d := got["dep"]; d.up.Target != "1.1" || d.selected {
		t.Errorf("dep: %+v", d)
	}
	if i := got["idna"]; !i.selected || i.up.Target != "3.10" {
		t.Errorf("idna: %+v", i)
	}
	if sel := selectedNames(m); strings.Join(sel, ",") != "botocore,idna" {
		t.Errorf("selection %v", sel)
	}

	// The details of the highlighted package say what holds it back.
	details := map[string]string{}
	for range m.choose.choice.Len() {
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

// pairScan has botocore held back by boto3, with a pair (boto3's latest
// allows botocore's latest), boto3 itself, and dep, whose pair needs a
// package the scan did not find.
func pairScan() []pip.ScanEvent {
	held := pkg("botocore", "1.43.11", "1.44.5", pip.BumpMinor, "")
	held.Wanted = "1.43.20"
	held.WantedCandidate = pip.CandidateFile{Filename: "botocore-1.43.20-py3-none-any.whl", URL: "https://x/botocore-1.43.20-py3-none-any.whl"}
	held.Candidate = pip.CandidateFile{Filename: "botocore-1.44.5-py3-none-any.whl", URL: "https://x/botocore-1.44.5-py3-none-any.whl"}
	held.HeldBackBy = []pip.Hold{{Name: "boto3", Version: "1.43.11", Requirement: "botocore<1.44.0,>=1.43.11"}}
	held.Lift = &pip.Lift{To: "1.44.5", Candidate: held.Candidate,
		With: []pip.PlannedUpgrade{{Name: "boto3", From: "1.43.11", To: "1.44.5"}}}
	boto3 := pkg("boto3", "1.43.11", "1.44.5", pip.BumpMinor, "")
	boto3.Wanted = "1.44.5"
	stuck := pkg("dep", "1.0", "1.1", pip.BumpMinor, "")
	stuck.Wanted = "1.0"
	stuck.HeldBackBy = []pip.Hold{{Name: "holder", Version: "2.0", Requirement: "dep==1.0"}}
	stuck.Lift = &pip.Lift{To: "1.1", Candidate: pip.CandidateFile{URL: "https://x/dep-1.1.tar.gz"},
		With: []pip.PlannedUpgrade{{Name: "holder", From: "2.0", To: "3.0"}}}
	return []pip.ScanEvent{pip.ScanStarted{Total: 4}, held, boto3, stuck, pip.ScanDone{Checked: 4, Outdated: 3}}
}

// goTo highlights the named package.
func goTo(t *testing.T, m Model, name string) Model {
	t.Helper()
	m, _ = update(t, m, keyMsg("home"))
	for range m.choose.rows {
		if cur(m) == name {
			return m
		}
		m, _ = update(t, m, keyMsg("down"))
	}
	t.Fatalf("no row %q", name)
	return m
}

// offered is one row of the table as the model holds it.
type offered struct {
	up               pip.Upgrade
	selected, paired bool
	heldLatest       string
}

func offeredAt(m Model, i int) offered {
	c := m.choose.choice
	return offered{up: c.Upgrade(i), selected: c.Ticked(i), paired: c.Paired(i), heldLatest: c.Offer(i).HeldLatest}
}

func itemNamed(m Model, name string) offered {
	for i := range m.choose.choice.Len() {
		if it := offeredAt(m, i); it.up.Name == name {
			return it
		}
	}
	return offered{}
}

func details(m Model) string {
	d1, d2 := m.choose.detailsView()
	return d1 + "\n" + d2
}

func TestPairKey(t *testing.T) {
	f := &fakes{}
	m := newTest(f.engines(), venv, &clock{t: t0})
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30}, scanBatchMsg{closed: true, events: pairScan()})
	m = goTo(t, m, "boto3")
	m, _ = update(t, m, keys("space")...) // untick boto3: p must tick it
	if strings.Contains(m.View(), "select pair") {
		t.Errorf("boto3 has no pair, yet the help offers one:\n%s", m.View())
	}
	if c, _ := update(t, m, keys("p")...); strings.Join(selectedNames(c), ",") != "botocore" {
		t.Errorf("p on a package without a pair changed the selection: %v", selectedNames(c))
	}

	m = goTo(t, m, "botocore")
	want := "1.44.5 held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11) · p: upgrade with boto3 1.44.5 → botocore 1.44.5"
	if d := details(m); !strings.Contains(d, want) || !strings.Contains(m.View(), "p select pair") {
		t.Errorf("details %q lack %q, or help lacks the key:\n%s", d, want, m.View())
	}
	m, _ = update(t, m, keys("p")...)
	b := itemNamed(m, "botocore")
	if !b.selected || b.up.Target != "1.44.5" || b.up.Candidate.Filename != "botocore-1.44.5-py3-none-any.whl" ||
		b.up.Bump != pip.BumpMinor || cur(m) != "botocore" {
		t.Errorf("after p: %+v, cursor on %s", b, cur(m))
	}
	if got := names(m.choose.selection()); got != "boto3==1.44.5 botocore==1.44.5" {
		t.Errorf("selection %s", got)
	}
	if d := details(m); !strings.Contains(d, "botocore 1.43.11 → 1.44.5") ||
		!strings.Contains(d, "upgrading with boto3 1.44.5, which allows 1.44.5; held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11) otherwise") {
		t.Errorf("paired details: %q", d)
	}

	// Unticking boto3 breaks the pair: botocore goes back to the version
	// that is safe on its own, and the status line says why.
	m = goTo(t, m, "boto3")
	m, _ = update(t, m, keys("space")...)
	b = itemNamed(m, "botocore")
	if !b.selected || b.up.Target != "1.43.20" || b.paired ||
		!strings.Contains(m.View(), "botocore is back at 1.43.20: 1.44.5 needs boto3 1.44.5.") {
		t.Errorf("after unticking boto3: %+v\n%s", b, m.View())
	}
	// Paired again, then unticking botocore itself leaves boto3 ticked.
	m = goTo(t, m, "botocore")
	m, _ = update(t, m, keys("p", "space")...)
	if b = itemNamed(m, "botocore"); b.selected || b.up.Target != "1.43.20" || b.paired {
		t.Errorf("after unticking botocore: %+v", b)
	}
	if got := strings.Join(selectedNames(m), ","); got != "boto3" {
		t.Errorf("selection %s", got)
	}
	// Select none undoes every pair.
	m, _ = update(t, m, keys("p", "n")...)
	if b = itemNamed(m, "botocore"); b.selected || b.paired || b.up.Target != "1.43.20" {
		t.Errorf("after n: %+v", b)
	}

	// dep's pair needs holder, which is not in the table: no key, and the
	// details say what would free it.
	m = goTo(t, m, "dep")
	if strings.Contains(m.View(), "select pair") || !strings.Contains(details(m), "; 1.1 allowed with holder 3.0") {
		t.Errorf("dep:\n%s", m.View())
	}
	if c, _ := update(t, m, keys("p")...); itemNamed(c, "dep").selected {
		t.Error("p ticked a pair with a member missing")
	}
}
