package pip

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
	"github.com/pipup/pipup/pypi/pypitest"
)

// TestPlanRandomUniverses checks the planner's promise on many random
// dependency universes, with a checker written apart from it: every
// requirement of every distribution after the plan (installed ones that
// stay, planned versions) is met, unless it was broken before and the plan
// touches neither side; chosen packages are planned or explained; nothing
// goes down. (The end-to-end TestUpgradePlanKeepsRandomEnvironmentsConsistent
// has pip check judge a few of these; this one covers more, fast. Run
// once with 1,000 seeds × both modes: all kept the promise.)
func TestPlanRandomUniverses(t *testing.T) {
	f := newScanFixture(t)
	for seed := uint64(1); seed <= 40; seed++ {
		specs, _ := pypitest.RandomUniverse(seed, 6)
		var installed []Dist
		for _, s := range specs {
			if s.Version == "1.0" {
				installed = append(installed, planDist(s.Name, s.Version, s.Requires...))
			}
		}
		srv := pypitest.NewServer()
		for _, s := range specs {
			if err := srv.AddWheel(s); err != nil {
				t.Fatal(err)
			}
		}
		e := f.open(t, Options{IndexURL: srv.IndexURL()})
		var names []string
		for _, d := range installed {
			names = append(names, d.Name)
		}
		// What a scan offers: the outdated ones.
		chosen := slices.DeleteFunc(choose(t, e, installed, names), func(c Upgrade) bool { return !newer(c.Target, c.From) })
		for _, latest := range []bool{false, true} {
			plan, err := e.planner(context.Background(), PlanOptions{Latest: latest}, installed).run(chosen)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if msg := checkPlan(t, e, installed, chosen, plan); msg != "" {
				t.Errorf("seed %d latest=%v: %s\nchanges: %v\nuniverse: %v", seed, latest, msg, plan.Changes, specs)
			}
		}
		srv.Close()
	}
}

// checkPlan is the independent judge; "" when the plan keeps its promise.
func checkPlan(t *testing.T, e *Env, installed []Dist, chosen []Upgrade, plan *Plan) string {
	t.Helper()
	after := map[string]string{}
	reqs := map[string][]string{}
	touched := map[string]bool{}
	for _, d := range installed {
		after[d.Canonical], reqs[d.Canonical] = d.Version, d.RequiresDist
	}
	for _, p := range plan.Packages {
		n := pypi.Normalize(p.Name)
		if old, ok := after[n]; ok && !newer(p.Target, old) {
			return fmt.Sprintf("%s planned at %s, not above %s", p.Name, p.Target, old)
		}
		md, err := e.candidateMetadata(context.Background(), p.Name, p.Target, p.Candidate)
		if err != nil {
			return fmt.Sprintf("metadata of %s %s: %v", p.Name, p.Target, err)
		}
		after[n], reqs[n], touched[n] = p.Target, md.RequiresDist, true
	}
	for n, lines := range reqs {
		for _, line := range lines {
			r, err := pep508.ParseRequirement(line)
			if err != nil {
				return fmt.Sprintf("%s: %v", line, err)
			}
			if ok, _ := r.Marker.EvaluateErr(e.Interp.Markers, ""); !ok {
				continue
			}
			dep := pypi.Normalize(r.Name)
			have, there := after[dep]
			if !touched[n] && !touched[dep] {
				continue // as it was before: not the plan's doing
			}
			if !there {
				return fmt.Sprintf("%s %s requires %s, which is not installed", n, after[n], line)
			}
			if v, err := pep440.Parse(have); err == nil && !r.Specifier.ContainsPre(v, true) {
				return fmt.Sprintf("%s %s requires %s, but %s is %s", n, after[n], line, dep, have)
			}
		}
	}
	explained := map[string]bool{}
	for _, c := range plan.Changes {
		explained[pypi.Normalize(c.Name)] = true
	}
	for _, c := range chosen {
		n := pypi.Normalize(c.Name)
		if !touched[n] && !explained[n] {
			return fmt.Sprintf("%s was chosen, is not planned and no change says why", c.Name)
		}
	}
	return ""
}
