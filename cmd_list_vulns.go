package main

import (
	"fmt"

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
