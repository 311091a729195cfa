package pip

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// checkCase is a broken environment: wheels installed by pip with
// --no-deps, then edits that installers would not make (stale metadata,
// hand-edited files).
type checkCase struct {
	name   string
	wheels []pypitest.WheelSpec
	edit   func(t *testing.T, site string)
}

var checkCases = []checkCase{
	{name: "consistent", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta>=1"}},
		{Name: "beta", Version: "1.5"},
	}},
	{name: "missing", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"gamma", "beta>=1", "beta-x (>=2)"}},
		{Name: "zeta", Version: "2.0", Requires: []string{"absent @ https://example.invalid/absent.whl"}},
	}},
	{name: "conflict", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta<2,>=1.0", `gamma!=1.0; python_version >= "3"`, "delta==1.0", "delta"}},
		{Name: "beta", Version: "2.0"},
		{Name: "gamma", Version: "1.0.0"},
		{Name: "delta", Version: "1.1rc1"},
	}},
	{name: "marker excluded", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{`beta; python_version < "3"`, `gamma>=9; sys_platform == "win32"`, `delta; python_version >= "3"`}},
		{Name: "gamma", Version: "1.0"},
	}},
	{name: "extras", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta[fast,Big]>=1"}},
		{Name: "beta", Version: "0.5", ProvidesExtra: []string{"fast"}, Requires: []string{
			`fastlib; extra == "fast"`, `gamma; extra == "fast" or python_version >= "3"`, `delta>=2; extra != "fast"`,
		}},
		{Name: "delta", Version: "1.0"},
	}},
	{name: "name spelled differently", wheels: []pypitest.WheelSpec{
		{Name: "Alpha.One", Version: "1.0", Requires: []string{"Foo_Bar.baz>=2", "FOO-bar-BAZ<3"}},
		{Name: "foo-bar-baz", Version: "1.0"},
	}},
	{name: "self requirement", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"alpha>=2"}},
	}},
	{name: "unparsable requirement", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"gamma"}},
		{Name: "beta", Version: "1.0", Requires: []string{"delta"}},
	}, edit: func(t *testing.T, site string) {
		appendMetadata(t, site, "alpha", "Requires-Dist: beta >=>= 1\n")
	}},
	{name: "stale metadata", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta>=2"}},
		{Name: "beta", Version: "2.0", Requires: []string{"gamma"}},
	}, edit: func(t *testing.T, site string) {
		// An older beta's metadata left behind: pip sees whichever comes
		// first in directory order, and so must the check.
		stale := filepath.Join(site, "beta-1.0.dist-info")
		if err := os.Mkdir(stale, 0o755); err != nil {
			t.Fatal(err)
		}
		md := "Metadata-Version: 2.1\nName: beta\nVersion: 1.0\nRequires-Dist: delta\n\n"
		if err := os.WriteFile(filepath.Join(stale, "METADATA"), []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "versions as written", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta==1.0", "gamma>=3"}},
		{Name: "beta", Version: "1.0"},
		{Name: "gamma", Version: "2.0"},
	}, edit: func(t *testing.T, site string) {
		setMetadataVersion(t, site, "beta", "01.0")
		setMetadataVersion(t, site, "gamma", "2.0-alpha1")
		setMetadataVersion(t, site, "alpha", "1.0.0.POST2")
	}},
	{name: "legacy version", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta>=1"}},
		{Name: "beta", Version: "1.0"},
		{Name: "gamma", Version: "1.0", Requires: []string{"beta"}},
	}, edit: func(t *testing.T, site string) {
		setMetadataVersion(t, site, "beta", "not.a version")
	}},
	{name: "duplicate requirement", wheels: []pypitest.WheelSpec{
		{Name: "alpha", Version: "1.0", Requires: []string{"beta>=3", "beta>=3", "gamma", "gamma"}},
		{Name: "beta", Version: "1.0"},
	}},
	{name: "egg-info", wheels: []pypitest.WheelSpec{
		{Name: "beta", Version: "1.0"},
	}, edit: func(t *testing.T, site string) {
		egg := filepath.Join(site, "Legacy_Pkg-0.9-py3.11.egg-info")
		if err := os.Mkdir(egg, 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{
			"PKG-INFO":     "Metadata-Version: 1.1\nName: Legacy_Pkg\nVersion: 0.9\n",
			"requires.txt": "beta>=2\nmissing-one\n\n[fast]\nfastlib\n\n[:python_version < \"3\"]\nold-thing\n\n[:python_version >= \"3\"]\nnew-thing\n",
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(egg, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{name: "unsupported platform", wheels: []pypitest.WheelSpec{
		{Name: "Alpha_Win", Version: "1.0"},
		{Name: "beta", Version: "1.0"},
		{Name: "gamma", Version: "1.0", Tag: "py2.py3-none-any"},
	}, edit: func(t *testing.T, site string) {
		writeDistInfoFile(t, site, "alpha-win", "WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: cp27-cp27mu-win32\nTag: py2-none-win_amd64\n")
		// A blank line ends the headers: the tags after it are not read.
		writeDistInfoFile(t, site, "beta", "WHEEL", "Wheel-Version: 1.0\n\nTag: py3-none-any\n")
	}},
}

// TestCheckMatchesPip builds each broken environment in a venv and
// compares the native check with pip check of each bundled pip from 23 on
// (their wording and rules differ: 24.1 dropped legacy versions, 24.2
// added the platform check), line by line and by exit status.
func TestCheckMatchesPip(t *testing.T) {
	var pips []testenv.Wheel
	for _, w := range testenv.BundledWheels(t, "pip") {
		if testenv.CompareVersions(w.Version, "23") >= 0 {
			pips = append(pips, w)
		}
	}
	if len(pips) == 0 {
		testenv.Missing(t, "a bundled pip >= 23 wheel (its pip check is the oracle); %s", testenv.FoundWheels(testenv.BundledWheels(t, "pip")))
	}
	newest := pips[len(pips)-1]
	if testenv.CompareVersions(newest.Version, "24.2") < 0 {
		t.Logf("no bundled pip >= 24.2: the platform check is not compared (%s)", testenv.FoundWheels(pips))
	}
	for _, c := range checkCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			py := pythons.Venv(t, piptest.NoPip)
			site, err := piptest.SitePackages(py)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			args := []string{"install", "--no-index", "--no-deps", "--no-compile", "--disable-pip-version-check"}
			for _, s := range c.wheels {
				p, err := pypitest.WriteWheel(dir, s)
				if err != nil {
					t.Fatal(err)
				}
				args = append(args, p)
			}
			testPipFrom(t, py, newest.Path, args...)
			if c.edit != nil {
				c.edit(t, site)
			}
			in, err := Inspect(context.Background(), py)
			if err != nil {
				t.Fatal(err)
			}
			dists, err := InstalledDists(in)
			if err != nil {
				t.Fatal(err)
			}
			compared := 0
			for _, w := range pips {
				as := *in
				as.PipVersion = w.Version
				if !CheckExact(&as, nil) {
					t.Logf("pip %s on Python %v reads distributions with pkg_resources, which the check does not model: not compared", w.Version, in.VersionInfo)
					continue
				}
				compared++
				want, wantOK := pipCheckOutput(t, py, w.Path)
				rep := CheckDists(&as, dists)
				got, exp := strings.Join(rep.Lines, "\n"), strings.Join(want, "\n")
				if got != exp {
					t.Errorf("pip %s check:\n%s\nnative check:\n%s", w.Version, exp, got)
				}
				t.Logf("pip %s check, exit 0: %v, %d lines:\n%s", w.Version, wantOK, len(want), exp)
				if rep.OK() != wantOK {
					t.Errorf("pip %s check passes: %v; native check: %v (unreadable %v)", w.Version, wantOK, rep.OK(), rep.Unreadable)
				}
			}
			if compared == 0 {
				testenv.Missing(t, "a base interpreter >= 3.11 (pip reads distributions with importlib.metadata there, as the check does), found %v", in.VersionInfo)
			}
		})
	}
}

// pipCheckOutput runs pip check of the pip in wheel in the venv of py and
// returns its stdout lines without the all-clear, and whether it exited 0.
func pipCheckOutput(t *testing.T, py, wheel string) ([]string, bool) {
	t.Helper()
	cmd := exec.Command(py, "-m", "pip", "check", "--disable-pip-version-check")
	cmd.Env = piptest.Environ("PYTHONPATH=" + wheel)
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("pip check (%s): %v\n%s", filepath.Base(wheel), err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && l != "No broken requirements found." {
			lines = append(lines, l)
		}
	}
	return lines, err == nil
}

// distInfoOf finds the .dist-info directory pip made for a project.
func distInfoOf(t *testing.T, site, project string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(site, "*.dist-info"))
	for _, p := range m {
		stem, _, _ := strings.Cut(filepath.Base(p), "-")
		if canonicalName(stem) == canonicalName(project) {
			return p
		}
	}
	t.Fatalf("no .dist-info of %s in %s (%v)", project, site, m)
	return ""
}

