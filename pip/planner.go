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

// maxPlanRounds bounds the fixing rounds. Rounds drop, lower, add, step
// down or (to fit a planned dependent) raise packages, and nothing dropped
// comes back, so plans settle in a few rounds; past the bound, what still
// breaks a requirement is dropped, so a cycle cannot hang the plan.
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
func (e *Env) PlanUpgrade(ctx context.Context, chosen []Upgrade, o PlanOptions) (*Plan, error) {
	// What the scan read, unless the environment changed since.
	dists, err := e.installedDists()
	if err != nil {
		return nil, fmt.Errorf("read installed packages: %w", err)
	}
	return e.planner(ctx, o, dists).run(chosen)
}

// planTarget is one package the plan installs.
type planTarget struct {
	name, canonical string
	from            string // installed version; "" for a new install
	to              pep440.Version
	cand            CandidateFile
	fileType        string
	asked           string               // the chosen version; "" when the plan added it
	src             Upgrade              // as chosen; zero when the plan added it
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
	e        *Env // its index, metadata cache and interpreter
	o        PlanOptions
	rounds   int                       // maxPlanRounds; tests lower it
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

// planner prepares a planner over dists with the Env's index.
func (e *Env) planner(ctx context.Context, o PlanOptions, dists []Dist) *planner {
	p := &planner{
		ctx: ctx, e: e, o: o, rounds: maxPlanRounds,
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
	p.inst = InstalledRequirements(dists, e.Interp.Markers)
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

func (p *planner) run(chosen []Upgrade) (*Plan, error) {
	for _, c := range chosen {
		can := pypi.Normalize(c.Name)
		v, err := pep440.Parse(c.Target)
		if err != nil || c.Candidate.URL == "" || p.planned[can] != nil {
			continue
		}
		if have, ok := p.versions[can]; ok && v.Compare(have) <= 0 {
			continue // not an upgrade: nothing to plan
		}
		t := &planTarget{
			name: c.Name, canonical: can, from: c.From, to: v, cand: c.Candidate,
			fileType: c.FileType, asked: c.Target, src: c,
		}
		if ok, err := p.withinPolicy(t); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		p.planned[can] = t
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

// withinPolicy moves a chosen target whose version its pin excludes, or
// which is younger than the cooldown, to the highest version both admit,
// saying so; it reports false (and the package stays) when no version
// above the installed one is admitted.
func (p *planner) withinPolicy(t *planTarget) (bool, error) {
	reason := p.e.pinExcludes(t.canonical, t.to)
	if reason != "" {
		reason = PinNote(reason)
	} else if p.e.tooYoung(t.cand.Uploaded) {
		reason = p.e.heldNote(pypi.Candidate{Version: t.to, Uploaded: t.cand.Uploaded}).String()
	}
	if reason == "" {
		return true, nil
	}
	vs, err := p.candidates(t.canonical)
	if err != nil {
		return false, err
	}
	have, installed := p.versions[t.canonical]
	if len(vs) == 0 || (installed && vs[0].Version.Compare(have) <= 0) {
		p.dropped[t.canonical] = true
		p.changes[t.canonical] = PlanChange{Kind: ChangeDropped, Name: t.name, From: t.from, Asked: t.asked, Reason: reason}
		return false, nil
	}
	c := &vs[0]
	t.to, t.cand, t.fileType = c.Version, candidateFile(c), c.FileType()
	p.changes[t.canonical] = PlanChange{Kind: ChangeLowered, Name: t.name, From: t.from, To: c.Version.String(), Asked: t.asked, Reason: reason}
	return true, nil
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
	g.SetLimit(max(p.e.opts.Concurrency, 1))
	var mu sync.Mutex
	for _, t := range todo {
		g.Go(func() error {
			reqs, err := p.requires(ctx, t.name, t.canonical, t.to, t.cand)
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
			t.reqs = reqs
			return nil
		})
	}
	return g.Wait()
}

// requires reads the requirements of version v of a package (file cand)
// that apply here, with the extras its installed dependents request.
func (p *planner) requires(ctx context.Context, name, canonical string, v pep440.Version, cand CandidateFile) ([]pep508.Requirement, error) {
	return p.e.fetchRequires(ctx, name, v.String(), cand, p.inst.Extras[canonical])
}

func (p *planner) warn(s string) {
	if !p.warned[s] {
		p.warned[s] = true
		p.warnings = append(p.warnings, s)
	}
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

// candidates are n's installable versions, highest first.
func (p *planner) candidates(n string) ([]pypi.Candidate, error) {
	if vs, ok := p.found[n]; ok {
		return vs, nil
	}
	res, err := p.e.finder.FindAll(p.ctx, n, p.e.Config.Pre)
	// A pin and the cooldown hold for every package the plan touches; the
	// ages the scan read from the JSON API count here too.
	p.e.knownUploadTimes(n, res.Versions)
	vs := p.e.cooled(p.e.pinned(n, res.Versions))
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
			pc = Upgrade{Name: t.name, From: t.from}
		}
		pc.Target, pc.Candidate, pc.FileType, pc.Why = t.to.String(), t.cand, t.fileType, ""
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
	for i, pc := range plan.Packages {
		plan.Packages[i].Why = p.changes[pypi.Normalize(pc.Name)].Reason
	}
	slices.SortFunc(plan.Packages, func(a, b Upgrade) int { return cmp.Compare(pypi.Normalize(a.Name), pypi.Normalize(b.Name)) })
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
