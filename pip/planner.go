package pip

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
	"golang.org/x/sync/errgroup"
)

// maxPlanRounds bounds the fixing rounds. Each round drops, lowers or adds
// packages and none is ever raised or re-added, so the loop ends anyway;
// the bound only guards against a mistake turning into a hang.
const maxPlanRounds = 100

// PlanUpgrade checks the chosen upgrades against the whole environment as
// it will be once they are installed, and adjusts them until every
// requirement is met: a package an installed dependent holds back goes to
// the highest version that fits (or, with Latest, brings along the
// dependent's newer version that allows it), a new version's new or
// raised requirements add those upgrades or installs, and a package whose
// new version cannot be satisfied stays where it is. Each adjustment is a
// Change with its reason. The error is only for a cancelled ctx or an
// unreadable environment.
func (e *Env) PlanUpgrade(ctx context.Context, chosen []PackageChecked, o PlanOptions) (*Plan, error) {
	dists, err := InstalledDists(e.Interp)
	if err != nil {
		return nil, fmt.Errorf("read installed packages: %w", err)
	}
	return e.planner(ctx, o, dists).run(chosen)
}

// planner prepares a planner over dists with the Env's index.
func (e *Env) planner(ctx context.Context, o PlanOptions, dists []Dist) *planner {
	p := newPlanner(ctx, o, dists, e.Interp.Markers)
	p.fetch = e.candidateMetadata
	p.find = func(ctx context.Context, name string) ([]pypi.Candidate, error) {
		res, err := e.finder.FindAll(ctx, name, e.Config.Pre)
		return res.Versions, err
	}
	p.conc = max(e.opts.Concurrency, 1)
	return p
}

// planTarget is one package the plan installs.
type planTarget struct {
	name, canonical string
	from            string // installed version; "" for a new install
	to              pep440.Version
	cand            CandidateFile
	fileType        string
	asked           string // the chosen version; "" when the plan added it
	src             PackageChecked
	reqs            []pep508.Requirement // to's requirements that apply here
	known           bool                 // reqs were read (or could not be)
	descents        int                  // versions stepped down for its own requirements
}

// constraint is one requirement on a package, from an installed
// dependent that stays, or from a planned version.
type constraint struct {
	dep, depCanonical, depVersion string
	req                           pep508.Requirement
	planned                       bool
}

func (c constraint) requirement() string {
	return Dependent{Name: c.dep, Version: c.depVersion, Req: c.req}.Requirement()
}

func (c constraint) String() string {
	return fmt.Sprintf("%s %s (%s)", c.dep, c.depVersion, c.requirement())
}

type planner struct {
	ctx      context.Context
	o        PlanOptions
	markers  map[string]string
	conc     int
	rounds   int // maxPlanRounds; tests lower it
	fetch    func(ctx context.Context, name, version string, cand CandidateFile) (Metadata, error)
	find     func(ctx context.Context, canonical string) ([]pypi.Candidate, error)
	dists    map[string]Dist           // installed, first on sys.path
	versions map[string]pep440.Version // installed versions that parse
	inst     *Requirements
	byDep    map[string][]Dependent // installed requirements by dependent

	planned  map[string]*planTarget
	dropped  map[string]bool
	changes  map[string]PlanChange
	found    map[string][]pypi.Candidate // FindAll answers
	lifts    map[string]*Lift            // the scan's Lift of each chosen package
	warnings []string
	warned   map[string]bool
}

func newPlanner(ctx context.Context, o PlanOptions, dists []Dist, markers map[string]string) *planner {
	p := &planner{
		ctx: ctx, o: o, markers: markers, conc: 1, rounds: maxPlanRounds,
		dists: map[string]Dist{}, versions: map[string]pep440.Version{},
		byDep: map[string][]Dependent{}, planned: map[string]*planTarget{}, dropped: map[string]bool{},
		changes: map[string]PlanChange{}, found: map[string][]pypi.Candidate{}, lifts: map[string]*Lift{},
		warned: map[string]bool{},
	}
	for _, d := range dists {
		if _, ok := p.dists[d.Canonical]; ok {
			continue
		}
		p.dists[d.Canonical] = d
		if v, err := pep440.Parse(d.Version); err == nil {
			p.versions[d.Canonical] = v
		}
	}
	p.inst = InstalledRequirements(dists, markers)
	for _, m := range []map[string][]Dependent{p.inst.On, p.inst.Missing} {
		for _, deps := range m {
			for _, d := range deps {
				c := pypi.Normalize(d.Name)
				p.byDep[c] = append(p.byDep[c], d)
			}
		}
	}
	return p
}

