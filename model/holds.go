package model

import (
	"fmt"
	"slices"
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

// holdText says what holds a package back, for the details line, and how
// to free it: pairKey ("" when the pair cannot be ticked, see pairWith)
// or else the versions that would.
func holdText(it item, pairKey string) string {
	var parts []string
	for _, h := range it.pkg.HeldBackBy {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Requirement))
	}
	by := strings.Join(parts, ", ")
	l := it.pkg.Lift
	if it.unpaired != nil && l != nil {
		return fmt.Sprintf("upgrading with %s, which allows %s; held back by %s otherwise", liftWith(l), l.To, by)
	}
	lift := ""
	switch {
	case l != nil && pairKey != "":
		lift = fmt.Sprintf(" · %s: upgrade with %s → %s %s", pairKey, liftWith(l), it.pkg.Name, l.To)
	case l != nil:
		lift = fmt.Sprintf("; %s allowed with %s", l.To, liftWith(l))
	}
	if it.heldLatest != "" {
		return fmt.Sprintf("%s held back by %s%s", it.heldLatest, by, lift)
	}
	return fmt.Sprintf("held back by %s: upgrading would break it%s", by, lift)
}

// liftWith names the upgrades of a Lift: "boto3 1.44.5, s3transfer 0.11.0".
func liftWith(l *pip.Lift) string {
	var with []string
	for _, u := range l.With {
		with = append(with, u.Name+" "+u.To)
	}
	return strings.Join(with, ", ")
}

// pairWith finds the items that upgrade with item i to free it (its
// Lift.With), when the pair key can tick them all: i is held back with a
// Lift to a newer version that has a file, and every upgrade in With is in
// the table at the version the Lift needs. A pair with a member missing
// (a stopped scan) would break the dependent it leaves out, so it is not
// offered.
func (c chooseModel) pairWith(i int) ([]int, bool) {
	it := c.items[i]
	l := it.pkg.Lift
	if l == nil || !it.pkg.HeldBack() || len(l.With) == 0 || l.Candidate.URL == "" {
		return nil, false
	}
	if _, ok := liftBump(it, l); !ok {
		return nil, false
	}
	var with []int
	for _, u := range l.With {
		j := slices.IndexFunc(c.items, func(o item) bool { return canonical(o.pkg.Name) == canonical(u.Name) })
		if j < 0 || j == i || c.items[j].pkg.Latest != u.To {
			return nil, false
		}
		with = append(with, j)
	}
	return with, true
}

// liftBump is the bump from the installed version to the Lift's target;
// false when that is no upgrade.
func liftBump(it item, l *pip.Lift) (pip.Bump, bool) {
	from, err1 := pep440.Parse(it.base().Version)
	to, err2 := pep440.Parse(l.To)
	if err1 != nil || err2 != nil || to.Compare(from) <= 0 {
		return pip.BumpNone, false
	}
	return pip.BumpOf(from, to), true
}

// base is the package as the table first offered it, before any pairing.
func (it item) base() pip.PackageChecked {
	if it.unpaired != nil {
		return *it.unpaired
	}
	return it.pkg
}

// selectPair ticks item i at its Lift target together with the upgrades
// that allow it.
func (c *chooseModel) selectPair(i int) {
	with, ok := c.pairWith(i)
	if !ok {
		return
	}
	c.items = slices.Clone(c.items)
	it := &c.items[i]
	l := it.pkg.Lift
	bump, _ := liftBump(*it, l)
	if it.unpaired == nil {
		u := it.pkg
		it.unpaired = &u
	}
	it.pkg.Latest, it.pkg.Candidate, it.pkg.Bump = l.To, l.Candidate, bump
	it.selected = true
	for _, j := range with {
		c.items[j].selected = true
	}
	c.rebuild() // the bump kind, and so the group, may have changed
}

// unpairBroken undoes the pairing of every paired package that is no
// longer ticked with its whole pair: it goes back to the version it was
// offered at, and stays ticked only when that version is safe on its own.
// Called after every change of the selection (c.items already cloned).
func (c *chooseModel) unpairBroken() {
	changed := false
	for i := range c.items {
		it := &c.items[i]
		if it.unpaired == nil {
			continue
		}
		whole := it.selected
		for _, u := range it.pkg.Lift.With {
			j := slices.IndexFunc(c.items, func(o item) bool { return canonical(o.pkg.Name) == canonical(u.Name) })
			whole = whole && j >= 0 && c.items[j].selected
		}
		if whole {
			continue
		}
		if it.selected {
			if it.heldLatest != "" {
				c.status = fmt.Sprintf("%s is back at %s: %s needs %s.", it.pkg.Name, it.unpaired.Latest, it.pkg.Latest, liftWith(it.pkg.Lift))
			} else {
				c.status = fmt.Sprintf("%s is unticked: %s needs %s.", it.pkg.Name, it.pkg.Latest, liftWith(it.pkg.Lift))
			}
		}
		it.selected = it.selected && it.heldLatest != ""
		it.pkg, it.unpaired = *it.unpaired, nil
		changed = true
	}
	if changed {
		c.rebuild()
	}
}
