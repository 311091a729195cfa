package pip

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pipup/pipup/pypi"
)

// Choice is a table of offers and what is ticked in it. The UI keeps one
// as its state and asks it what a key does; every decision about versions
// and pairs is made here. A Choice is a value: each change returns a new
// Choice and leaves the one it came from as it was.
type Choice struct {
	offers []Offer
	ticked []bool
	// paired marks offers ticked at their Pair target together with the
	// Lift's upgrades (TickPair).
	paired []bool
	// touched marks offers the user ticked or unticked: a late answer
	// (WithVulns) never overrides that.
	touched []bool
	// vulns are the vulnerability answers, by offer (zero: none known).
	vulns []PackageVulnerable
}

// NewChoice offers each outdated package (OfferFor), in the order given,
// with the pre-selected ones ticked.
func NewChoice(outdated []PackageChecked) Choice {
	n := len(outdated)
	c := Choice{offers: make([]Offer, n), ticked: make([]bool, n), paired: make([]bool, n), touched: make([]bool, n), vulns: make([]PackageVulnerable, n)}
	for i, p := range outdated {
		c.offers[i] = OfferFor(p)
		c.ticked[i] = c.offers[i].Preselect
	}
	return c
}

// Len is the number of offers.
func (c Choice) Len() int { return len(c.offers) }

// Offer is offer i as OfferFor made it.
func (c Choice) Offer(i int) Offer { return c.offers[i] }

// Ticked says whether offer i is chosen.
func (c Choice) Ticked(i int) bool { return c.ticked[i] }

// Paired says whether offer i is chosen at its Pair target.
func (c Choice) Paired(i int) bool { return c.paired[i] }

// Upgrade is what offer i upgrades to now: its Pair when paired, else the
// offer's Upgrade.
func (c Choice) Upgrade(i int) Upgrade {
	if c.paired[i] {
		return *c.offers[i].Pair
	}
	return c.offers[i].Upgrade
}

// Chosen is the ticked upgrades in name order: what a plan is asked for.
func (c Choice) Chosen() []Upgrade {
	var out []Upgrade
	for i := range c.offers {
		if c.ticked[i] {
			out = append(out, c.Upgrade(i))
		}
	}
	slices.SortStableFunc(out, func(a, b Upgrade) int { return strings.Compare(pypi.Normalize(a.Name), pypi.Normalize(b.Name)) })
	return out
}

// PairWith finds the offers that upgrade with offer i to free it (its
// Lift.With), when they can all be ticked together: i has a Pair, and every
// upgrade the Lift needs is offered, at the version the Lift needs. A pair
// with a member missing (a stopped scan) would break the dependent it
// leaves out, so it is not offered.
func (c Choice) PairWith(i int) ([]int, bool) {
	o := c.offers[i]
	if o.Pair == nil {
		return nil, false
	}
	var with []int
	for _, u := range o.Package.Lift.With {
		j := c.index(u.Name)
		if j < 0 || j == i || c.Upgrade(j).Target != u.To {
			return nil, false
		}
		with = append(with, j)
	}
	return with, true
}

func (c Choice) index(name string) int {
	n := pypi.Normalize(name)
	return slices.IndexFunc(c.offers, func(o Offer) bool { return pypi.Normalize(o.Package.Name) == n })
}

func (c Choice) clone() Choice {
	return Choice{offers: c.offers, ticked: slices.Clone(c.ticked), paired: slices.Clone(c.paired),
		touched: slices.Clone(c.touched), vulns: slices.Clone(c.vulns)}
}

// Tick ticks (on) or unticks the offers idx, then undoes every pair that
// is no longer ticked whole. note says what that undid ("" when nothing).
func (c Choice) Tick(on bool, idx ...int) (next Choice, note string) {
	c = c.clone()
	for _, i := range idx {
		c.ticked[i], c.touched[i] = on, true
	}
	return c.unpairBroken()
}

// TickPair ticks offer i at its Pair target together with the upgrades
// that allow it; the Choice is unchanged when PairWith(i) finds no pair.
func (c Choice) TickPair(i int) Choice {
	with, ok := c.PairWith(i)
	if !ok {
		return c
	}
	c = c.clone()
	c.ticked[i], c.paired[i], c.touched[i] = true, true, true
	for _, j := range with {
		c.ticked[j], c.touched[j] = true, true
	}
	return c
}

// unpairBroken undoes the pairing of every paired offer that is no longer
// ticked with its whole pair: it goes back to its offered version, and
// stays ticked only when that version is safe on its own (HeldLatest is
// set). c is already a clone.
func (c Choice) unpairBroken() (Choice, string) {
	note := ""
	for i, o := range c.offers {
		if !c.paired[i] {
			continue
		}
		whole := c.ticked[i]
		for _, u := range o.Package.Lift.With {
			j := c.index(u.Name)
			whole = whole && j >= 0 && c.ticked[j]
		}
		if whole {
			continue
		}
		if c.ticked[i] {
			if o.HeldLatest != "" {
				note = fmt.Sprintf("%s is back at %s: %s needs %s.", o.Package.Name, o.Upgrade.Target, o.Pair.Target, o.Package.Lift.WithList())
			} else {
				note = fmt.Sprintf("%s is unticked: %s needs %s.", o.Package.Name, o.Pair.Target, o.Package.Lift.WithList())
			}
		}
		c.ticked[i] = c.ticked[i] && o.HeldLatest != ""
		c.paired[i] = false
	}
	return c, note
}

// HoldNote says, for the UI's details line, what holds offer i back and
// how to free it: with pairKey (the key that ticks the pair; "" for none)
// when PairWith finds the pair, or else the versions that would. "" when
// nothing holds it back.
func (c Choice) HoldNote(i int, pairKey string) string {
	o := c.offers[i]
	p := o.Package
	if !p.HeldBack() {
		return ""
	}
	l := p.Lift
	if c.paired[i] {
		return fmt.Sprintf("upgrading with %s, which allows %s; %s otherwise", l.WithList(), l.To, p.HoldNote())
	}
	if _, ok := c.PairWith(i); !ok {
		pairKey = ""
	}
	lift := ""
	switch {
	case l != nil && pairKey != "":
		lift = fmt.Sprintf(" · %s: upgrade with %s → %s %s", pairKey, l.WithList(), p.Name, l.To)
	case l != nil:
		lift = fmt.Sprintf("; %s allowed with %s", l.To, l.WithList())
	}
	if o.HeldLatest != "" {
		return fmt.Sprintf("%s %s%s", o.HeldLatest, p.HoldNote(), lift)
	}
	return fmt.Sprintf("%s: upgrading would break it%s", p.HoldNote(), lift)
}
