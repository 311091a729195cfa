package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// liftPlanned lifts holds within a plan: a held-back package whose
// holding dependents are all upgraded in the same plan to the versions
// that allow more (the scan's Lift) goes to the lifted version instead of
// its wanted one, or joins the plan if it had to stay. checked is every
// scanned package, planned the upgrades chosen so far.
func liftPlanned(checked, planned []pip.PackageChecked, w io.Writer) []pip.PackageChecked {
	to := make(map[string]string, len(planned))
	at := make(map[string]int, len(planned))
	for i, p := range planned {
		to[pypi.Normalize(p.Name)], at[pypi.Normalize(p.Name)] = p.Latest, i
	}
	for _, c := range checked {
		l := c.Lift
		if l == nil {
			continue
		}
		var with []string
		for _, u := range l.With {
			if to[pypi.Normalize(u.Name)] != u.To {
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
		if i, ok := at[pypi.Normalize(c.Name)]; ok {
			planned[i] = c
		} else {
			planned = append(planned, c)
		}
	}
	sort.SliceStable(planned, func(i, j int) bool { return pypi.Normalize(planned[i].Name) < pypi.Normalize(planned[j].Name) })
	return planned
}
