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

// liftHolds looks at each held package's holding dependents: when the
// version the scan would offer a dependent (its Wanted: within its pin,
// its cooldown, --pre and its own dependents' requirements) is newer than
// the installed one, it reads that version's requirements
// (candidateMetadata: PEP 658, the JSON API or the wheel itself) and, if
// upgrading the dependents would allow a version of the held package above
// Wanted, sets ev.Lift.
// Dependents the scan did not check (a narrowed scan) are checked here,
// as the scan checks a package.
// Failures only mean no lift is offered; they come back as warnings.
func (e *Env) liftHolds(ctx context.Context, held []heldPackage, checked map[string]PackageChecked, reqs *Requirements) []string {
	// Each holding dependent once: the scan's event, or nil and the hold
	// (its installed version) when the scan did not check it.
	type dependent struct {
		ev   *PackageChecked
		hold Hold
	}
	dependents := map[string]dependent{}
	for _, h := range held {
		for _, hold := range h.ev.HeldBackBy {
			c := pypi.Normalize(hold.Name)
			if _, ok := dependents[c]; ok {
				continue
			}
			d := dependent{hold: hold}
			if ev, ok := checked[c]; ok {
				d.ev = &ev
			}
			dependents[c] = d
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
	newReqs := map[string][]pep508.Requirement{} // dependent -> its wanted version's requirements
	newVersion := map[string]string{}            // dependent -> that wanted version
	for name, d := range dependents {
		g.Go(func() error {
			ev := d.ev
			if ev == nil {
				if ev = e.checkDependent(gctx, name, d.hold, reqs); ev == nil {
					return nil // not on the index, or not a version pipup can compare: no lift
				}
			}
			if !upgradable(*ev) {
				return nil // its pin, its cooldown or its own dependents keep it where it is
			}
			rs, err := e.fetchRequires(gctx, name, ev.Wanted, ev.WantedCandidate, reqs.Extras[name])
			if err != nil {
				// err names the dependent and its version.
				warn(fmt.Sprintf("cannot check whether upgrading %s frees held-back packages: %v", ev.Name, err))
				return nil
			}
			mu.Lock()
			newReqs[name], newVersion[name] = rs, ev.Wanted
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

// checkDependent checks a holding dependent the scan did not (a narrowed
// scan) exactly as the scan checks a package, so that its Wanted is the
// version the scan would offer; nil when that check gives no version.
func (e *Env) checkDependent(ctx context.Context, canonical string, hold Hold, reqs *Requirements) *PackageChecked {
	v, err := pep440.Parse(hold.Version)
	if err != nil {
		return nil
	}
	d := Dist{Name: hold.Name, Canonical: canonical, Version: hold.Version}
	ev, _ := e.check(ctx, job{dist: d, version: v}, reqs.On[canonical])
	if c, ok := ev.(PackageChecked); ok {
		return &c
	}
	return nil
}

// upgradable reports whether the scan offers a dependent a version above
// the installed one (Wanted, with its file).
func upgradable(ev PackageChecked) bool {
	from, err1 := pep440.Parse(ev.Version)
	to, err2 := pep440.Parse(ev.Wanted)
	return err1 == nil && err2 == nil && to.Compare(from) > 0 && ev.WantedCandidate.URL != ""
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
