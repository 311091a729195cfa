package pip

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pypitest"
)

// planDist is an installed distribution for the planner tests: the
// planner reads only names, versions and requirements, so these need no
// venv of their own.
func planDist(name, version string, requires ...string) Dist {
	return Dist{Name: name, Canonical: pypi.Normalize(name), Version: version, RequiresDist: requires, HasRecord: true}
}

type planCase struct {
	name      string
	installed []Dist
	index     []pypitest.WheelSpec
	chosen    []string // names whose latest is chosen
	opts      PlanOptions
	want      []string // planned "name from->to", sorted
	changes   []string // PlanChange.String(), sorted by name
	conflicts []string
	rounds    int // > 0: stop fixing after this many rounds (-1: none)
	pins      map[string]string
}

func TestPlanUpgrade(t *testing.T) {
	w := func(name, version string, requires ...string) pypitest.WheelSpec {
		return pypitest.WheelSpec{Name: name, Version: version, Requires: requires}
	}
	holdIndex := []pypitest.WheelSpec{
		w("dep", "1.0"), w("dep", "1.5"), w("dep", "2.0"),
		w("holder", "1.0", "dep<2"), w("holder", "2.0", "dep>=2"),
	}
	holdInstalled := []Dist{planDist("dep", "1.0"), planDist("holder", "1.0", "dep<2")}
	cases := []planCase{{
		name:      "held back: goes to the highest version the dependent allows",
		installed: holdInstalled, index: holdIndex, chosen: []string{"dep"},
		want:    []string{"dep 1.0->1.5"},
		changes: []string{"dep: upgrading to 1.5, not 2.0: held back by holder 1.0 (dep<2)"},
	}, {
		name:      "held back, --latest: brings the dependent's version that allows it",
		installed: holdInstalled, index: holdIndex, chosen: []string{"dep"}, opts: PlanOptions{Latest: true},
		want:    []string{"dep 1.0->2.0", "holder 1.0->2.0"},
		changes: []string{"holder: also upgrading to 2.0: allows dep 2.0 (holder 1.0 requires dep<2)"},
	}, {
		name:      "an extra the dependent does not request does not count",
		installed: []Dist{planDist("app", "1.0"), planDist("lib", "1.0")},
		index: []pypitest.WheelSpec{
			{Name: "app", Version: "2.0", Requires: []string{`lib>=2; extra == "fast"`}, ProvidesExtra: []string{"fast"}},
			w("lib", "2.0"),
		},
		chosen: []string{"app"},
		want:   []string{"app 1.0->2.0"},
	}, {
		name:      "held back, dependent chosen too: the pair goes together",
		installed: holdInstalled, index: holdIndex, chosen: []string{"dep", "holder"},
		want:    []string{"dep 1.0->2.0", "holder 1.0->2.0"},
		changes: []string{"dep: upgrading to 2.0, together with holder 2.0, which allows it"},
	}, {
		name:      "held back and chosen at its wanted version, with the holder: goes up to what the holder's new version needs",
		installed: holdInstalled, index: holdIndex, chosen: []string{"dep@1.5", "holder"},
		want:    []string{"dep 1.0->2.0", "holder 1.0->2.0"},
		changes: []string{"dep: upgrading to 2.0, required by holder 2.0 (dep>=2)"},
	}, {
		name:      "held back, --force-latest: the conflict is listed in pip check's words",
		installed: holdInstalled, index: holdIndex, chosen: []string{"dep"}, opts: PlanOptions{ForceLatest: true},
		want:      []string{"dep 1.0->2.0"},
		conflicts: []string{"holder 1.0 has requirement dep<2, but you have dep 2.0."},
	}, {
		name:      "held back, --latest, but the dependent's latest still excludes it",
		installed: []Dist{planDist("dep", "1.0"), planDist("holder", "1.0", "dep<2")},
		index:     []pypitest.WheelSpec{w("dep", "1.5"), w("dep", "2.0"), w("holder", "1.1", "dep<1.9")},
		chosen:    []string{"dep"}, opts: PlanOptions{Latest: true},
		want:    []string{"dep 1.0->1.5"},
		changes: []string{"dep: upgrading to 1.5, not 2.0: held back by holder 1.0 (dep<2)"},
	}, {
		name:      "held back with no newer version allowed: stays",
		installed: []Dist{planDist("dep", "1.0"), planDist("holder", "1.0", "dep<1.1")},
		index:     []pypitest.WheelSpec{w("dep", "1.5"), w("dep", "2.0")},
		chosen:    []string{"dep"},
		changes:   []string{"dep stays at 1.0: held back by holder 1.0 (dep<1.1)"},
	}, {
		name:      "a new version raises a requirement: the dependency's upgrade is added",
		installed: []Dist{planDist("app", "1.0", "lib>=1"), planDist("lib", "1.0")},
		index:     []pypitest.WheelSpec{w("app", "2.0", "lib>=2"), w("lib", "2.0"), w("lib", "3.0")},
		chosen:    []string{"app"},
		want:      []string{"app 1.0->2.0", "lib 1.0->3.0"},
		changes:   []string{"lib: also upgrading to 3.0: required by app 2.0 (lib>=2)"},
	}, {
		name:      "a new version needs a package that is not installed: it is added as an install",
		installed: []Dist{planDist("app", "1.0")},
		index:     []pypitest.WheelSpec{w("app", "2.0", "New_Pkg>=1"), w("new-pkg", "1.2")},
		chosen:    []string{"app"},
		want:      []string{"app 1.0->2.0", "New_Pkg ->1.2"},
		changes:   []string{"New_Pkg: installing 1.2: required by app 2.0 (New_Pkg>=1)"},
	}, {
		name: "a package a stay-put dependent requires, once installed, must meet that requirement",
		installed: []Dist{
			planDist("app", "1.0"), planDist("other", "1.0", "newpkg<1"),
		},
		index:   []pypitest.WheelSpec{w("app", "2.0", "newpkg"), w("newpkg", "0.5"), w("newpkg", "1.5")},
		chosen:  []string{"app"},
		want:    []string{"app 1.0->2.0", "newpkg ->0.5"},
		changes: []string{"newpkg: installing 0.5: required by app 2.0 (newpkg)"},
	}, {
		name:      "a new version that would need a downgrade is not installed",
		installed: []Dist{planDist("app", "1.0"), planDist("lib", "1.0")},
		index:     []pypitest.WheelSpec{w("app", "2.0", "lib<1"), w("lib", "0.9"), w("lib", "1.0")},
		chosen:    []string{"app"},
		changes:   []string{"app stays at 1.0: app 2.0 requires lib<1, but no version of lib above 1.0 on the index fits"},
	}, {
		name:      "a chosen package is not held back by a new version that could never be installed",
		installed: []Dist{planDist("lib", "1.0"), planDist("old", "1.0")},
		index:     []pypitest.WheelSpec{w("lib", "2.0"), w("old", "2.0", "lib<1"), w("lib", "0.9")},
		chosen:    []string{"lib", "old"},
		want:      []string{"lib 1.0->2.0"},
		changes:   []string{"old stays at 1.0: old 2.0 requires lib<1, but no version of lib above 1.0 on the index fits"},
	}, {
		name:      "two new versions that need different versions of one package: the first in name order wins",
		installed: []Dist{planDist("lib", "1.0"), planDist("x", "1.0"), planDist("y", "1.0")},
		index:     []pypitest.WheelSpec{w("lib", "1.5"), w("lib", "2.0"), w("x", "2.0", "lib>=2"), w("y", "2.0", "lib<2")},
		chosen:    []string{"x", "y"},
		want:      []string{"lib 1.0->2.0", "x 1.0->2.0"},
		changes: []string{
			"lib: also upgrading to 2.0: required by x 2.0 (lib>=2)",
			"y stays at 1.0: y 2.0 requires lib<2, but it conflicts with what the rest of the plan needs of lib",
		},
	}, {
		name:      "a new version whose requirements cannot be met: the next lower version that fits, as pip backtracks",
		installed: []Dist{planDist("app", "1.0"), planDist("lib", "1.0")},
		index: []pypitest.WheelSpec{
			w("app", "1.2", "lib>=1"), w("app", "1.5", "lib>=1", "missing-dep>=9"), w("app", "2.0", "lib>=3"),
			w("lib", "1.0"), w("lib", "2.0"), w("missing-dep", "1.0"),
		},
		chosen:  []string{"app"},
		want:    []string{"app 1.0->1.2"},
		changes: []string{"app: upgrading to 1.2, not 2.0: app 2.0 requires lib>=3, but no version of lib above 1.0 on the index fits"},
	}, {
		name:      "a new version that needs another chosen package not upgraded: that upgrade wins, and says so",
		installed: []Dist{planDist("x", "1.0"), planDist("y", "1.0")},
		index:     []pypitest.WheelSpec{w("x", "2.0", "y<1.1"), w("y", "2.0")},
		chosen:    []string{"x", "y"},
		want:      []string{"y 1.0->2.0"},
		changes:   []string{"x stays at 1.0: x 2.0 requires y<1.1, but that would keep y at 1.0"},
	}, {
		name:      "two choices that clash: the required one is lowered",
		installed: []Dist{planDist("x", "1.0"), planDist("y", "1.0")},
		index:     []pypitest.WheelSpec{w("x", "2.0", "y<2"), w("y", "1.5"), w("y", "2.0")},
		chosen:    []string{"x", "y"},
		want:      []string{"x 1.0->2.0", "y 1.0->1.5"},
		changes:   []string{"y: upgrading to 1.5, not 2.0: held back by x 2.0 (y<2)"},
	}, {
		name:      "a plan that does not settle in time keeps only what breaks nothing",
		installed: []Dist{planDist("x", "1.0"), planDist("y", "1.0")},
		index:     []pypitest.WheelSpec{w("x", "2.0", "y<2"), w("y", "1.5"), w("y", "2.0")},
		chosen:    []string{"x", "y"}, rounds: -1,
		want:    []string{"y 1.0->2.0"},
		changes: []string{"x stays at 1.0: its requirements could not be met"},
	}, {
		name:      "requirements behind markers that do not hold here are ignored",
		installed: []Dist{planDist("app", "1.0"), planDist("lib", "1.0")},
		index: []pypitest.WheelSpec{
			w("app", "2.0", `lib>=2; sys_platform == "win32"`, `lib<0.5; python_version < "3"`, `other; extra == "x"`),
			w("lib", "2.0"),
		},
		chosen: []string{"app"},
		want:   []string{"app 1.0->2.0"},
	}, {
		name: "an extra an installed dependent requests counts",
		installed: []Dist{
			planDist("app", "1.0"), planDist("lib", "1.0"),
			{Name: "user", Canonical: "user", Version: "1.0", RequiresDist: []string{"app[fast]"}, HasRecord: true},
		},
		index: []pypitest.WheelSpec{
			{Name: "app", Version: "2.0", Requires: []string{`lib>=2; extra == "fast"`}, ProvidesExtra: []string{"fast"}},
			w("lib", "2.0"),
		},
		chosen:  []string{"app"},
		want:    []string{"app 1.0->2.0", "lib 1.0->2.0"},
		changes: []string{"lib: also upgrading to 2.0: required by app 2.0 (lib>=2)"},
	}, {
		name:      "pinned: the highest version the pin admits",
		installed: []Dist{planDist("dep", "1.0")}, index: holdIndex, chosen: []string{"dep"},
		pins:    map[string]string{"dep": "<2"},
		want:    []string{"dep 1.0->1.5"},
		changes: []string{"dep: upgrading to 1.5, not 2.0: pinned by config (<2)"},
	}, {
		name:      "pinned, --force-latest: the pin still holds",
		installed: []Dist{planDist("dep", "1.0")}, index: holdIndex, chosen: []string{"dep"}, opts: PlanOptions{ForceLatest: true},
		pins:    map[string]string{"dep": "~=1.0"},
		want:    []string{"dep 1.0->1.5"},
		changes: []string{"dep: upgrading to 1.5, not 2.0: pinned by config (~=1.0)"},
	}, {
		name:      "pinned at or below the installed version: stays",
		installed: []Dist{planDist("dep", "1.0")}, index: holdIndex, chosen: []string{"dep"},
		pins:    map[string]string{"dep": "<1.5"},
		changes: []string{"dep stays at 1.0: pinned by config (<1.5)"},
	}, {
		name:      "a pin bounds what a planned version requires: the requiring version is not planned",
		installed: []Dist{planDist("dep", "1.0"), planDist("holder", "1.0", "dep<2")}, index: holdIndex, chosen: []string{"holder"},
		pins:    map[string]string{"dep": "<2"},
		changes: []string{"holder stays at 1.0: holder 2.0 requires dep>=2, but no version of dep above 1.0 within its pin (<2) fits"},
	}}
	f := newScanFixture(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := pypitest.NewServer()
			t.Cleanup(srv.Close)
			for _, s := range tc.index {
				if err := srv.AddWheel(s); err != nil {
					t.Fatal(err)
				}
			}
			pins := map[string]pep440.SpecifierSet{}
			for n, text := range tc.pins {
				spec, err := pep440.ParseSpecifierSet(text)
				if err != nil {
					t.Fatal(err)
				}
				pins[n] = spec
			}
			e := f.open(t, Options{IndexURL: srv.IndexURL(), Pins: pins})
			if strings.Contains(tc.name, "extra an installed dependent requests") {
				// Provides-Extra is what makes pip honour the request.
				tc.installed[0].ProvidesExtra = []string{"fast"}
			}
			chosen := choose(t, e, tc.installed, tc.chosen)
			p := e.planner(context.Background(), tc.opts, tc.installed)
			if tc.rounds != 0 {
				p.rounds = max(tc.rounds, 0)
			}
			plan, err := p.run(chosen)
			if err != nil {
				t.Fatal(err)
			}
			var got, changes, conflicts []string
			why := map[string]string{}
			for _, p := range plan.Packages {
				got = append(got, p.Name+" "+p.From+"->"+p.Target)
				why[p.Name] = p.Why
			}
			for _, c := range plan.Changes {
				changes = append(changes, c.String())
				// A planned package's Why is its change's reason.
				if w, ok := why[c.Name]; ok && w != c.Reason {
					t.Errorf("%s: Why %q, change %q", c.Name, w, c.Reason)
				}
				delete(why, c.Name)
			}
			for name, w := range why {
				if w != "" {
					t.Errorf("%s: Why %q without a change", name, w)
				}
			}
			for _, c := range plan.Conflicts {
				conflicts = append(conflicts, c.String())
			}
			check := func(what string, got, want []string) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Errorf("%s:\n got %q\nwant %q", what, got, want)
				}
			}
			check("planned", got, tc.want)
			check("changes", changes, tc.changes)
			check("conflicts", conflicts, tc.conflicts)
			if len(plan.Warnings) > 0 {
				t.Errorf("warnings: %q", plan.Warnings)
			}
		})
	}
}

// choose builds the scan's answer for each named installed package: its
// latest version on the index, or the version after "@".
func choose(t *testing.T, e *Env, installed []Dist, names []string) []Upgrade {
	t.Helper()
	var out []Upgrade
	for _, n := range names {
		n, at, _ := strings.Cut(n, "@") // name@version: chosen at that version, not the latest
		i := slices.IndexFunc(installed, func(d Dist) bool { return d.Name == n })
		res, err := e.finder.FindAll(context.Background(), pypi.Normalize(n), false)
		if err != nil || res.Best == nil {
			t.Fatalf("find %s: %v", n, err)
		}
		c := res.Best
		for j := range res.Versions {
			if res.Versions[j].Version.String() == at {
				c = &res.Versions[j]
			}
		}
		out = append(out, Upgrade{
			Name: n, From: installed[i].Version, Target: c.Version.String(),
			Candidate: candidateFile(c), FileType: c.FileType(),
		})
	}
	return out
}
