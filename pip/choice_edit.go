package pip

import "slices"

// The Choice's changes that come from outside the table's ticks: answers
// of the vulnerability look-ups, which arrive after the table is shown,
// and a package the user ignores from now on.

// WithVulns records the vulnerability answer for its package (by name; a
// package not offered is left alone). When the offered upgrade fixes one
// of them, the offer is ticked, whatever the size of the step: a security
// fix is worth a major upgrade's risk by default. It is not ticked when
// the user already ticked or unticked it (their word stands), nor when it
// is offered at a Latest that a dependent holds back (ticking it would
// break that dependent, as OfferFor never pre-selects it).
func (c Choice) WithVulns(v PackageVulnerable) Choice {
	i := c.index(v.Name)
	if i < 0 {
		return c
	}
	c = c.clone()
	c.vulns[i] = v
	o := c.offers[i]
	if !c.touched[i] && c.Secures(i) && (!o.Package.HeldBack() || o.HeldLatest != "") {
		c.ticked[i] = true
	}
	return c
}

// Vulns are the known vulnerabilities of offer i's installed version, with
// FixedByTarget measured against its upgrade now (nil when none is known).
func (c Choice) Vulns(i int) []Vuln {
	if len(c.vulns[i].Vulns) == 0 {
		return nil
	}
	return c.vulns[i].For(c.Upgrade(i).Target)
}

// Secures reports whether offer i's upgrade fixes a known vulnerability.
func (c Choice) Secures(i int) bool { return fixesAny(c.Vulns(i)) }

// Without drops the offer of name (any spelling), as when the user ignores
// the package from now on; a pair that needed it is undone, with the note
// Tick gives. The Choice is unchanged when name is not offered.
func (c Choice) Without(name string) (next Choice, note string) {
	i := c.index(name)
	if i < 0 {
		return c, ""
	}
	c = Choice{
		offers: slices.Delete(slices.Clone(c.offers), i, i+1), ticked: slices.Delete(slices.Clone(c.ticked), i, i+1),
		paired: slices.Delete(slices.Clone(c.paired), i, i+1), touched: slices.Delete(slices.Clone(c.touched), i, i+1),
		vulns: slices.Delete(slices.Clone(c.vulns), i, i+1),
	}
	return c.unpairBroken()
}
