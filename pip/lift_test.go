package pip

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// liftIndex is the hold fixture's index (everything installed at 1.0;
// holder 1.0 holds dep below 2) with three newer holders, each freeing dep
// 2.0: 2.0 a month old, 2.5rc1, and 3.0 a day old.
func liftIndex(t *testing.T) *pypitest.Server {
	t.Helper()
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	old := pypitest.UploadedAt(ago(400 * day))
	for _, s := range holdIndex {
		if s.Name == "holder" && s.Version != "1.0" {
			continue // added below, with its age
		}
		if err := srv.AddWheel(s, old); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []struct {
		version string
		age     time.Duration
	}{{"2.0", 30 * day}, {"2.5rc1", 20 * day}, {"3.0", day}} {
		spec := pypitest.WheelSpec{Name: "holder", Version: h.version, Requires: []string{"dep<3"}}
		if err := srv.AddWheel(spec, pypitest.UploadedAt(ago(h.age))); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// A held package's Lift upgrades each holding dependent to the version the
// scan offers it (its Wanted: within its pin, its cooldown and --pre), not
// to its latest; a dependent the scan did not check (a narrowed scan) is
// checked the same way.
func TestScanLiftWithinDependentPolicy(t *testing.T) {
	py, _ := holdFixture(t)
	f := &scanFixture{srv: liftIndex(t), python: py}
	tests := []struct {
		name     string
		pins     map[string]string
		cooldown time.Duration
		pre      bool
		want     string // the dependent's version in dep's Lift; "" = no Lift
	}{
		{name: "no policy: the latest", want: "3.0"},
		{name: "pinned below its latest", pins: map[string]string{"holder": "<3"}, want: "2.0"},
		{name: "pinned to exclude every newer version", pins: map[string]string{"holder": "<2"}},
		{name: "its latest in the cooldown", cooldown: 7 * day, want: "2.0"},
		{name: "every newer version in the cooldown", cooldown: 60 * day},
		{name: "pinned, with --pre", pins: map[string]string{"holder": "<3"}, pre: true, want: "2.5rc1"},
	}
	for _, tt := range tests {
		for _, narrowed := range []bool{false, true} {
			name := tt.name
			var req ScanRequest
			if narrowed {
				name += ", holder not scanned"
				req.Packages = []string{"dep"}
			}
			t.Run(name, func(t *testing.T) {
				e := f.open(t, Options{Pins: mustPins(t, tt.pins), Cooldown: tt.cooldown, Pre: tt.pre, Now: func() time.Time { return cooldownNow }})
				checked, _, failed, done := drain(t, e.Scan(context.Background(), req))
				if len(failed) != 0 || done.Err != nil {
					t.Fatalf("failed=%v err=%v", failed, done.Err)
				}
				for _, w := range done.Warnings {
					if strings.Contains(w, "frees held-back") { // the fixture's broken-meta warns too
						t.Errorf("warning: %s", w)
					}
				}
				dep := checked["dep"]
				if !dep.HeldBack() {
					t.Fatalf("dep is not held back: %+v", dep)
				}
				l := dep.Lift
				if tt.want == "" {
					if l != nil {
						t.Errorf("lift %+v, want none", l)
					}
					return
				}
				if l == nil || l.To != "2.0" || !strings.HasSuffix(l.Candidate.URL, "/dep-2.0-py3-none-any.whl") ||
					!slices.Equal(l.With, []PlannedUpgrade{{Name: "holder", From: "1.0", To: tt.want}}) {
					t.Errorf("lift %+v, want holder 1.0 -> %s freeing dep 2.0", l, tt.want)
				}
				if h, ok := checked["holder"]; ok && h.Wanted != tt.want {
					t.Errorf("the scan offers holder %s, the lift upgrades it to %s", h.Wanted, tt.want)
				}
			})
		}
	}
}

// The plan for a package held back by a pinned dependent: the Lift the
// scan found is what --latest plans and what the table's pair ticks, and
// the held-back reason names it; the dependent stays within its pin.
func TestPlanPinnedDependentLift(t *testing.T) {
	py, _ := holdFixture(t)
	f := &scanFixture{srv: liftIndex(t), python: py}
	e := f.open(t, Options{Pins: mustPins(t, map[string]string{"holder": "<3"})})
	checked, _, failed, done := drain(t, e.Scan(context.Background(), ScanRequest{}))
	if len(failed) != 0 || done.Err != nil {
		t.Fatalf("failed=%v err=%v", failed, done.Err)
	}
	dep, holder := checked["dep"], checked["holder"]
	if dep.Lift == nil {
		t.Fatalf("dep: no lift (holder is pinned below its latest, 2.0 within the pin frees dep 2.0)")
	}
	choice := NewChoice([]PackageChecked{dep, holder})
	paired := choice.TickPair(0)
	if !paired.Paired(0) {
		t.Fatalf("the pair is not offered: holder is offered at %s, the lift needs %s", choice.Upgrade(1).Target, dep.Lift.With[0].To)
	}
	tests := []struct {
		name    string
		chosen  []Upgrade
		opts    PlanOptions
		want    []string // "name from->to"
		changes []string
	}{
		{
			name: "dep at its latest: held back, the reason names the lift", chosen: []Upgrade{dep.ToLatest()},
			want:    []string{"dep 1.0->1.5"},
			changes: []string{"dep: upgrading to 1.5, not 2.0: held back by holder 1.0 (dep<2) (--latest also upgrades holder 2.0, which allows 2.0)"},
		},
		{
			name: "dep at its latest, --latest: holder within its pin", chosen: []Upgrade{dep.ToLatest()}, opts: PlanOptions{Latest: true},
			want:    []string{"dep 1.0->2.0", "holder 1.0->2.0"},
			changes: []string{"holder: also upgrading to 2.0: allows dep 2.0 (holder 1.0 requires dep<2)"},
		},
		{
			name: "the pair as the table ticks it", chosen: paired.Chosen(),
			want:    []string{"dep 1.0->2.0", "holder 1.0->2.0"},
			changes: []string{"dep: upgrading to 2.0, together with holder 2.0, which allows it"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := e.PlanUpgrade(context.Background(), tt.chosen, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got, changes []string
			for _, p := range plan.Packages {
				got = append(got, p.Name+" "+p.From+"->"+p.Target)
			}
			for _, c := range plan.Changes {
				changes = append(changes, c.String())
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(changes, tt.changes) || len(plan.Conflicts) != 0 {
				t.Errorf("planned %q changes %q conflicts %v\nwant    %q changes %q", got, changes, plan.Conflicts, tt.want, tt.changes)
			}
		})
	}
}
