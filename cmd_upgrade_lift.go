package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// liftHolds lifts holds within one upgrade: a held-back package whose
// holding dependents will all be upgraded in the same run to the versions
// that allow more (the scan's Lift: each dependent is in checked, outdated,
// not itself held back, and its latest is the lifting version) is planned
// at the lifted version, as a package nothing holds back. checked is what
// the scan reported for the packages this upgrade covers.
func liftHolds(checked []pip.PackageChecked, w io.Writer) []pip.PackageChecked {
	byName := make(map[string]pip.PackageChecked, len(checked))
	for _, c := range checked {
		byName[pypi.Normalize(c.Name)] = c
	}
	out := make([]pip.PackageChecked, len(checked))
	copy(out, checked)
	for i, c := range out {
		l := c.Lift
		if l == nil {
			continue
		}
		var with []string
		for _, u := range l.With {
			d, ok := byName[pypi.Normalize(u.Name)]
			if !ok || !d.Outdated() || d.HeldBack() || d.Latest != u.To {
				with = nil
				break
			}
			with = append(with, u.Name+" "+u.To)
		}
		if len(with) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s: upgrading to %s, together with %s, which allows it\n", c.Name, l.To, strings.Join(with, ", "))
		c.Latest, c.Candidate = l.To, l.Candidate
		c.Wanted, c.WantedCandidate = l.To, l.Candidate
		c.HeldBackBy, c.Lift = nil, nil
		out[i] = c
	}
	return out
}

// warnConflicts lists, for --force-latest, each installed package that the
// upgrade of c to its latest version breaks, in the words of pip check.
func warnConflicts(w io.Writer, c pip.PackageChecked) {
	for _, h := range c.HeldBackBy {
		fmt.Fprintf(w, "warning: %s %s has requirement %s, but %s will be %s (--force-latest)\n", h.Name, h.Version, h.Requirement, c.Name, c.Latest)
	}
}