func (p *planner) run(chosen []PackageChecked) (*Plan, error) {
	for _, c := range chosen {
		can := pypi.Normalize(c.Name)
		v, err := pep440.Parse(c.Latest)
		if err != nil || c.Candidate.URL == "" || p.planned[can] != nil {
			continue
		}
		p.planned[can] = &planTarget{
			name: c.Name, canonical: can, from: c.Version, to: v, cand: c.Candidate,
			fileType: c.FileType, asked: c.Latest, src: c,
		}
		p.lifts[can] = c.Lift
	}
	settled := false
	for round := 0; round < p.rounds && !settled; round++ {
		if err := p.readRequirements(); err != nil {
			return nil, err
		}
		changed, err := p.fixRound()
		if err != nil {
			return nil, err
		}
		settled = !changed
	}
	for !settled {
		if err := p.readRequirements(); err != nil {
			return nil, err
		}
		settled = !p.dropViolators()
	}
	return p.result(), nil
}

// readRequirements reads, concurrently, the requirements of every planned
// version not read yet.
func (p *planner) readRequirements() error {
	var todo []*planTarget
	for _, t := range p.planned {
		if !t.known {
			todo = append(todo, t)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	g, ctx := errgroup.WithContext(p.ctx)
	g.SetLimit(p.conc)
	var mu sync.Mutex
	for _, t := range todo {
		g.Go(func() error {
			md, err := p.fetch(ctx, t.name, t.to.String(), t.cand)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			mu.Lock()
			defer mu.Unlock()
			t.known = true
			if err != nil {
				p.warn(fmt.Sprintf("%s %s: requirements not checked: %v", t.name, t.to, oneLineErr(err)))
				t.reqs = nil
				return nil
			}
			t.reqs = applicableRequires(md, p.markers, p.inst.Extras[t.canonical])
			return nil
		})
	}
	return g.Wait()
}

func (p *planner) warn(s string) {
	if !p.warned[s] {
		p.warned[s] = true
		p.warnings = append(p.warnings, s)
	}
}

// applicableRequires keeps the Requires-Dist lines of md that apply to an
// interpreter with these markers, counting the extras installed dependents
// request of it (those it declares).
func applicableRequires(md Metadata, markers map[string]string, extras []string) []pep508.Requirement {
	ctxExtras := []string{""}
	for _, x := range md.ProvidesExtra {
		if x = pypi.Normalize(x); slices.Contains(extras, x) {
			ctxExtras = append(ctxExtras, x)
		}
	}
	self := pypi.Normalize(md.Name)
	var out []pep508.Requirement
	for _, line := range md.RequiresDist {
		r, err := pep508.ParseRequirement(line)
		if err != nil || pypi.Normalize(r.Name) == self {
			continue
		}
		if ok, err := r.Marker.EvaluateErr(markers, ctxExtras...); ok && err == nil {
			out = append(out, r)
		}
	}
	return out
}

// constraints gathers every requirement on each package: from planned
// versions, and from installed distributions that stay.
func (p *planner) constraints() map[string][]constraint {
	out := map[string][]constraint{}
	for dep, reqs := range p.byDep {
		if p.planned[dep] != nil {
			continue
		}
		for _, d := range reqs {
			n := pypi.Normalize(d.Req.Name)
			out[n] = append(out[n], constraint{dep: d.Name, depCanonical: dep, depVersion: d.Version, req: d.Req})
		}
	}
	for _, t := range p.planned {
		for _, r := range t.reqs {
			if r.URL != "" {
				continue // pip resolves direct references itself
			}
			n := pypi.Normalize(r.Name)
			out[n] = append(out[n], constraint{dep: t.name, depCanonical: t.canonical, depVersion: t.to.String(), req: r, planned: true})
		}
	}
	for _, cs := range out {
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].depCanonical < cs[j].depCanonical })
	}
	return out
}

// version is n's version after the plan, and whether it will be there.
func (p *planner) version(n string) (pep440.Version, bool) {
	if t := p.planned[n]; t != nil {
		return t.to, true
	}
	v, ok := p.versions[n]
	return v, ok
}

