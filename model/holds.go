package model

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi/pep440"
)

// newItem makes the table item for an outdated package. A package that an
// installed dependent holds back is offered at its wanted version (the
// newest that dependent allows), grouped and pre-selected by that step, so
// that upgrading the default selection never breaks a dependent. When no
// newer version is allowed it stays at Latest, never pre-selected: ticking
// it is the user's explicit choice.
func newItem(p pip.PackageChecked) item {
	it := item{pkg: p}
	if p.HeldBack() && p.Wanted != p.Version && p.WantedCandidate.URL != "" {
		from, err1 := pep440.Parse(p.Version)
		to, err2 := pep440.Parse(p.Wanted)
		if err1 == nil && err2 == nil && to.Compare(from) > 0 {
			it.heldLatest = p.Latest
			it.pkg.Latest, it.pkg.Candidate = p.Wanted, p.WantedCandidate
			it.pkg.Bump = pip.BumpOf(from, to)
		}
	}
	it.selected = preselected(it.pkg.Bump) && (!p.HeldBack() || it.heldLatest != "")
	return it
}

// holdText says what holds a package back, for the details line.
func holdText(it item) string {
	var parts []string
	for _, h := range it.pkg.HeldBackBy {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Requirement))
	}
	by := strings.Join(parts, ", ")
	lift := ""
	if l := it.pkg.Lift; l != nil {
		var with []string
		for _, u := range l.With {
			with = append(with, u.Name+" "+u.To)
		}
		lift = fmt.Sprintf("; %s allowed with %s", l.To, strings.Join(with, ", "))
	}
	if it.heldLatest != "" {
		return fmt.Sprintf("%s held back by %s%s", it.heldLatest, by, lift)
	}
	return fmt.Sprintf("held back by %s: upgrading would break it%s", by, lift)
}
