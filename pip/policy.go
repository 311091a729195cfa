package pip

import (
	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// The user's lasting policy from pipup's settings (Options.Ignore and
// Options.Pins), applied where the scan and the planner pick versions.

// splitIgnored takes the ignored distributions out of dists.
func (e *Env) splitIgnored(dists []Dist) (kept, ignored []Dist) {
	if len(e.opts.Ignore) == 0 {
		return dists, nil
	}
	skip := make(map[string]bool, len(e.opts.Ignore))
	for _, n := range e.opts.Ignore {
		skip[pypi.Normalize(n)] = true
	}
	for _, d := range dists {
		if skip[d.Canonical] {
			ignored = append(ignored, d)
		} else {
			kept = append(kept, d)
		}
	}
	return kept, ignored
}

// pin is the pin on the package with canonical name n, if any.
func (e *Env) pin(n string) (pep440.SpecifierSet, bool) {
	spec, ok := e.opts.Pins[n]
	return spec, ok
}

// pinExcludes reports the pin on n when it excludes v ("" otherwise).
// Pre-releases are a matter for --pre, not for the pin: a pin admits a
// pre-release its clauses admit.
func (e *Env) pinExcludes(n string, v pep440.Version) string {
	if spec, ok := e.pin(n); ok && !spec.ContainsPre(v, true) {
		return spec.String()
	}
	return ""
}

// pinned keeps the versions (highest first) that n's pin admits; with no
// pin it returns vs itself.
func (e *Env) pinned(n string, vs []pypi.Candidate) []pypi.Candidate {
	if _, ok := e.pin(n); !ok {
		return vs
	}
	var out []pypi.Candidate
	for _, c := range vs {
		if e.pinExcludes(n, c.Version) == "" {
			out = append(out, c)
		}
	}
	return out
}

// IgnoredReason is why an ignored package asked for by name is skipped.
const IgnoredReason = "in pipup's ignore list (pipup config shows where)"

// PinNote is how a pin is explained to a user: `pinned by config (<5)`.
func PinNote(spec string) string { return "pinned by config (" + spec + ")" }
