package main

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// The vulnerability part of pipup list: the Note's words, the JSON
// objects and --fail-on vulnerable's test.

// vulnsOf is what the scan found of c's installed version (nil: none
// known, or not looked up).
func (r scanResult) vulnsOf(c pip.PackageChecked) []pip.Vuln {
	return r.vulns[pypi.Normalize(c.Name)].Vulns
}

// vulnNote is the Note's part about known vulnerabilities: those the
// target fixes first, `fixes PYSEC-2024-1 (CVE-2024-1)`, then those it
// does not, `still vulnerable: GHSA-x (fixed in 3.0)`.
func vulnNote(vulns []pip.Vuln) string {
	var fixed, open []string
	for _, v := range vulns {
		name := v.ID
		if len(v.Aliases) > 0 {
			name += " (" + strings.Join(v.Aliases, ", ") + ")"
		}
		if v.FixedByTarget {
			fixed = append(fixed, name)
			continue
		}
		if len(v.FixedIn) > 0 {
			name += " (fixed in " + strings.Join(v.FixedIn, ", ") + ")"
		} else {
			name += " (no fix known)"
		}
		open = append(open, name)
	}
	var parts []string
	if len(fixed) > 0 {
		parts = append(parts, "fixes "+strings.Join(fixed, ", "))
	}
	if len(open) > 0 {
		parts = append(parts, "still vulnerable: "+strings.Join(open, ", "))
	}
	return strings.Join(parts, "; ")
}

// vulnJSON is one entry of a package's "vulnerabilities" in --json.
type vulnJSON struct {
	ID            string   `json:"id"`
	Aliases       []string `json:"aliases"`
	FixedIn       []string `json:"fixed_in"`
	Link          string   `json:"link,omitempty"`
	FixedByTarget bool     `json:"fixed_by_target"`
}

// vulnsJSON is never null: [] when none is known.
func vulnsJSON(vulns []pip.Vuln) []vulnJSON {
	out := make([]vulnJSON, 0, len(vulns))
	for _, v := range vulns {
		out = append(out, vulnJSON{ID: v.ID, Aliases: nonNil(v.Aliases), FixedIn: nonNil(v.FixedIn), Link: v.Link, FixedByTarget: v.FixedByTarget})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// vulnWarnings are the look-ups that failed, one line each.
func vulnWarnings(r scanResult) []string {
	var out []string
	for _, name := range r.vulnOrder {
		if err := r.vulns[name].Err; err != nil {
			out = append(out, oneLine(pypi.RedactURL(err.Error())))
		}
	}
	return out
}

// fixesVulnerability is --fail-on vulnerable's test: the upgrade pipup
// would make fixes a known vulnerability of the installed version. An
// advisory that the target does not fix is shown but fails nothing: the
// rule answers "is there a security upgrade to take", as the Security
// group does, not "is this environment free of advisories" (pip-audit's
// question).
func fixesVulnerability(vulns []pip.Vuln) bool {
	for _, v := range vulns {
		if v.FixedByTarget {
			return true
		}
	}
	return false
}

// vulnFailRuleError checks --fail-on vulnerable against --no-vulns.
func vulnFailRuleError(rule string, noVulns bool) error {
	if rule == "vulnerable" && noVulns {
		return fmt.Errorf("--fail-on vulnerable needs the vulnerability look-ups that --no-vulns (or no-vulns in pipup's settings) turns off")
	}
	return nil
}
