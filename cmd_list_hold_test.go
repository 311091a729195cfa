package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// holdFixture is a venv whose installed packages pin each other: holder
// needs dep<2, user needs feat[fast] and feat's "fast" extra needs ex<2,
// marked needs mk<2 on Windows only. Everything is installed at 1.0 by pip
// with its dependencies, so the environment starts consistent.
func holdFixture(t *testing.T) (python string, srv *pypitest.Server, installed []string) {
	t.Helper()
	srv = pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, s := range []pypitest.WheelSpec{
		{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
		{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
		{Name: "holder", Version: "2.0", Requires: []string{"dep<3"}}, // frees dep
		{Name: "ex", Version: "1.0"}, {Name: "ex", Version: "1.2"}, {Name: "ex", Version: "2.0"},
		// pypitest has no Provides-Extra field; the summary line carries it.
		// Without it pip ignores the extra, and so does pipup.
		{Name: "feat", Version: "1.0", Summary: "f\nProvides-Extra: fast", Requires: []string{`ex<2; extra == "fast"`}},
		{Name: "user", Version: "1.0", Requires: []string{"feat[fast]"}},
		{Name: "mk", Version: "1.0"}, {Name: "mk", Version: "2.0"},
		{Name: "marked", Version: "1.0", Requires: []string{`mk<2; sys_platform == "win32"`}},
	} {
		if err := srv.AddWheel(s); err != nil {
			t.Fatal(err)
		}
	}
	installed = []string{"dep", "holder", "ex", "feat", "user", "mk", "marked"}
	python = pythons.Venv(t, piptest.WithPip)
	args := []string{"-m", "pip", "install", "-q", "--index-url", srv.IndexURL()}
	for _, n := range installed {
		args = append(args, n+"==1.0")
	}
	env := piptest.HomeEnviron(t.TempDir())
	if _, errOut, code := runCmd(t, env, python, args...); code != 0 {
		t.Fatalf("pip install: %s", errOut)
	}
	if out, _, code := runCmd(t, env, python, "-m", "pip", "check"); code != 0 {
		t.Fatalf("fixture is not consistent: %s", out)
	}
	return python, srv, installed
}

// pipWouldChoose asks the venv's pip which version of pkg it would install
// with --upgrade while every other installed package stays where it is: the
// version pipup should call wanted. "" means pip keeps the installed one.
func pipWouldChoose(t *testing.T, python, index, pkg string, installed []string) string {
	t.Helper()
	return pipWouldInstall(t, python, index, []string{pkg}, installed)[pkg]
}

// pipWouldInstall is pipWouldChoose for several packages upgraded together:
// it returns what pip would install, by lower-case name.
func pipWouldInstall(t *testing.T, python, index string, pkgs, installed []string) map[string]string {
	t.Helper()
	args := append([]string{"-m", "pip", "install", "-q", "--dry-run", "--report", "-", "--upgrade", "--index-url", index}, pkgs...)
	for _, n := range installed {
		if !slices.Contains(pkgs, n) {
			args = append(args, n+"==1.0")
		}
	}
	out, errOut, code := runCmd(t, piptest.HomeEnviron(t.TempDir()), python, args...)
	if code != 0 {
		t.Fatalf("pip install --dry-run %v: %s", pkgs, errOut)
	}
	var report struct {
		Install []struct {
			Metadata struct{ Name, Version string } `json:"metadata"`
		} `json:"install"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("pip report: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, i := range report.Install {
		got[strings.ToLower(i.Metadata.Name)] = i.Metadata.Version
	}
	return got
}

func TestListWantedAndHeldBack(t *testing.T) {
	bin := pipupBinary(t)
	py, srv, installed := holdFixture(t)
	env := piptest.HomeEnviron(t.TempDir())

	out, errOut, code := runCmd(t, env, bin, "list", "--python", py, "--index-url", srv.IndexURL())
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	want := "" +
		"Package  Installed  Wanted  Latest  Type   Note\n" +
		"dep      1.0        1.5     2.0     major  held back by holder 1.0 (dep<2); 2.0 with holder 2.0\n" +
		"ex       1.0        1.2     2.0     major  held back by feat 1.0 (ex<2)\n" +
		"holder   1.0        2.0     2.0     major\n" +
		"mk       1.0        2.0     2.0     major\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}

	out, errOut, code = runCmd(t, env, bin, "list", "--json", "--python", py, "--index-url", srv.IndexURL())
	if code != exitOK {
		t.Fatalf("--json: exit %d, stderr:\n%s", code, errOut)
	}
	var got []struct {
		Name          string `json:"name"`
		LatestVersion string `json:"latest_version"`
		WantedVersion string `json:"wanted_version"`
		HeldBackBy    []struct {
			Name, Version, Requirement string
		} `json:"held_back_by"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 4 {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if !strings.Contains(out, `"held_back_by":[]`) {
		t.Errorf("a package held back by nothing should have an empty list:\n%s", out)
	}
	for _, e := range got {
		// pip itself, asked to upgrade the package while every other
		// installed package stays, must land on the same version.
		pipChoice := pipWouldChoose(t, py, srv.IndexURL(), e.Name, installed)
		if pipChoice != e.WantedVersion {
			t.Errorf("%s: pipup wants %s, pip would install %q", e.Name, e.WantedVersion, pipChoice)
		}
		if held := len(e.HeldBackBy) > 0; held != (e.WantedVersion != e.LatestVersion) {
			t.Errorf("%s: wanted %s latest %s but held_back_by %+v", e.Name, e.WantedVersion, e.LatestVersion, e.HeldBackBy)
		}
	}
	if !strings.Contains(out, `"lift":{"version":"2.0","with":[{"name":"holder","from":"1.0","to":"2.0"}]}`) {
		t.Errorf("dep's lift missing from the JSON:\n%s", out)
	}
	// pip, asked to upgrade dep and holder together, agrees with the lift.
	if both := pipWouldInstall(t, py, srv.IndexURL(), []string{"dep", "holder"}, installed); both["dep"] != "2.0" || both["holder"] != "2.0" {
		t.Errorf("pip would install %v for dep and holder together, the lift says 2.0 and 2.0", both)
	}
	if h := got[0].HeldBackBy; got[0].Name != "dep" || len(h) != 1 || h[0].Name != "holder" || h[0].Version != "1.0" || h[0].Requirement != "dep<2" {
		t.Errorf("dep: %+v", got[0])
	}
}
