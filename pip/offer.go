package pip

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/pypi/pep440"
)

// Offer is how an outdated package is offered for upgrading: the version
// ticking it upgrades to, whether it starts ticked, and the pair that
// frees it when it is held back. The UI's table shows offers; every
// version decision behind them is made here, by OfferFor.
type Offer struct {
	// Package is what the scan found; its Latest is the latest version.
	Package PackageChecked
	// Upgrade is what ticking the package upgrades: to Latest, or, when
	// an installed dependent holds Latest back but allows a newer version
	// than the installed one, to that version (Wanted), so that the
	// default choice never breaks a dependent.
	Upgrade Upgrade
	// Preselect says the package starts ticked: patch and minor upgrades
	// (major and pre-releases may break callers, so the user opts in),
	// and never a held-back package offered at Latest, which would break
	// the dependent holding it.
	Preselect bool
	// HeldLatest is the latest version when Upgrade stops below it at
	// Wanted; "" otherwise.
	HeldLatest string
	// Pair is the upgrade to the Lift's version, to be chosen together
	// with the Lift's upgrades of the dependents (see Choice.PairWith);
	// nil when the package has no Lift to a newer version with a file.
	Pair *Upgrade
}

// OfferFor decides how an outdated package is offered.
func OfferFor(p PackageChecked) Offer {
	o := Offer{Package: p, Upgrade: p.ToLatest()}
	from, err := pep440.Parse(p.Version)
	// Whatever keeps Wanted below Latest — a dependent, a pin or the
	// cooldown — the default offer stops at Wanted, as the plan would.
	limited := p.HeldBack() || p.PinnedBy != "" || (p.Cooldown != nil && p.Cooldown.Held)
	if limited && p.Wanted != p.Version && p.WantedCandidate.URL != "" && err == nil {
		if to, err := pep440.Parse(p.Wanted); err == nil && to.Compare(from) > 0 {
			o.HeldLatest = p.Latest
			o.Upgrade.Target, o.Upgrade.Candidate, o.Upgrade.Bump = p.Wanted, p.WantedCandidate, BumpOf(from, to)
		}
	}
	o.Preselect = preselected(o.Upgrade.Bump) && (!limited || o.HeldLatest != "")
	if l := p.Lift; l != nil && p.HeldBack() && len(l.With) > 0 && l.Candidate.URL != "" && err == nil {
		if to, err := pep440.Parse(l.To); err == nil && to.Compare(from) > 0 {
			pair := o.Upgrade
			pair.Target, pair.Candidate, pair.Bump = l.To, l.Candidate, BumpOf(from, to)
			o.Pair = &pair
		}
	}
	return o
}

// preselected says which upgrades start ticked: patch and minor ones.
func preselected(b Bump) bool { return b == BumpPatch || b == BumpMinor }

// The notes below are the words `pipup list` and the UI share; each
// surface adds only its layout around them.

// HoldNote says what holds a package back: `held back by boto3 1.43.11
// (botocore<1.44.0,>=1.43.11)`, dependents joined by commas; "" when
// nothing does.
func (c PackageChecked) HoldNote() string {
	if len(c.HeldBackBy) == 0 {
		return ""
	}
	parts := make([]string, len(c.HeldBackBy))
	for i, h := range c.HeldBackBy {
		parts[i] = fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Requirement)
	}
	return "held back by " + strings.Join(parts, ", ")
}

// ListNote is `pipup list`'s Note column, why Wanted is below Latest:
// the pin (PinNote), the cooldown (CooldownNote), the HoldNote, and the version the Lift would allow
// with what, e.g. `held back by holder 1.0 (dep<2); 2.0 with holder 2.0`.
func (c PackageChecked) ListNote() string {
	var parts []string
	if c.PinnedBy != "" {
		parts = append(parts, PinNote(c.PinnedBy))
	}
	if c.Cooldown != nil {
		parts = append(parts, c.Cooldown.String())
	}
	if c.HeldBack() {
		note := c.HoldNote()
		if c.Lift != nil {
			note += fmt.Sprintf("; %s with %s", c.Lift.To, c.Lift.WithList())
		}
		parts = append(parts, note)
	}
	return strings.Join(parts, "; ")
}

// WithList names the upgrades of a Lift: "boto3 1.44.5, s3transfer 0.11.0".
func (l *Lift) WithList() string {
	with := make([]string, len(l.With))
	for i, u := range l.With {
		with[i] = u.Name + " " + u.To
	}
	return strings.Join(with, ", ")
}
