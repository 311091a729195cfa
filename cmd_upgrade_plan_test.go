package main

import (
	"fmt"
	"math/rand/v2"
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
// Each universe: packages p0…p4 installed at 1.0, whose requirements on
// each other hold at 1.0; newer versions 1.5 … 3.0 (not all of them) whose
// requirements are random ranges on the others and on px, which is only
// on the index. Many such upgrades would break something if installed as
// chosen; the plan must lower, add or leave them out.
func TestUpgradePlanKeepsRandomEnvironmentsConsistent(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 6; seed++ {
		for _, latest := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d/latest=%v", seed, latest), func(t *testing.T) {
				t.Parallel()
				specs, pins := randomUniverse(seed)
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

// randomUniverse builds the index's wheels and the pins to install.
func randomUniverse(seed uint64) (specs []pypitest.WheelSpec, pins []string) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	installed := []string{"p0", "p1", "p2", "p3", "p4"}
	all := append(append([]string{}, installed...), "px")
	okAtOne := []string{">=1.0", "<2", "<1.6", "==1.0", ""}                       // all hold for 1.0
	ranges := []string{">=1.5", "<2", ">=2", "<1.1", "==2.5", ">=3", "", "!=2.0"} // anything goes
	newer := []string{"1.5", "2.0", "2.5", "3.0"}
	pick := func(names []string, self string, n int) []string {
		var out []string
		for _, i := range r.Perm(len(names))[:n] {
			if names[i] != self {
				out = append(out, names[i])
			}
		}
		return out
	}
	for _, p := range installed {
		var req []string
		for _, d := range pick(installed, p, r.IntN(3)) {
			req = append(req, d+okAtOne[r.IntN(len(okAtOne))])
		}
		specs = append(specs, pypitest.WheelSpec{Name: p, Version: "1.0", Requires: req})
		pins = append(pins, p+"==1.0")
	}
	for _, p := range all {
		for _, v := range newer {
			if r.IntN(3) == 0 {
				continue
			}
			var req []string
			for _, d := range pick(all, p, r.IntN(3)) {
				req = append(req, d+ranges[r.IntN(len(ranges))])
			}
			specs = append(specs, pypitest.WheelSpec{Name: p, Version: v, Requires: req})
		}
	}
	return specs, pins
}

func describe(specs []pypitest.WheelSpec) string {
	var b strings.Builder
	for _, s := range specs {
		fmt.Fprintf(&b, "  %s %s: %s\n", s.Name, s.Version, strings.Join(s.Requires, ", "))
	}
	return b.String()
}
