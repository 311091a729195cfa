package model

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// cur names the highlighted row.
func cur(m Model) string {
	r, ok := m.choose.current()
	if !ok {
		return ""
	}
	switch r.kind {
	case rowPackage:
		return m.choose.choice.Offer(r.idx).Package.Name
	case rowSkipped:
		return m.choose.skipped[r.idx].Name
	case rowFailed:
		return m.choose.failed[r.idx].Name
	}
	return "heading"
}

func selectedNames(m Model) []string {
	var out []string
	for _, p := range m.choose.selection() {
		out = append(out, p.Name)
	}
	return out
}

const longName = "a-package-with-an-extraordinarily-long-name-for-truncation"

func TestPreselection(t *testing.T) {
	m := scanned(t, &fakes{}, 80, 24)
	for i := range m.choose.choice.Len() {
		it := offeredAt(m, i)
		want := it.up.Bump == pip.BumpPatch || it.up.Bump == pip.BumpMinor
		if it.selected != want {
			t.Errorf("%s (%s): selected=%v", it.up.Name, it.up.Bump, it.selected)
		}
	}
	if v := m.View(); !strings.Contains(v, "major and pre-releases are not") || !strings.Contains(v, "8 of 14 selected") {
		t.Errorf("the screen must say what is pre-selected:\n%s", v)
	}
}

func TestChoosingNavigation(t *testing.T) {
	tests := []struct {
		keys []string
		want string
	}{
		{nil, longName},
		{[]string{"down"}, "urllib3"},
		{[]string{"j", "j"}, "certifi"}, // skips the Minor heading
		{[]string{"down", "down", "up"}, "urllib3"},
		{[]string{"k"}, longName}, // clamped at the top
		{[]string{"end"}, "flaky"},
		{[]string{"G"}, "flaky"},
		{[]string{"end", "home"}, longName},
		{[]string{"end", "g"}, longName},
		{[]string{"end", "down"}, "flaky"}, // clamped at the bottom
		{[]string{"end", "up"}, "internal-tool"},
		{[]string{"pgdown"}, "pydantic"},
		{[]string{"pgdown", "pgdown", "pgdown"}, "flaky"},
		{[]string{"pgdown", "pgup"}, longName},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			m := scanned(t, &fakes{}, 80, 24)
			m, _ = update(t, m, keys(tt.keys...)...)
			if got := cur(m); got != tt.want {
				t.Errorf("cursor on %q, want %q", got, tt.want)
			}
			// The cursor row is always on screen.
			if !strings.Contains(m.View(), "› ") {
				t.Errorf("cursor not visible:\n%s", m.View())
			}
		})
	}
}

func TestChoosingSelection(t *testing.T) {
	all := []string{longName, "attrs", "certifi", "charset-normalizer", "Django", "idna", "numpy", "packaging", "pydantic", "requests", "setuptools", "six", "typing_extensions", "urllib3"}
	pre := []string{longName, "certifi", "charset-normalizer", "idna", "requests", "six", "typing_extensions", "urllib3"}
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"pre-selected", nil, pre},
		{"space unticks", []string{"space"}, pre[1:]},
		{"x unticks", []string{"x"}, pre[1:]},
		{"space twice", []string{"space", "space"}, pre},
		{"tick a major", []string{"end", "up", "up", "up", "up", "up", "up", "up", "space"}, append(append([]string{longName, "certifi", "charset-normalizer"}, "Django"), pre[3:]...)},
		{"all", []string{"a"}, all},
		{"none", []string{"n"}, nil},
		{"space on a skipped row", []string{"end", "space"}, pre},
		{"all shown keeps hidden ticks", []string{"n", "/", "n", "u", "m", "enter", "a", "esc"}, []string{"numpy"}},
		{"filter does not drop ticks", []string{"/", "d", "j", "enter", "space"}, append([]string{longName, "certifi", "charset-normalizer", "Django"}, pre[3:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := scanned(t, &fakes{}, 80, 24)
			m, _ = update(t, m, keys(tt.keys...)...)
			if got := selectedNames(m); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("selected %v\nwant     %v", got, tt.want)
			}
		})
	}
}

