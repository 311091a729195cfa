package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// TestUpgradePlanKeepsRandomEnvironmentsConsistent generates small
// dependency universes (seeded, so a failure names its seed) and checks
// the plan's promise with pip as the judge: after `pipup upgrade --all`
// (and with --latest) installs exactly the planned versions, `pip check`
// finds nothing broken, and pipup reported every package it changed.
//
// Each universe (pypitest.RandomUniverse): p0…p4 installed at 1.0, newer
// versions whose requirements are random ranges on the others and on px,
// which is only on the index. Many such upgrades would break something if
// installed as chosen; the plan must lower, add or leave them out.
func TestUpgradePlanKeepsRandomEnvironmentsConsistent(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 6; seed++ {
		for _, latest := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d/latest=%v", seed, latest), func(t *testing.T) {
				t.Parallel()
				specs, pins := pypitest.RandomUniverse(seed, 5)
				s := newUpgradeSetup(t)
				s.seed(specs, pins...)
				before := s.versions()
				args := []string{"upgrade", "--all", "--yes"}
				if latest {
					args = append(args, "--latest")
				}
				out, errOut, code := s.pipup(args...)
				if code != exitOK {
					t.Fatalf("exit %d\n%s%s\nuniverse:\n%s", code, out, errOut, describe(specs))
				}
				t.Logf("plan notes:\n%s", errOut)
				if chk, chkErr, code := runCmd(t, s.env, s.py, "-m", "pip", "check"); code != 0 {
					t.Errorf("pip check after the plan:\n%s%s\npipup said:\n%s%s\nuniverse:\n%s", chk, chkErr, out, errOut, describe(specs))
				}
				after := s.versions()
				for name, v := range after {
					if before[name] == v {
						continue
					}
					from := before[name]
					if from == "" {
						from = "-"
					}
					if !rowMatches(out, name, from, v) {
						t.Errorf("%s went %s → %s without a row saying so:\n%s", name, from, v, out)
					}
				}
				if len(after) < len(before) {
					t.Errorf("packages disappeared: %v → %v", before, after)
				}
			})
		}
	}
}

func describe(specs []pypitest.WheelSpec) string {
	var b strings.Builder
	for _, s := range specs {
		fmt.Fprintf(&b, "  %s %s: %s\n", s.Name, s.Version, strings.Join(s.Requires, ", "))
	}
	return b.String()
}
