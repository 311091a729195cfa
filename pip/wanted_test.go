package pip

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// holdIndex offers packages whose installed versions require each other
// with pins, markers and extras. Everything is installed at 1.0.
var holdIndex = []pypitest.WheelSpec{
	{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
	{Name: "holder", Version: "1.0", Requires: []string{"dep<2", "ghost<1"}},
	{Name: "holder", Version: "2.0", Requires: []string{"dep<3"}}, // lifts the hold on dep
	{Name: "mk-old", Version: "1.0"}, {Name: "mk-old", Version: "2.0"},
	{Name: "mk-win", Version: "1.0"}, {Name: "mk-win", Version: "2.0"},
	{Name: "marked", Version: "1.0", Requires: []string{`mk-old<2; python_version < "3.8"`, `mk-win<2; sys_platform == "win32"`}},
	{Name: "ex-fast", Version: "1.0"}, {Name: "ex-fast", Version: "1.1"}, {Name: "ex-fast", Version: "2.0"},
	{Name: "ex-slow", Version: "1.0"}, {Name: "ex-slow", Version: "2.0"},
	{Name: "ex-undeclared", Version: "1.0"}, {Name: "ex-undeclared", Version: "2.0"},
	// pypitest has no Provides-Extra field; the summary line carries it.
	{Name: "feat", Version: "1.0", Summary: "features\nProvides-Extra: fast\nProvides-Extra: slow",
		Requires: []string{`ex-fast<2; extra == "fast"`, `ex-slow<2; extra == "slow"`, `ex-undeclared<2; extra == "undeclared"`}},
	{Name: "feat-user", Version: "1.0", Requires: []string{"feat[fast,undeclared]"}},
	{Name: "broken-meta", Version: "1.0", Requires: []string{"dep (<<2)"}},
}

var holdInstalled = []string{"dep", "holder", "mk-old", "mk-win", "marked", "ex-fast", "ex-slow", "ex-undeclared", "feat", "feat-user", "broken-meta"}

var holdVenv struct {
	once   sync.Once
	python string
	err    error
}

func newHoldIndex(t *testing.T) *pypitest.Server {
	t.Helper()
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, s := range holdIndex {
		if err := srv.AddWheel(s); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// holdFixture returns a venv (one per test binary, read-only) with every
// holdInstalled package at 1.0, installed without dependencies, and a fresh
// index.
func holdFixture(t *testing.T) (string, *pypitest.Server) {
	t.Helper()
	pythons.Python(t)
	srv := newHoldIndex(t)
	holdVenv.once.Do(func() {
		args := []string{"--no-deps", "--index-url", srv.IndexURL()}
		for _, n := range holdInstalled {
			args = append(args, n+"==1.0")
		}
		holdVenv.python, holdVenv.err = pythons.InstalledVenv("pipup-hold-venv-", args...)
	})
	if holdVenv.err != nil {
		t.Fatalf("hold fixture venv: %v", holdVenv.err)
	}
	return holdVenv.python, srv
}

func TestScanWantedAndHolds(t *testing.T) {
	py, srv := holdFixture(t)
	f := &scanFixture{srv: srv, python: py}
	e := f.open(t, Options{})
	checked, _, failed, done := drain(t, e.Scan(context.Background(), ScanRequest{}))
	if len(failed) != 0 || done.Err != nil {
		t.Fatalf("failed=%v err=%v", failed, done.Err)
	}
	cases := []struct {
		name, wanted, latest, holds string
	}{
		{"dep", "1.5", "2.0", "holder 1.0 dep<2"},       // pinned below 2 by an installed dependent
		{"mk-old", "2.0", "2.0", ""},                    // python_version < "3.8" is false on the test interpreter
		{"mk-win", "2.0", "2.0", ""},                    // sys_platform == "win32" is false here
		{"ex-fast", "1.1", "2.0", "feat 1.0 ex-fast<2"}, // feat-user requests feat[fast]
		{"ex-slow", "2.0", "2.0", ""},                   // nobody requests feat[slow]
		{"holder", "2.0", "2.0", ""},                    // its ghost<1 names nothing installed
		{"feat", "1.0", "1.0", ""},
	}
	for _, c := range cases {
		got, ok := checked[c.name]
		if !ok {
			t.Errorf("%s not checked", c.name)
			continue
		}
		var holds []string
		for _, h := range got.HeldBackBy {
			holds = append(holds, h.Name+" "+h.Version+" "+h.Requirement)
		}
		if got.Wanted != c.wanted || got.Latest != c.latest || strings.Join(holds, "; ") != c.holds {
			t.Errorf("%s: wanted %s latest %s holds %q; want %s %s %q", c.name, got.Wanted, got.Latest, holds, c.wanted, c.latest, c.holds)
		}
		if got.HeldBack() && !strings.HasSuffix(got.WantedCandidate.URL, "/"+strings.ReplaceAll(c.name, "-", "_")+"-"+c.wanted+"-py3-none-any.whl") {
			t.Errorf("%s: wanted file %+v", c.name, got.WantedCandidate)
		}
		if !got.HeldBack() && got.Outdated() && got.WantedCandidate != got.Candidate {
			t.Errorf("%s: not held, but the wanted file %+v is not the latest %+v", c.name, got.WantedCandidate, got.Candidate)
		}
	}
	if l := checked["dep"].Lift; l == nil || l.To != "2.0" || len(l.With) != 1 || l.With[0] != (PlannedUpgrade{"holder", "1.0", "2.0"}) ||
		!strings.HasSuffix(l.Candidate.URL, "/dep-2.0-py3-none-any.whl") {
		t.Errorf("dep: lift %+v, want holder 1.0 -> 2.0 freeing dep 2.0", l)
	}
	if l := checked["ex-fast"].Lift; l != nil {
		t.Errorf("ex-fast: feat has no newer version, yet lift %+v", l)
	}
	if _, ok := checked["ghost"]; ok {
		t.Error("ghost is not installed and must not be reported")
	}
	if len(done.Warnings) != 1 || !strings.Contains(done.Warnings[0], `broken-meta: ignoring requirement "dep (<<2)"`) {
		t.Errorf("warnings %q, want one for broken-meta's invalid line", done.Warnings)
	}
}

// A hold is computed from every installed package, even when the scan is
// narrowed to the held package.
func TestScanWantedWithSelection(t *testing.T) {
	py, srv := holdFixture(t)
	f := &scanFixture{srv: srv, python: py}
	checked, _, _, _ := drain(t, f.open(t, Options{NoCache: true}).Scan(context.Background(), ScanRequest{Packages: []string{"dep"}}))
	if c := checked["dep"]; c.Wanted != "1.5" || len(c.HeldBackBy) != 1 {
		t.Errorf("dep: %+v", c)
	}
	// holder was not checked, so the lift looked it up itself.
	if l := checked["dep"].Lift; l == nil || l.To != "2.0" {
		t.Errorf("dep: lift %+v", l)
	}
}