func TestChoosingFilter(t *testing.T) {
	m := scanned(t, &fakes{}, 80, 24)
	m, _ = update(t, m, keys("/", "r", "e", "q")...)
	if !m.choose.keys.filtering || m.choose.filter.Value() != "req" {
		t.Fatalf("filtering=%v value=%q", m.choose.keys.filtering, m.choose.filter.Value())
	}
	if cur(m) != "requests" || countRows(m, rowPackage) != 1 {
		t.Fatalf("cursor %q, %d rows", cur(m), countRows(m, rowPackage))
	}
	if m.quitting {
		t.Fatal("q typed into the filter must not quit")
	}
	m, _ = update(t, m, keyMsg("enter"))
	if m.choose.keys.filtering || m.choose.filter.Value() != "req" {
		t.Fatal("enter should keep the filter and leave the box")
	}
	if v := m.View(); !strings.Contains(v, `filter "req": 1 shown`) {
		t.Errorf("status should show the filter:\n%s", v)
	}
	m, _ = update(t, m, keyMsg("esc"))
	if m.choose.filter.Value() != "" || countRows(m, rowPackage) != 14 || m.quitting {
		t.Fatalf("esc should clear the filter first (value %q, quitting %v)", m.choose.filter.Value(), m.quitting)
	}
	m, _ = update(t, m, keys("/", "z", "z", "z")...)
	if !strings.Contains(m.View(), "No package matches the filter.") {
		t.Errorf("empty filter result:\n%s", m.View())
	}
	m, _ = update(t, m, keyMsg("esc"))
	if m.choose.keys.filtering || m.choose.filter.Value() != "" || countRows(m, rowPackage) != 14 {
		t.Error("esc in the box should clear and close it")
	}
	// The filter matches names in any spelling.
	m, _ = update(t, m, keys("/", "t", "y", "p", "i", "n", "g", "-", "e")...)
	if cur(m) != "typing_extensions" {
		t.Errorf("typing-e should find typing_extensions, cursor on %q", cur(m))
	}
	m, _ = update(t, m, keys("down", "up")...)
	if !m.choose.keys.filtering {
		t.Error("arrows move without leaving the filter")
	}
}

func countRows(m Model, k rowKind) int {
	n := 0
	for _, r := range m.choose.rows {
		if r.kind == k {
			n++
		}
	}
	return n
}

func TestChoosingSort(t *testing.T) {
	m := scanned(t, &fakes{}, 120, 40)
	m, _ = update(t, m, keys("down")...) // urllib3
	if countRows(m, rowGroup) != 4 {
		t.Fatalf("grouped by bump kind: %d headings", countRows(m, rowGroup))
	}
	m, _ = update(t, m, keyMsg("s"))
	if countRows(m, rowGroup) != 0 || m.choose.sort != sortName {
		t.Fatalf("by name: %d headings", countRows(m, rowGroup))
	}
	if cur(m) != "urllib3" {
		t.Errorf("sorting must keep the cursor on its package, got %q", cur(m))
	}
	var names []string
	for _, r := range m.choose.rows {
		if r.kind == rowPackage {
			names = append(names, canonical(m.choose.choice.Offer(r.idx).Package.Name))
		}
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] > names[i] {
			t.Fatalf("not sorted by name: %v", names)
		}
	}
	if !strings.Contains(m.View(), "sorted by name") {
		t.Error("status should say the sort")
	}
	m, _ = update(t, m, keyMsg("s"))
	if m.choose.sort != sortBump || countRows(m, rowGroup) != 4 {
		t.Error("s cycles back to bump kind")
	}
}

func TestChoosingContinueAndQuit(t *testing.T) {
	m := scanned(t, &fakes{}, 80, 24)
	_, cmd := update(t, m, keyMsg("enter"))
	if _, ok := find[confirmRequestedMsg](collect(cmd, time.Second)); !ok {
		t.Error("enter with a selection should ask to confirm")
	}

	none, cmd := update(t, m, keys("n", "enter")...)
	if cmd != nil || !strings.Contains(none.View(), "Nothing is selected") {
		t.Errorf("enter with nothing selected should explain:\n%s", none.View())
	}
	none, _ = update(t, none, keyMsg("down"))
	if strings.Contains(none.View(), "Nothing is selected") {
		t.Error("the hint should clear on the next key")
	}

	for _, k := range []string{"q", "esc"} {
		_, cmd = update(t, m, keyMsg(k))
		msgs := collect(cmd, time.Second)
		if _, ok := find[quitRequestedMsg](msgs); !ok {
			t.Fatalf("%s should ask to quit: %#v", k, msgs)
		}
	}
	q, cmd := update(t, m, quitRequestedMsg{})
	if !q.quitting || q.ExitCode() != 0 || !strings.Contains(q.Farewell(), "14 packages are outdated") {
		t.Errorf("quit: code %d farewell %q", q.ExitCode(), q.Farewell())
	}
	if _, ok := find[tea.QuitMsg](collect(cmd, time.Second)); !ok {
		t.Error("no quit command")
	}
}

func TestChoosingHelpToggle(t *testing.T) {
	m := scanned(t, &fakes{}, 80, 24)
	short := m.View()
	if strings.Contains(short, "page down") || !strings.Contains(short, "? help") {
		t.Fatalf("short help:\n%s", short)
	}
	rows := m.choose.tableHeight()
	m, _ = update(t, m, keyMsg("?"))
	if v := m.View(); !strings.Contains(v, "page down") || !strings.Contains(v, "select all shown") {
		t.Errorf("full help:\n%s", v)
	}
	if m.choose.tableHeight() >= rows {
		t.Error("the full help should take room from the table")
	}
	m, _ = update(t, m, keyMsg("?"))
	if strings.Contains(m.View(), "page down") {
		t.Error("? toggles back")
	}
}

