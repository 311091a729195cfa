package pip

import (
	"fmt"
	"slices"
	"sort"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// The fixing half of the planner: each broken requirement is mended by
// lowering, raising, adding, stepping down or dropping a planned package.

// fixRound makes one adjustment per package whose constraints the plan
// breaks; it reports whether anything changed.
func (p *planner) fixRound() (bool, error) {
	cons := p.constraints()
	names := make([]string, 0, len(cons))
	for n := range cons {
		names = append(names, n)
	}
	sort.Strings(names)
	touched := map[string]bool{}
	changed := false
	for _, n := range names {
		bad := p.violated(n, cons[n])
		if len(bad) == 0 || touched[n] || slices.ContainsFunc(bad, func(c constraint) bool { return touched[c.depCanonical] }) {
			continue
		}
		did, err := p.fix(n, cons[n], bad, touched)
		if err != nil {
			return false, err
		}
		changed = changed || did
	}
	return changed, nil
}

func (p *planner) fix(n string, all, bad []constraint, touched map[string]bool) (bool, error) {
	var held, needs []constraint // from installed dependents that stay / from planned versions
	for _, c := range bad {
		if c.planned {
			needs = append(needs, c)
		} else {
			held = append(held, c)
		}
	}
	t := p.planned[n]
	if t == nil {
		// A planned version needs n newer than installed, or installed.
		return p.addRequired(n, all, needs, touched)
	}
	if len(held) > 0 && p.o.ForceLatest {
		if len(needs) == 0 {
			return false, nil // listed as conflicts at the end
		}
		all = slices.DeleteFunc(slices.Clone(all), func(c constraint) bool { return !c.planned })
	}
	if len(held) > 0 && !p.o.ForceLatest && p.o.Latest && len(needs) == 0 {
		added, err := p.addDependents(t, held, touched)
		if err != nil || added {
			return added, err
		}
	}
	return p.lower(t, all, bad, touched)
}

// addRequired plans an upgrade or install of n that planned versions
// require. The requirements of installed dependents that stay must hold;
// of the planned versions' requirements, as many as fit together are kept
// (in name order) and the versions whose requirement does not fit stay at
// their installed version.
func (p *planner) addRequired(n string, all, needs []constraint, touched map[string]bool) (bool, error) {
	d, installed := p.dists[n]
	block := ""
	switch {
	case p.dropped[n] && installed:
		block = fmt.Sprintf("%s stays at %s", d.Name, d.Version)
	case p.dropped[n]:
		block = fmt.Sprintf("%s cannot be installed", needs[0].req.Name)
	case installed && skipReason(d) != "":
		block = fmt.Sprintf("%s cannot be upgraded (%s)", d.Name, skipReason(d))
	}
	if block != "" {
		for _, c := range needs {
			p.descend(c.depCanonical, fmt.Sprintf("%s %s requires %s, but %s", c.dep, c.depVersion, c.requirement(), block))
			touched[c.depCanonical] = true
		}
		return true, nil
	}
	fixed, optional := splitPlanned(all)
	c, rejected, err := p.fit(n, fixed, optional, nil)
	if err != nil {
		return false, err
	}
	if c == nil {
		rejected = optional
	}
	p.reject(n, fixed, rejected, touched)
	if c == nil {
		return true, nil
	}
	kept := slices.DeleteFunc(slices.Clone(needs), func(k constraint) bool {
		return slices.ContainsFunc(rejected, func(r constraint) bool { return r.depCanonical == k.depCanonical })
	})
	if len(kept) == 0 {
		return true, nil
	}
	name := kept[0].req.Name
	if installed {
		name = d.Name
	}
	p.planned[n] = &planTarget{
		name: name, canonical: n, from: d.Version, to: c.Version, cand: candidateFile(c), fileType: c.FileType(),
	}
	p.changes[n] = PlanChange{Kind: ChangeAdded, Name: name, From: d.Version, To: c.Version.String(), Reason: "required by " + joinConstraints(kept)}
	touched[n] = true
	return true, nil
}

// splitPlanned separates the requirements of installed dependents that
// stay from those of planned versions.
func splitPlanned(all []constraint) (fixed, planned []constraint) {
	for _, c := range all {
		if c.planned {
			planned = append(planned, c)
		} else {
			fixed = append(fixed, c)
		}
	}
	return fixed, planned
}

// fit finds n's highest version (above the installed one, at most ceiling)
// that meets every fixed constraint and as many optional ones as fit,
// taken in order; rejected are the optional ones left out. It returns nil
// when the fixed ones alone allow no version.
func (p *planner) fit(n string, fixed, optional []constraint, ceiling *pep440.Version) (*pypi.Candidate, []constraint, error) {
	c, err := p.best(n, fixed, ceiling)
	if err != nil || c == nil {
		return nil, nil, err
	}
	set := slices.Clone(fixed)
	var rejected []constraint
	for _, o := range optional {
		next, err := p.best(n, append(set, o), ceiling)
		if err != nil {
			return nil, nil, err
		}
		if next == nil {
			rejected = append(rejected, o)
			continue
		}
		set, c = append(set, o), next
	}
	return c, rejected, nil
}

// reject drops the planned versions whose requirement on n does not fit,
// saying whether it could ever fit.
func (p *planner) reject(n string, fixed, rejected []constraint, touched map[string]bool) {
	for _, c := range rejected {
		why := "it conflicts with what the rest of the plan needs of " + n
		if alone, _ := p.best(n, append(slices.Clone(fixed), c), nil); alone == nil {
			v, ok := p.versions[n]
			onIndex, pin := " on the index", ""
			if spec, pinned := p.e.pin(n); pinned {
				onIndex = " within its pin (" + spec.String() + ")"
				pin = onIndex
			}
			switch {
			case ok && p.planned[n] != nil && c.req.Specifier.ContainsPre(v, true):
				// Only not upgrading n would do; the plan upgrades it.
				why = fmt.Sprintf("that would keep %s at %s", p.dists[n].Name, v)
			case ok:
				why = fmt.Sprintf("no version of %s above %s%s fits", p.dists[n].Name, v, onIndex)
			default:
				why = fmt.Sprintf("no installable version of %s%s fits", c.req.Name, pin)
			}
		}
		p.descend(c.depCanonical, fmt.Sprintf("%s %s requires %s, but %s", c.dep, c.depVersion, c.requirement(), why))
		touched[c.depCanonical] = true
	}
}

// addDependents plans the latest versions of the installed dependents
// holding t back, when each of those versions allows t's target.
func (p *planner) addDependents(t *planTarget, held []constraint, touched map[string]bool) (bool, error) {
	type pick struct {
		c    constraint
		cand *pypi.Candidate
	}
	var picks []pick
	for _, h := range held {
		d := p.dists[h.depCanonical]
		if p.dropped[h.depCanonical] || skipReason(d) != "" || !d.HasRecord || touched[h.depCanonical] {
			return false, nil
		}
		vs, err := p.candidates(h.depCanonical)
		if err != nil {
			return false, err
		}
		if len(vs) == 0 || vs[0].Version.Compare(p.versions[h.depCanonical]) <= 0 {
			return false, nil
		}
		latest := &vs[0]
		reqs, err := p.requires(p.ctx, d.Name, h.depCanonical, latest.Version, candidateFile(latest))
		if p.ctx.Err() != nil {
			return false, p.ctx.Err()
		}
		if err != nil {
			p.warn(fmt.Sprintf("%s %s: requirements not checked: %v", d.Name, latest.Version, oneLineErr(err)))
			return false, nil
		}
		for _, r := range reqs {
			if pypi.Normalize(r.Name) == t.canonical && !r.Specifier.ContainsPre(t.to, true) {
				return false, nil
			}
		}
		picks = append(picks, pick{h, latest})
	}
	for _, pk := range picks {
		d := p.dists[pk.c.depCanonical]
		p.planned[pk.c.depCanonical] = &planTarget{
			name: d.Name, canonical: pk.c.depCanonical, from: d.Version, to: pk.cand.Version,
			cand: candidateFile(pk.cand), fileType: pk.cand.FileType(),
		}
		p.changes[pk.c.depCanonical] = PlanChange{
			Kind: ChangeAdded, Name: d.Name, From: d.Version, To: pk.cand.Version.String(),
			Reason: fmt.Sprintf("allows %s %s (%s %s requires %s)", t.name, t.to, d.Name, d.Version, pk.c.requirement()),
		}
		touched[pk.c.depCanonical] = true
	}
	touched[t.canonical] = true
	return true, nil
}

// lower moves t down to the highest version below its target that the
// installed dependents allow, keeping as many planned versions'
// requirements as fit; it drops t when no version above the installed one
// is allowed. When a planned version needs more of t than its target
// (a held package chosen at its wanted version, its holder at a version
// that needs its latest), t goes up instead, if that keeps more of them.
func (p *planner) lower(t *planTarget, all, bad []constraint, touched map[string]bool) (bool, error) {
	touched[t.canonical] = true
	fixed, optional := splitPlanned(all)
	c, rejected, err := p.fit(t.canonical, fixed, optional, &t.to)
	if err != nil {
		return false, err
	}
	if len(rejected) > 0 {
		up, upRejected, err := p.fit(t.canonical, fixed, optional, nil)
		if err != nil {
			return false, err
		}
		if up != nil && up.Version.Compare(t.to) > 0 && len(upRejected) < len(rejected) {
			p.reject(t.canonical, fixed, upRejected, touched)
			_, needs := splitPlanned(bad)
			t.to, t.cand, t.fileType, t.known, t.reqs = up.Version, candidateFile(up), up.FileType(), false, nil
			reason := "required by " + joinConstraints(needs)
			if t.asked == "" {
				ch := p.changes[t.canonical]
				ch.To = up.Version.String()
				p.changes[t.canonical] = ch
			} else {
				p.changes[t.canonical] = PlanChange{Kind: ChangeTogether, Name: t.name, From: t.from, To: up.Version.String(), Asked: t.asked, Reason: reason}
			}
			return true, nil
		}
	}
	held, _ := splitPlanned(bad)
	if c == nil || len(held) == 0 {
		held = bad
	}
	reason := "held back by " + joinConstraints(held)
	if l := p.lifts[t.canonical]; l != nil && !p.o.Latest && !p.o.ForceLatest {
		reason += fmt.Sprintf(" (--latest also upgrades %s, which allows %s)", l.WithList(), l.To)
	}
	if c == nil {
		p.drop(t.canonical, reason)
		return true, nil
	}
	p.reject(t.canonical, fixed, rejected, touched)
	if c.Version.Equal(t.to) {
		return len(rejected) > 0, nil
	}
	t.to, t.cand, t.fileType, t.known, t.reqs = c.Version, candidateFile(c), c.FileType(), false, nil
	if t.asked == "" {
		ch := p.changes[t.canonical]
		ch.To = c.Version.String()
		p.changes[t.canonical] = ch
		return true, nil
	}
	p.changes[t.canonical] = PlanChange{Kind: ChangeLowered, Name: t.name, From: t.from, To: c.Version.String(), Asked: t.asked, Reason: reason}
	return true, nil
}

// maxDescent bounds how many versions down a package goes, one at a time,
// when its planned version's own requirements cannot be met (as pip's
// resolver backtracks); each step reads one more version's metadata.
const maxDescent = 5

// descend moves the planned package n to its next lower version above the
// installed one, because its planned version's requirements cannot be met
// (reason says why); after maxDescent steps, or with no version left, it
// drops n. The first reason is the one reported: it explains why the
// asked version is not installed.
func (p *planner) descend(n, reason string) {
	t := p.planned[n]
	if t == nil {
		return
	}
	t.descents++
	var next *pypi.Candidate
	if vs, err := p.candidates(n); err == nil && t.descents <= maxDescent {
		floor, hasFloor := p.versions[n]
		for i := range vs {
			if vs[i].Version.Compare(t.to) < 0 && (!hasFloor || vs[i].Version.Compare(floor) > 0) {
				next = &vs[i]
				break
			}
		}
	}
	if next == nil {
		if ch, ok := p.changes[n]; ok && ch.Kind == ChangeLowered {
			reason = ch.Reason
		}
		p.drop(n, reason)
		return
	}
	t.to, t.cand, t.fileType, t.known, t.reqs = next.Version, candidateFile(next), next.FileType(), false, nil
	if t.asked == "" {
		ch := p.changes[n]
		ch.To = next.Version.String()
		p.changes[n] = ch
		return
	}
	if ch, ok := p.changes[n]; ok && ch.Kind == ChangeLowered {
		reason = ch.Reason
	}
	p.changes[n] = PlanChange{Kind: ChangeLowered, Name: t.name, From: t.from, To: next.Version.String(), Asked: t.asked, Reason: reason}
}

// drop takes n out of the plan for good.
func (p *planner) drop(n, reason string) {
	t := p.planned[n]
	if t == nil {
		return
	}
	delete(p.planned, n)
	p.dropped[n] = true
	if t.asked == "" {
		delete(p.changes, n) // an addition that did not work out: nothing to report
		return
	}
	p.changes[n] = PlanChange{Kind: ChangeDropped, Name: t.name, From: t.from, Asked: t.asked, Reason: reason}
}

// dropViolators ends a plan that did not settle: every planned package
// with a broken requirement stays at its installed version. It reports
// whether it dropped any.
func (p *planner) dropViolators() bool {
	dropped := false
	for n, cs := range p.constraints() {
		for _, c := range p.violated(n, cs) {
			switch {
			case c.planned && p.planned[c.depCanonical] != nil:
				p.drop(c.depCanonical, "its requirements could not be met")
				dropped = true
			case !c.planned && !p.o.ForceLatest && p.planned[n] != nil:
				p.drop(n, "held back by "+c.String())
				dropped = true
			}
		}
	}
	return dropped
}
