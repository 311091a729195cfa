package main

import (
	"os"
	"path/filepath"
	"slices"
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
		if l, ok := strings.CutPrefix(line, "warning: --force-latest: "); ok {
			listed = append(listed, l)
		}
	}
	check, _, code := runCmd(t, s.env, s.py, "-m", "pip", "check")
	if code == 0 {
		t.Fatalf("pip check passed; the test needs a conflict:\n%s", check)
	}
	var reported []string
	for _, line := range strings.Split(strings.TrimSpace(check), "\n") {
		// "holder 1.0 has requirement dep<2, but you have dep 2.0."
		reported = append(reported, line)
	}
	sort.Strings(listed)
	sort.Strings(reported)
	if strings.Join(listed, ";") != strings.Join(reported, ";") || len(listed) != 2 {
		t.Errorf("pipup listed %q, pip check reports %q\n%s", listed, reported, errOut)
	}
}

// `upgrade dep --latest` brings the holding dependent's newer version that
// allows dep's latest; without --latest dep stops at what holder allows and
// the note says how to go further.
func TestUpgradeLatestPullsInHolder(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{
		{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
		{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
		{Name: "holder", Version: "2.0", Requires: []string{"dep>=2"}},
	}, "dep==1.0", "holder==1.0")

	out, errOut, code := s.pipup("upgrade", "dep", "--dry-run")
	if code != exitOK || !strings.Contains(errOut, "dep: upgrading to 1.5, not 2.0: held back by holder 1.0 (dep<2) (--latest also upgrades holder 2.0, which allows 2.0)") {
		t.Errorf("dry run without --latest: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = s.pipup("upgrade", "dep", "--latest", "--yes")
	if code != exitOK {
		t.Fatalf("upgrade dep --latest: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["dep"] != "2.0" || v["holder"] != "2.0" {
		t.Errorf("versions %v, want dep and holder at 2.0", v)
	}
	if !strings.Contains(errOut, "holder: also upgrading to 2.0: allows dep 2.0 (holder 1.0 requires dep<2)") {
		t.Errorf("no note on the added dependent:\n%s", errOut)
	}
	if !rowMatches(out, "holder", "1.0", "2.0", "upgraded") || !rowMatches(out, "dep", "1.0", "2.0", "upgraded") {
		t.Errorf("rows:\n%s", out)
	}
	if out, errOut, code := runCmd(t, s.env, s.py, "-m", "pip", "check"); code != 0 {
		t.Errorf("pip check failed:\n%s%s", out, errOut)
	}
}

// A new version's new requirements are part of the plan: a raised floor
// adds the dependency's upgrade, a new dependency is installed, and undo
// takes both back. A new version that would need a downgrade stays out.
func TestUpgradePlanAddsRequirements(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{
		{Name: "app", Version: "1.0", Requires: []string{"lib>=1"}},
		{Name: "app", Version: "2.0", Requires: []string{"lib>=2", "Fresh_Dep>=1"}},
		{Name: "lib", Version: "1.0"}, {Name: "lib", Version: "2.0"},
		{Name: "fresh-dep", Version: "1.3"},
		{Name: "old", Version: "1.0"}, {Name: "old", Version: "2.0", Requires: []string{"lib<1"}},
		{Name: "lib", Version: "0.9"},
	}, "app==1.0", "lib==1.0", "old==1.0")

	out, errOut, code := s.pipup("upgrade", "app", "old", "--yes")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	v := s.versions()
	if v["app"] != "2.0" || v["lib"] != "2.0" || v["fresh-dep"] != "1.3" || v["old"] != "1.0" {
		t.Errorf("versions %v, want app 2.0, lib 2.0, fresh-dep 1.3, old 1.0", v)
	}
	for _, note := range []string{
		"lib: also upgrading to 2.0: required by app 2.0 (lib>=2)",
		"Fresh_Dep: installing 1.3: required by app 2.0 (Fresh_Dep>=1)",
		"old stays at 1.0: old 2.0 requires lib<1, but no version of lib above 1.0 on the index fits",
	} {
		if !strings.Contains(errOut, note) {
			t.Errorf("missing note %q in:\n%s", note, errOut)
		}
	}
	if !rowMatches(out, "Fresh_Dep", "-", "1.3", "installed") || !rowMatches(out, "lib", "1.0", "2.0", "upgraded") {
		t.Errorf("the added install is not in the results:\n%s", out)
	}
	if out, errOut, code := runCmd(t, s.env, s.py, "-m", "pip", "check"); code != 0 {
		t.Errorf("pip check failed:\n%s%s", out, errOut)
	}

	out, errOut, code = runCmd(t, s.env, pipupBinary(t), "undo", "--yes", "--python", s.py, "--index-url", s.srv.IndexURL())
	if code != exitOK {
		t.Fatalf("undo: exit %d\n%s%s", code, out, errOut)
	}
	v = s.versions()
	if v["app"] != "1.0" || v["lib"] != "1.0" || v["fresh-dep"] != "" {
		t.Errorf("after undo: versions %v, want app 1.0, lib 1.0, no fresh-dep", v)
	}
	assertHealthy(t, s.interp())
}

// pipup upgrade reads pip's [install] section, as pip install does, and
// pipup list reads [list]/[global], as pip list --outdated does: with the
// index only in [install] (and an unreachable one in [global]) the upgrade
// works and the list cannot reach its index.
func TestUpgradeReadsInstallConfigSection(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed([]pypitest.WheelSpec{{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "2.0"}}, "dep==1.0")
	cfg := filepath.Join(t.TempDir(), "pip.conf")
	conf := "[global]\nindex-url = http://127.0.0.1:1/simple/\n[install]\nindex-url = " + s.srv.IndexURL() + "\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(slices.DeleteFunc(slices.Clone(s.env), func(kv string) bool { return strings.HasPrefix(kv, "PIP_CONFIG_FILE=") }), "PIP_CONFIG_FILE="+cfg)

	out, errOut, code := runCmd(t, env, pipupBinary(t), "list", "--python", s.py)
	if code != exitFailed || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Errorf("list with [global]'s unreachable index: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCmd(t, env, pipupBinary(t), "upgrade", "dep", "--yes", "--python", s.py)
	if code != exitOK || s.versions()["dep"] != "2.0" {
		t.Errorf("upgrade with [install]'s index: exit %d, dep %s\n%s%s", code, s.versions()["dep"], out, errOut)
	}
}
