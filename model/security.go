package model

import (
	"strings"

	"github.com/pipup/pipup/pip"
)

// Known vulnerabilities in the table. The scan's answers (pip.
// PackageVulnerable) arrive after the table is shown; each goes into the
// choice, which decides what it ticks, and the rows follow.

// bumpSecurity is the group of rows whose upgrade fixes a known
// vulnerability: first in the bump-kind order, whatever their step.
const bumpSecurity pip.Bump = "security"

// groupOf is the group offer i is listed under when sorted by bump kind.
func (c chooseModel) groupOf(i int) pip.Bump {
	if c.choice.Secures(i) {
		return bumpSecurity
	}
	return c.choice.Upgrade(i).Bump
}

// preselectNote is the line above the table that says what starts ticked.
func (c chooseModel) preselectNote() string {
	for i := range c.choice.Len() {
		if c.choice.Secures(i) {
			return "Security, patch and minor upgrades are pre-selected; other majors and pre-releases are not."
		}
	}
	return "Patch and minor upgrades are pre-selected; major and pre-releases are not."
}

// withVulns takes one vulnerability answer in.
func (c chooseModel) withVulns(v pip.PackageVulnerable) chooseModel {
	if len(v.Vulns) == 0 {
		return c // a failed look-up: the row has nothing to show
	}
	c.choice = c.choice.WithVulns(v)
	c.rebuild()
	return c
}

// vulnIDs names the vulnerabilities for a narrow cell: ids only, those the
// upgrade fixes first.
func vulnIDs(vulns []pip.Vuln) (fixed, open []string) {
	for _, v := range vulns {
		if v.FixedByTarget {
			fixed = append(fixed, v.ID)
		} else {
			open = append(open, v.ID)
		}
	}
	return fixed, open
}

// vulnCell is what the summary cell of a row with known vulnerabilities
// says instead of the summary: they matter more.
func (c chooseModel) vulnCell(i, w int) string {
	fixed, open := vulnIDs(c.choice.Vulns(i))
	switch {
	case len(fixed) > 0:
		return c.st.security.Render(fit("fixes "+strings.Join(fixed, ", "), w))
	case len(open) > 0:
		return c.st.warn.Render(fit("vulnerable: "+strings.Join(open, ", "), w))
	}
	return ""
}

// vulnLine is the details line's part about known vulnerabilities, in
// pipup list's words; "" when none is known.
func (c chooseModel) vulnLine(i int) string {
	vulns := c.choice.Vulns(i)
	if len(vulns) == 0 {
		return ""
	}
	fixed, _ := vulnIDs(vulns)
	if len(fixed) > 0 {
		return c.st.security.Render(pip.VulnNote(vulns))
	}
	return c.st.warn.Render(pip.VulnNote(vulns))
}

// cleanVulnerable copies an answer with the index's text made safe for
// the terminal.
func cleanVulnerable(e pip.PackageVulnerable) pip.PackageVulnerable {
	e.Name, e.Version, e.Wanted = clean(e.Name), clean(e.Version), clean(e.Wanted)
	vulns := make([]pip.Vuln, len(e.Vulns))
	for i, v := range e.Vulns {
		v.ID, v.Link, v.Summary = clean(v.ID), clean(v.Link), clean(v.Summary)
		v.Aliases, v.FixedIn = cleanAll(v.Aliases), cleanAll(v.FixedIn)
		vulns[i] = v
	}
	e.Vulns = vulns
	return e
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}