func writeDistInfoFile(t *testing.T, site, project, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(distInfoOf(t, site, project), name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendMetadata adds header lines to a project's METADATA, before its
// body.
func appendMetadata(t *testing.T, site, project, headers string) {
	t.Helper()
	p := filepath.Join(distInfoOf(t, site, project), "METADATA")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(b), "\n\n")
	if err := os.WriteFile(p, []byte(head+"\n"+headers+"\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func setMetadataVersion(t *testing.T, site, project, version string) {
	t.Helper()
	p := filepath.Join(distInfoOf(t, site, project), "METADATA")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Version: ") {
			l = "Version: " + version
		}
		out = append(out, l)
	}
	if err := os.WriteFile(p, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckExact(t *testing.T) {
	for _, c := range []struct {
		name    string
		version [3]int
		pip     string
		environ []string
		want    bool
	}{
		{"no pip", [3]int{3, 8, 18}, "", nil, true},
		{"3.11, pip 23.2.1", [3]int{3, 11, 7}, "23.2.1", nil, true},
		{"3.13, pip 24.2", [3]int{3, 13, 0}, "24.2", []string{"HOME=/h"}, true},
		{"3.11, pip 23.0", [3]int{3, 11, 7}, "23.0", nil, true},
		{"3.10: pkg_resources", [3]int{3, 10, 13}, "24.2", nil, false},
		{"pip 22: not compared", [3]int{3, 11, 7}, "22.3.1", nil, false},
		{"backend chosen by the user", [3]int{3, 12, 1}, "24.2", []string{"_PIP_USE_IMPORTLIB_METADATA=1"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := &Interpreter{VersionInfo: c.version, PipVersion: c.pip}
			if got := CheckExact(in, c.environ); got != c.want {
				t.Errorf("CheckExact = %v, want %v", got, c.want)
			}
		})
	}
}
