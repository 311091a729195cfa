package main

import (
	"sort"
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

// --force-latest goes past a hold, and lists exactly the conflicts pip
// check then reports.
func TestUpgradeForceLatestListsConflicts(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{
		{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
		{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
		{Name: "other", Version: "1.0", Requires: []string{"dep!=2.0,>=1"}},
	}, "dep==1.0", "holder==1.0", "other==1.0")
	out, errOut, code := s.pipup("upgrade", "dep", "--force-latest", "--yes")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["dep"] != "2.0" {
		t.Errorf("versions %v, want dep 2.0", v)
	}
	var listed []string
	for _, line := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(line, "warning: ") && strings.HasSuffix(line, "(--force-latest)") {
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "warning: "), " has requirement ")
			listed = append(listed, name)
		}
	}
	check, _, code := runCmd(t, s.env, s.py, "-m", "pip", "check")
	if code == 0 {
		t.Fatalf("pip check passed; the test needs a conflict:\n%s", check)
	}
	var reported []string
	for _, line := range strings.Split(strings.TrimSpace(check), "\n") {
		// "holder 1.0 has requirement dep<2, but you have dep 2.0."
		name, _, ok := strings.Cut(line, " has requirement ")
		if !ok {
			t.Errorf("unexpected pip check line %q", line)
		}
		reported = append(reported, name)
	}
	sort.Strings(listed)
	sort.Strings(reported)
	if strings.Join(listed, ";") != strings.Join(reported, ";") || len(listed) != 2 {
		t.Errorf("pipup listed %q, pip check reports %q\n%s", listed, reported, errOut)
	}
}
