package pip

import (
	"context"
	"fmt"
	"sync"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
	"golang.org/x/sync/errgroup"
)

// heldPackage is a held-back package's event, kept until every check is in.
type heldPackage struct {
	ev        PackageChecked
	canonical string
	version   pep440.Version
	versions  []pypi.Candidate // installable versions, highest first
}

// maxMetadata bounds a metadata file (PEP 658, a wheel's METADATA, a JSON
// API document); real ones are a few kB, a few packages with long
// descriptions reach a few hundred.
const maxMetadata = 8 << 20

// liftHolds looks at each held package's holding dependents: when a
// dependent has a newer version, it reads that version's requirements
// (candidateMetadata: PEP 658, the JSON API or the wheel itself) and, if
// upgrading the dependents would allow a version of the held package above
// Wanted, sets ev.Lift.
// Dependents the scan did not check (a narrowed scan) are looked up here.
// Failures only mean no lift is offered; they come back as warnings.
func (e *Env) liftHolds(ctx context.Context, held []heldPackage, checked map[string]PackageChecked, reqs *Requirements) []string {
	// The dependents' latest versions, looked up once each.
	latest := map[string]*PackageChecked{}
	for _, h := range held {
		for _, hold := range h.ev.HeldBackBy {
			c := pypi.Normalize(hold.Name)
			if ev, ok := checked[c]; ok {
				latest[c] = &ev
			} else {
				latest[c] = nil
			}
		}
	}
	var mu sync.Mutex
	var warnings []string
	warn := func(s string) {
		mu.Lock()
		warnings = append(warnings, s)
		mu.Unlock()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opts.Concurrency)
	newReqs := map[string][]pep508.Requirement{} // dependent -> its latest version's requirements
	newVersion := map[string]string{}            // dependent -> that latest version
	for name, ev := range latest {
		if ev != nil && (!ev.Outdated() || ev.PinnedBy != "" || e.tooYoung(ev.Candidate.Uploaded)) {
			continue // a pinned dependent cannot go to its latest version, nor one in its cooldown
		}
		g.Go(func() error {
			if ev == nil {
				res, err := e.finder.Find(gctx, name, e.Config.Pre)
				if err != nil || res.Best == nil || e.pinExcludes(name, res.Best.Version) != "" || e.tooYoung(res.Best.Uploaded) {
					return nil // not on the index, or pinned below its latest, or too new: no lift
				}
				c := PackageChecked{Name: name, Latest: res.Best.Version.String(), Candidate: candidateFile(res.Best)}
				ev = &c
			}
			rs, err := e.fetchRequires(gctx, name, ev.Latest, ev.Candidate, reqs.Extras[name])
			if err != nil {
				// err names the dependent and its version.
				warn(fmt.Sprintf("cannot check whether upgrading %s frees held-back packages: %v", ev.Name, err))
				return nil
			}
			mu.Lock()
			newReqs[name], newVersion[name] = rs, ev.Latest
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through warn, never an error

	for i := range held {
		h := &held[i]
		latestV, err1 := pep440.Parse(h.ev.Latest)
		wantedV, err2 := pep440.Parse(h.ev.Wanted)
		if err1 != nil || err2 != nil {
			continue // cannot happen: both are printed parsed versions
		}
		deps := reqs.On[h.canonical]
		var kept []Dependent
		var with []PlannedUpgrade
		for _, d := range deps {
			c := pypi.Normalize(d.Name)
			rs, ok := newReqs[c]
			if !ok || d.Req.Specifier.ContainsPre(latestV, true) {
				kept = append(kept, d)
				continue
			}
			with = append(with, PlannedUpgrade{Name: d.Name, From: d.Version, To: newVersion[c]})
			for _, r := range rs {
				if pypi.Normalize(r.Name) == h.canonical {
					kept = append(kept, Dependent{Name: d.Name, Version: newVersion[c], Req: r})
				}
			}
		}
		if len(with) == 0 {
			continue
		}
		w := wanted(kept, h.version, h.versions)
		if w == nil || w.Version.Compare(wantedV) <= 0 {
			continue
		}
		h.ev.Lift = &Lift{To: w.Version.String(), Candidate: candidateFile(w), With: with}
	}
	return warnings
}

// fetchRequires reads the Requires-Dist lines of a candidate's metadata
// and keeps those whose markers hold for the interpreter, with extras
// requested of the dependent (as InstalledRequirements decided them).
func (e *Env) fetchRequires(ctx context.Context, name, version string, cand CandidateFile, extras []string) ([]pep508.Requirement, error) {
	md, err := e.candidateMetadata(ctx, name, version, cand)
	if err != nil {
		return nil, err
	}
	return applicableRequires(md, e.Interp.Markers, extras), nil
}
