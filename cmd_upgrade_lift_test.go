package main

import (
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// holder 1.0 pins dep<2; holder 2.0 allows dep 2.x. `upgrade --all` moves
// both to 2.0 together; upgrading dep alone stops at 1.5. pip check passes
// after each run.
func TestUpgradeLiftsHoldWithDependent(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{
		{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
		{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
		{Name: "holder", Version: "2.0", Requires: []string{"dep<3"}},
	}, "dep==1.0", "holder==1.0")
	pipCheck := func(when string) {
		t.Helper()
		if out, errOut, code := runCmd(t, s.env, s.py, "-m", "pip", "check"); code != 0 {
			t.Errorf("%s: pip check failed:\n%s%s", when, out, errOut)
		}
	}
	pipCheck("seeded")

	out, errOut, code := s.pipup("upgrade", "dep", "--yes")
	if code != exitOK {
		t.Fatalf("upgrade dep: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["dep"] != "1.5" || v["holder"] != "1.0" {
		t.Errorf("upgrade dep alone: versions %v, want dep 1.5 (held by holder 1.0)", v)
	}
	pipCheck("after upgrade dep")

	out, errOut, code = s.pipup("upgrade", "--all", "--yes")
	if code != exitOK {
		t.Fatalf("upgrade --all: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["dep"] != "2.0" || v["holder"] != "2.0" {
		t.Errorf("upgrade --all: versions %v, want both at 2.0", v)
	}
	if !strings.Contains(errOut, "dep: upgrading to 2.0, together with holder 2.0, which allows it") {
		t.Errorf("upgrade --all: no note on the lifted hold:\n%s", errOut)
	}
	if strings.Contains(errOut, "dep stays") || strings.Contains(errOut, "held back") {
		t.Errorf("upgrade --all: a lifted hold reported as a hold too:\n%s", errOut)
	}
	pipCheck("after upgrade --all")
	assertHealthy(t, s.interp())
}