func TestDetailsAreFetchedLazily(t *testing.T) {
	f := &fakes{details: map[string]Details{"urllib3": {Links: []Link{
		{"home", "https://github.com/urllib3/urllib3"}, {"changelog", "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst"}}}}}
	m := scanned(t, f, 120, 40)
	m, cmd := update(t, m, keyMsg("down"))
	due, ok := find[detailsDueMsg](collect(cmd, time.Second))
	if !ok || due.pkg.Name != "urllib3" {
		t.Fatalf("moving should schedule a lookup: %#v", due)
	}
	if len(f.detailCalls) != 0 {
		t.Fatal("nothing may be fetched before the cursor rests")
	}
	// A newer move makes the old timer stale.
	stale := due
	stale.seq--
	if _, cmd := update(t, m, stale); cmd != nil {
		t.Error("a stale timer must not fetch")
	}
	m, cmd = update(t, m, due)
	if !strings.Contains(m.View(), "links: looking up…") {
		t.Errorf("the details line should say it is looking:\n%s", m.View())
	}
	got, ok := find[detailsMsg](collect(cmd, time.Second))
	if !ok || got.err != nil {
		t.Fatalf("fetch: %#v", got)
	}
	m, _ = update(t, m, got)
	if v := m.View(); !strings.Contains(v, "changelog https://github.com/urllib3/urllib3/blob/main/CHANGES.rst") {
		t.Errorf("links not shown:\n%s", v)
	}
	// Cached: coming back does not fetch again.
	m, _ = update(t, m, keyMsg("up"))
	m, cmd = update(t, m, keyMsg("down"))
	if cmd != nil {
		t.Error("a package's details are fetched once")
	}
	// Errors are shown, not fatal.
	m, _ = update(t, m, detailsMsg{name: "certifi", err: errStr("timeout")})
	m, _ = update(t, m, keyMsg("down"))
	if !strings.Contains(m.View(), "links unavailable: timeout") || m.quitting {
		t.Errorf("lookup error:\n%s", m.View())
	}
}

type errStr string

func (e errStr) Error() string { return string(e) }

func TestNoDetailsEngine(t *testing.T) {
	f := &fakes{}
	m := scanned(t, f, 80, 24)
	m.eng.Details = nil
	m, _ = update(t, m, stopScanMsg{}) // no-op outside scanning
	m2, _ := m.toChoosing(false)
	mm := m2.(Model)
	if _, cmd := update(t, mm, keyMsg("down")); cmd != nil {
		t.Error("without a details engine nothing is scheduled")
	}
}

func TestSkippedAndFailedAreVisible(t *testing.T) {
	m := scanned(t, &fakes{}, 120, 40)
	v := m.View()
	for _, want := range []string{"Not checked", "myproject", "skipped: editable install", "internal-tool", "skipped: not on any index", "flaky", "failed: index returned 503"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	m, _ = update(t, m, keyMsg("end"))
	if v := m.View(); !strings.Contains(v, "flaky 1.2 could not be checked:") {
		t.Errorf("details of a failed row:\n%s", v)
	}
}

func TestEveryScreenFitsTheWindow(t *testing.T) {
	sizes := [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		screens := map[string]Model{}
		f := &fakes{}
		m := newTest(f.engines(), venv, &clock{t: t0})
		m, _ = update(t, m, tea.WindowSizeMsg{Width: w, Height: h}, scanBatchMsg{events: scanEvents()[:20]})
		screens["scanning"] = m
		m = scanned(t, f, w, h)
		screens["choosing"] = m
		hm, _ := update(t, m, keyMsg("?"))
		screens["choosing help"] = hm
		c, _ := update(t, m, keys("a")...)
		c, _ = update(t, c, confirmRequestedMsg{})
		screens["confirming"] = c
		u, _ := update(t, c, upgradeApprovedMsg{})
		u, _ = update(t, u, upgradeBatchMsg{events: upgradeMidway()})
		screens["upgrading"] = u
		s, _ := update(t, u, upgradeBatchMsg{events: upgradeEnd(false)})
		screens["summary"] = s
		for name, sm := range screens {
			v := sm.View()
			lines := strings.Split(v, "\n")
			if len(lines) > h {
				t.Errorf("%dx%d %s: %d lines", w, h, name, len(lines))
			}
			for _, l := range lines {
				if width(l) > w {
					t.Errorf("%dx%d %s: line of %d cells: %q", w, h, name, width(l), l)
				}
			}
		}
	}
}
