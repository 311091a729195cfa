package pip

import (
	"reflect"
	"testing"
)

// A vulnerability answer ticks an offer whose upgrade fixes it, major step
// included, unless the user already ticked or unticked it or ticking would
// break a dependent; one the upgrade does not fix ticks nothing.
func TestChoiceWithVulns(t *testing.T) {
	major := free("django", "4.2", "5.0", BumpMajor)
	minor := free("idna", "3.6", "3.7", BumpMinor)
	heldAtLatest := stuck() // offered at Latest 1.1, which holder's requirement excludes
	fix := func(name, from, fixedIn string) PackageVulnerable {
		return PackageVulnerable{Name: name, Version: from, Vulns: []Vuln{{ID: "PYSEC-1", FixedIn: []string{fixedIn}}}}
	}
	for _, tt := range []struct {
		name    string
		p       PackageChecked
		keys    func(Choice) Choice // what the user did first
		v       PackageVulnerable
		ticked  bool
		secures bool
	}{
		{"major that fixes", major, nil, fix("django", "4.2", "5.0"), true, true},
		{"major that does not fix", major, nil, fix("django", "4.2", "5.1"), false, false},
		{"fix below the target", major, nil, fix("django", "4.2", "4.2.9"), true, true},
		{"unticked by the user", minor, func(c Choice) Choice { c, _ = c.Tick(false, 0); return c }, fix("idna", "3.6", "3.7"), false, true},
		{"ticked by the user, no fix", major, func(c Choice) Choice { c, _ = c.Tick(true, 0); return c }, fix("django", "4.2", "9.0"), true, false},
		{"held back at latest", heldAtLatest, nil, fix("dep", "1.0", "1.1"), false, true},
		{"another package's answer", major, nil, fix("flask", "1.0", "2.0"), false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChoice([]PackageChecked{tt.p})
			if tt.keys != nil {
				c = tt.keys(c)
			}
			before := c.Ticked(0)
			next := c.WithVulns(tt.v)
			if next.Ticked(0) != tt.ticked || next.Secures(0) != tt.secures {
				t.Errorf("ticked %v secures %v, want %v %v", next.Ticked(0), next.Secures(0), tt.ticked, tt.secures)
			}
			if c.Ticked(0) != before || c.Secures(0) {
				t.Errorf("WithVulns changed the Choice it came from")
			}
		})
	}
}

// The fix is measured against the upgrade the row offers now: a held
// package offered at Wanted, then paired up to the Lift's version.
func TestChoiceVulnsFollowTheUpgrade(t *testing.T) {
	boto3 := free("boto3", "1.43.11", "1.44.5", BumpMinor)
	c := NewChoice([]PackageChecked{heldWithPair(), boto3})
	c = c.WithVulns(PackageVulnerable{Name: "botocore", Version: "1.43.11", Vulns: []Vuln{{ID: "GHSA-x", FixedIn: []string{"1.44.0"}}}})
	if c.Secures(0) {
		t.Errorf("at Wanted %s: secures, want not (fixed in 1.44.0)", c.Upgrade(0).Target)
	}
	c = c.TickPair(0)
	if !c.Secures(0) || !c.Vulns(0)[0].FixedByTarget {
		t.Errorf("paired to %s: %+v, want fixed", c.Upgrade(0).Target, c.Vulns(0))
	}
}

func TestChoiceWithout(t *testing.T) {
	boto3 := free("boto3", "1.43.11", "1.44.5", BumpMinor)
	idna := free("idna", "3.6", "3.7", BumpMinor)
	c := NewChoice([]PackageChecked{heldWithPair(), boto3, idna}).TickPair(0)
	c = c.WithVulns(PackageVulnerable{Name: "idna", Version: "3.6", Vulns: []Vuln{{ID: "A", FixedIn: []string{"3.7"}}}})

	next, note := c.Without("BOTO3")
	if next.Len() != 2 || next.Offer(0).Package.Name != "botocore" || next.Offer(1).Package.Name != "idna" {
		t.Fatalf("offers after Without: %d", next.Len())
	}
	if next.Paired(0) || next.Upgrade(0).Target != "1.43.20" || note == "" {
		t.Errorf("botocore's pair lost boto3: paired %v target %s note %q; want back at Wanted with a note", next.Paired(0), next.Upgrade(0).Target, note)
	}
	if !next.Secures(1) || !next.Ticked(1) {
		t.Errorf("idna kept its answer and tick: secures %v ticked %v", next.Secures(1), next.Ticked(1))
	}
	if c.Len() != 3 || !c.Paired(0) {
		t.Errorf("Without changed the Choice it came from")
	}
	if same, note := c.Without("flask"); !reflect.DeepEqual(same, c) || note != "" {
		t.Errorf("Without of a package not offered changed the Choice")
	}
}