// violated returns the constraints on n that the plan breaks and that are
// its doing: a stale requirement between two packages it does not touch
// was broken before and is pip check's to report.
func (p *planner) violated(n string, cs []constraint) []constraint {
	v, have := p.version(n)
	_, installed := p.dists[n]
	var out []constraint
	for _, c := range cs {
		if !c.planned && p.planned[n] == nil {
			continue
		}
		switch {
		case !have && installed:
			continue // an installed version that does not parse: pip check skips it too
		case !have, !c.req.Specifier.ContainsPre(v, true):
			out = append(out, c)
		}
	}
	return out
}

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
			switch {
			case ok && p.planned[n] != nil && c.req.Specifier.ContainsPre(v, true):
				// Only not upgrading n would do; the plan upgrades it.
				why = fmt.Sprintf("that would keep %s at %s", p.dists[n].Name, v)
			case ok:
				why = fmt.Sprintf("no version of %s above %s on the index fits", p.dists[n].Name, v)
			default:
				why = fmt.Sprintf("no installable version of %s fits", c.req.Name)
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
		md, err := p.fetch(p.ctx, d.Name, latest.Version.String(), candidateFile(latest))
		if p.ctx.Err() != nil {
			return false, p.ctx.Err()
		}
		if err != nil {
			p.warn(fmt.Sprintf("%s %s: requirements not checked: %v", d.Name, latest.Version, oneLineErr(err)))
			return false, nil
		}
		for _, r := range applicableRequires(md, p.markers, p.inst.Extras[h.depCanonical]) {
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
		var with []string
		for _, u := range l.With {
			with = append(with, u.Name+" "+u.To)
		}
		reason += fmt.Sprintf(" (--latest also upgrades %s, which allows %s)", strings.Join(with, ", "), l.To)
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

// candidates are n's installable versions, highest first.
func (p *planner) candidates(n string) ([]pypi.Candidate, error) {
	if vs, ok := p.found[n]; ok {
		return vs, nil
	}
	vs, err := p.find(p.ctx, n)
	if err != nil {
		if p.ctx.Err() != nil {
			return nil, p.ctx.Err()
		}
		p.warn(fmt.Sprintf("%s: could not look it up: %v", n, oneLineErr(err)))
		vs = nil
	}
	p.found[n] = vs
	return vs, nil
}

// best is n's highest installable version above the installed one (if
// any) and at most ceiling (when set) that meets every constraint.
func (p *planner) best(n string, all []constraint, ceiling *pep440.Version) (*pypi.Candidate, error) {
	vs, err := p.candidates(n)
	if err != nil {
		return nil, err
	}
	floor, hasFloor := p.versions[n]
	for i := range vs {
		c := &vs[i]
		if ceiling != nil && c.Version.Compare(*ceiling) > 0 {
			continue
		}
		if hasFloor && c.Version.Compare(floor) <= 0 {
			return nil, nil
		}
		if !slices.ContainsFunc(all, func(k constraint) bool { return !k.req.Specifier.ContainsPre(c.Version, true) }) {
			return c, nil
		}
	}
	return nil, nil
}

func joinConstraints(cs []constraint) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// result builds the Plan: the packages, the changes in name order, and
// the conflicts left (ForceLatest).
func (p *planner) result() *Plan {
	plan := &Plan{Warnings: p.warnings}
	cons := p.constraints()
	for n, t := range p.planned {
		pc := t.src
		if t.asked == "" {
			pc = PackageChecked{Name: t.name, Version: t.from}
		}
		pc.Latest, pc.Candidate, pc.FileType = t.to.String(), t.cand, t.fileType
		if from, ok := p.versions[n]; ok {
			pc.Bump = BumpOf(from, t.to)
		} else {
			pc.Bump = BumpNew
		}
		plan.Packages = append(plan.Packages, pc)
		if _, ok := p.changes[n]; ok || t.asked == "" {
			continue
		}
		// Planned past an installed dependent's requirement because that
		// dependent is upgraded too: worth saying.
		// A dependent the plan added has its own change saying so.
		var freed []string
		for _, d := range p.byDep {
			for _, dep := range d {
				dc := pypi.Normalize(dep.Name)
				if pypi.Normalize(dep.Req.Name) == n && p.planned[dc] != nil && p.planned[dc].asked != "" && !dep.Req.Specifier.ContainsPre(t.to, true) {
					freed = append(freed, fmt.Sprintf("%s %s", p.planned[dc].name, p.planned[dc].to))
				}
			}
		}
		if len(freed) > 0 {
			sort.Strings(freed)
			p.changes[n] = PlanChange{Kind: ChangeTogether, Name: t.name, From: t.from, To: t.to.String(), Asked: t.asked,
				Reason: "together with " + strings.Join(freed, ", ") + ", which allows it"}
		}
	}
	slices.SortFunc(plan.Packages, func(a, b PackageChecked) int { return cmp.Compare(pypi.Normalize(a.Name), pypi.Normalize(b.Name)) })
	for _, c := range p.changes {
		plan.Changes = append(plan.Changes, c)
	}
	slices.SortFunc(plan.Changes, func(a, b PlanChange) int { return cmp.Compare(pypi.Normalize(a.Name), pypi.Normalize(b.Name)) })
	names := make([]string, 0, len(cons))
	for n := range cons {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, c := range p.violated(n, cons[n]) {
			have := ""
			if v, ok := p.version(n); ok {
				have = v.String()
			}
			// pip check's words: canonical names, the requirement as written.
			plan.Conflicts = append(plan.Conflicts, Conflict{Dependent: c.depCanonical, Version: c.depVersion, Requirement: pypi.RedactURL(c.req.String()), Name: n, Have: have})
		}
	}
	return plan
}

func oneLineErr(err error) string {
	return strings.Join(strings.Fields(pypi.RedactURL(err.Error())), " ")
}
