package pip

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
)

// Dependent is one installed distribution's requirement on another
// installed distribution, with its marker already found to apply.
type Dependent struct {
	Name    string // the dependent, as installed (display form)
	Version string // the dependent's installed version
	Req     pep508.Requirement
}

// Requirement is the requirement without its marker, as shown in a hold
// reason: `botocore<1.44.0,>=1.43.11`.
func (d Dependent) Requirement() string {
	s := d.Req.Name
	if len(d.Req.Extras) > 0 {
		s += "[" + strings.Join(d.Req.Extras, ",") + "]"
	}
	if d.Req.URL != "" {
		return s + " @ " + pypi.RedactURL(d.Req.URL)
	}
	return s + d.Req.Specifier.String()
}

// RequirementProblem is a Requires-Dist line of an installed distribution
// that could not be used: it does not parse, or its marker cannot be
// evaluated for the target interpreter.
type RequirementProblem struct {
	Dist string // display name of the distribution whose metadata has the line
	Line string
	Err  error
}

func (p RequirementProblem) String() string {
	return fmt.Sprintf("%s: ignoring requirement %q: %v", p.Dist, p.Line, p.Err)
}

// Requirements is what the installed distributions require of each other.
type Requirements struct {
	// On maps a required distribution's canonical name to its installed
	// dependents' requirements on it. Requirements on distributions that
	// are not installed, and a distribution's requirements on itself, are
	// left out.
	On map[string][]Dependent
	// Extras maps a canonical name to the extras its installed dependents
	// request of it (normalised, sorted).
	Extras map[string][]string
	// Missing is On for required distributions that are not installed:
	// pip check reports those already, and an upgrade plan that installs
	// one must meet them.
	Missing  map[string][]Dependent
	Problems []RequirementProblem
}

type parsedDist struct {
	dist     Dist
	reqs     []pep508.Requirement
	provides map[string]bool // normalised Provides-Extra
}

// InstalledRequirements reads the Requires-Dist lines of every installed
// distribution and keeps those whose markers hold for the interpreter whose
// PEP 508 environment is markers. A requirement marked for an extra applies
// when some installed dependent requests that extra (`pkg[extra]`), itself
// through a requirement that applies, and the distribution declares it in
// Provides-Extra (pip ignores an undeclared extra); that is the only evidence
// left of which extras were wanted. Otherwise only the unmarked-for-extra requirements count,
// as in `pip check` (which evaluates markers with extra == "").
func InstalledRequirements(dists []Dist, markers map[string]string) *Requirements {
	r := &Requirements{On: map[string][]Dependent{}, Extras: map[string][]string{}, Missing: map[string][]Dependent{}}
	byName := make(map[string]*parsedDist, len(dists))
	order := make([]*parsedDist, 0, len(dists))
	for _, d := range dists {
		if byName[d.Canonical] != nil {
			continue // shadowed: pip sees the first one on sys.path
		}
		p := &parsedDist{dist: d, provides: map[string]bool{}}
		for _, x := range d.ProvidesExtra {
			p.provides[pypi.Normalize(x)] = true
		}
		for _, line := range d.RequiresDist {
			req, err := pep508.ParseRequirement(line)
			if err != nil {
				r.Problems = append(r.Problems, RequirementProblem{d.Name, line, err})
				continue
			}
			p.reqs = append(p.reqs, req)
		}
		byName[d.Canonical] = p
		order = append(order, p)
	}

	// Requested extras grow monotonically, so a work list reaches the
	// fixed point: a distribution is revisited when it gains an extra.
	extras := map[string]map[string]bool{}
	applies := func(p *parsedDist, req pep508.Requirement) (bool, error) {
		ctx := []string{""}
		for x := range extras[p.dist.Canonical] {
			ctx = append(ctx, x)
		}
		return req.Marker.EvaluateErr(markers, ctx...)
	}
	queue := append([]*parsedDist(nil), order...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, req := range p.reqs {
			if ok, err := applies(p, req); !ok || err != nil || len(req.Extras) == 0 {
				continue
			}
			target := byName[pypi.Normalize(req.Name)]
			if target == nil {
				continue
			}
			grew := false
			for _, x := range req.Extras {
				if !target.provides[x] {
					continue // pip warns "does not provide the extra" and ignores it
				}
				set := extras[target.dist.Canonical]
				if set == nil {
					set = map[string]bool{}
					extras[target.dist.Canonical] = set
				}
				if !set[x] {
					set[x], grew = true, true
				}
			}
			if grew {
				queue = append(queue, target)
			}
		}
	}
	for name, set := range extras {
		for x := range set {
			r.Extras[name] = append(r.Extras[name], x)
		}
		sort.Strings(r.Extras[name])
	}

	for _, p := range order {
		for _, req := range p.reqs {
			ok, err := applies(p, req)
			if err != nil {
				r.Problems = append(r.Problems, RequirementProblem{p.dist.Name, req.String(), err})
				continue
			}
			target := pypi.Normalize(req.Name)
			if !ok || target == p.dist.Canonical {
				continue
			}
			dep := Dependent{Name: p.dist.Name, Version: p.dist.Version, Req: req}
			if byName[target] == nil {
				r.Missing[target] = append(r.Missing[target], dep)
				continue
			}
			r.On[target] = append(r.On[target], dep)
		}
	}
	for _, deps := range r.On {
		sort.SliceStable(deps, func(i, j int) bool { return pypi.Normalize(deps[i].Name) < pypi.Normalize(deps[j].Name) })
	}
	return r
}

// accepts reports whether every dependent's specifier admits v, as pip
// check tests it (pre-releases allowed).
func accepts(deps []Dependent, v pep440.Version) bool {
	for _, d := range deps {
		if !d.Req.Specifier.ContainsPre(v, true) {
			return false
		}
	}
	return true
}

// holdsOn returns the dependents whose specifier excludes v.
func holdsOn(deps []Dependent, v pep440.Version) []Hold {
	var holds []Hold
	for _, d := range deps {
		if !d.Req.Specifier.ContainsPre(v, true) {
			holds = append(holds, Hold{Name: d.Name, Version: d.Version, Requirement: d.Requirement()})
		}
	}
	return holds
}

// wanted picks the highest of versions (highest first) that every dependent
// accepts. It returns nil when none is newer than installed: then nothing
// should be upgraded.
func wanted(deps []Dependent, installed pep440.Version, versions []pypi.Candidate) *pypi.Candidate {
	for i := range versions {
		c := &versions[i]
		if c.Version.Compare(installed) <= 0 {
			return nil
		}
		if accepts(deps, c.Version) {
			return c
		}
	}
	return nil
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
