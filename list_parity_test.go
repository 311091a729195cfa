package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// platformTag is a manylinux tag this machine's pip accepts.
func platformTag() string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	return "manylinux2014_" + arch
}

func w(name, version string) pypitest.WheelSpec {
	return pypitest.WheelSpec{Name: name, Version: version}
}

func wt(name, version, tag string) pypitest.WheelSpec {
	return pypitest.WheelSpec{Name: name, Version: version, Tag: tag}
}

// parityIndex is the shared fixture: every case of the scan issue.
func parityIndex(t *testing.T) (*pypitest.Server, []string) {
	s := pypitest.NewServer()
	t.Cleanup(s.Close)
	var pins []string
	add := func(spec pypitest.WheelSpec, opts ...pypitest.FileOption) {
		t.Helper()
		if err := s.AddWheel(spec, opts...); err != nil {
			t.Fatalf("add %s %s: %v", spec.Name, spec.Version, err)
		}
	}
	sdist := func(name, version string, opts ...func(*pypitest.FileSpec)) {
		t.Helper()
		fn, data := pypitest.BuildSdist(name, version)
		fs := pypitest.FileSpec{Project: name, Filename: fn, Data: data}
		for _, o := range opts {
			o(&fs)
		}
		if err := s.Add(fs); err != nil {
			t.Fatalf("add %s: %v", fn, err)
		}
	}
	pin := func(name, version string) { pins = append(pins, name+"=="+version) }

	// patch, minor, major bumps
	for _, v := range []string{"1.0.0", "1.0.1"} {
		add(w("alpha", v))
	}
	pin("alpha", "1.0.0")
	for _, v := range []string{"1.0", "1.1"} {
		add(w("bravo", v))
	}
	pin("bravo", "1.0")
	for _, v := range []string{"1.0", "1.5", "2.0"} {
		add(w("charlie", v))
	}
	pin("charlie", "1.0")
	// only a pre-release is newer
	add(w("delta", "1.0"))
	add(w("delta", "1.1b1"))
	pin("delta", "1.0")
	// a dev release is newer
	add(w("oscar", "1.0"))
	add(w("oscar", "1.1.dev1"))
	pin("oscar", "1.0")
	// the newest is yanked; an older one is not
	add(w("echo", "1.0"))
	add(w("echo", "1.0.5"))
	add(w("echo", "1.1"), pypitest.Yank("broken build"))
	pin("echo", "1.0")
	// the newest is yanked with no reason (data-yanked="")
	add(w("sierra", "1.0"))
	add(w("sierra", "2.0"), pypitest.Yank(""))
	pin("sierra", "1.0")
	// Requires-Python excludes the interpreter for the newest
	add(w("foxtrot", "1.0"))
	add(w("foxtrot", "1.5"))
	add(pypitest.WheelSpec{Name: "foxtrot", Version: "2.0", RequiresPython: ">=3.99"})
	pin("foxtrot", "1.0")
	// an invalid Requires-Python counts as compatible
	add(w("papa", "1.0"))
	add(w("papa", "1.1"), pypitest.AdvertiseRequiresPython("foo>=3"))
	pin("papa", "1.0")
	// the newest exists only for Windows
	add(w("golf", "1.0"))
	add(w("golf", "1.1"))
	add(wt("golf", "2.0", "cp311-cp311-win_amd64"))
	pin("golf", "1.0")
	// the newest only for Python 2.7
	add(w("xray", "1.0"))
	add(wt("xray", "1.1", "cp27-cp27mu-"+platformTag()))
	pin("xray", "1.0")
	// a compatible binary wheel (abi3, manylinux)
	add(wt("whiskey", "1.0", "cp37-abi3-"+platformTag()))
	add(wt("whiskey", "1.2", "cp37-abi3-"+platformTag()))
	pin("whiskey", "1.0")
	// epoch: 1!0.1 is newer than 2024.1
	add(w("hotel", "2023.5"))
	add(w("hotel", "2024.1"))
	add(w("hotel", "1!0.1"))
	pin("hotel", "2024.1")
	// a post-release
	add(w("india", "1.0"))
	add(w("india", "1.0.post1"))
	pin("india", "1.0")
	// mixed case, dots and underscores in the name
	add(w("Zope.Interface_Extra", "1.0"))
	add(w("Zope.Interface_Extra", "1.2"))
	pin("zope-interface-extra", "1.0")
	// an installed pre-release
	add(w("kilo", "1.9"))
	add(w("kilo", "2.0b1"))
	add(w("kilo", "2.0b2"))
	pin("kilo", "2.0b1")
	// a local version is installed
	add(w("lima", "1.0+cpu"))
	add(w("lima", "1.0.1"))
	pin("lima", "1.0+cpu")
	// up to date
	add(w("mike", "3.0"))
	pin("mike", "3.0")
	// the newest is an sdist only
	add(w("november", "1.0"))
	sdist("november", "1.1")
	pin("november", "1.0")
	// wheel and sdist of the newest: the wheel wins
	add(w("romeo", "1.0"))
	add(w("romeo", "1.1"))
	sdist("romeo", "1.1")
	pin("romeo", "1.0")
	// 1.10 > 1.9 (not string order)
	for _, v := range []string{"1.2", "1.9", "1.10", "1.8"} {
		add(w("uniform", v))
	}
	pin("uniform", "1.2")
	// trailing zeros: 1.0 == 1.0.0, not outdated
	add(w("tango", "1.0.0"))
	add(w("tango", "1.0"))
	pin("tango", "1.0.0")
	// build tags: the higher build of the same version is chosen, version unchanged
	add(w("quebec", "1.0"))
	add(pypitest.WheelSpec{Name: "quebec", Version: "1.1", Build: "1"})
	add(pypitest.WheelSpec{Name: "quebec", Version: "1.1", Build: "2"})
	pin("quebec", "1.0")
	// non-normalised versions on the index and installed
	add(w("victor", "01.02"))
	add(w("victor", "1.3-rc1"))
	add(w("victor", "1.3.post-2"))
	pin("victor", "01.02")
	// a wheel whose file name has the underscored name
	add(w("yankee_pkg", "0.1"))
	add(w("yankee_pkg", "0.2"))
	pin("yankee-pkg", "0.1")
	// the newest is only a pre-release sdist
	add(w("zulu", "1.0"))
	sdist("zulu", "2.0a1")
	pin("zulu", "1.0")
	// every newer version is yanked: not outdated
	add(w("bigyank", "1.0"))
	add(w("bigyank", "1.1"), pypitest.Yank("oops"))
	pin("bigyank", "1.0")
	// a newest version with a Requires-Python the interpreter meets
	add(w("rpok", "1.0"))
	add(pypitest.WheelSpec{Name: "rpok", Version: "1.1", RequiresPython: ">=3.6"})
	pin("rpok", "1.0")
	return s, pins
}

// pipListEntry is one object of pip's `list --outdated --format=json`.
type pipListEntry struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	LatestVersion  string `json:"latest_version"`
	LatestFiletype string `json:"latest_filetype"`
}

func entriesKey(es []pipListEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name+" "+e.Version+" -> "+e.LatestVersion+" ("+e.LatestFiletype+")")
	}
	sort.Strings(out)
	return out
}

// TestListParityWithPip installs the fixture into a real venv with real pip
// and compares `pipup list --json` with `pip list --outdated --format=json`
// against the same index, with and without --pre. The oracle is the venv's
// own pip (the one bundled with the base python3) and, in a second venv,
// the newest pip wheel bundled with any Python found (internal/testenv)
// when it is newer: a missing one is a Missing skip of that subtest.
func TestListParityWithPip(t *testing.T) {
	bin := pipupBinary(t)
	s, pins := parityIndex(t)

	// A package installed from a local file that no index has.
	localDir := t.TempDir()
	juliet, err := pypitest.WriteWheel(localDir, w("juliet", "1.0"))
	if err != nil {
		t.Fatal(err)
	}

	// A second index and a find-links directory, merged as pip merges them.
	extra := pypitest.NewServer()
	t.Cleanup(extra.Close)
	for _, spec := range []pypitest.WheelSpec{w("alpha", "1.0.2"), w("mike", "3.1"), w("foxtrot", "1.7"), w("charlie", "2.0")} {
		if err := extra.AddWheel(spec); err != nil {
			t.Fatal(err)
		}
	}
	if err := extra.AddWheel(w("delta", "1.2"), pypitest.Yank("")); err != nil {
		t.Fatal(err)
	}
	links := t.TempDir()
	for _, spec := range []pypitest.WheelSpec{w("bravo", "1.3"), w("charlie", "2.0"), wt("uniform", "1.11", "cp311-cp311-win_amd64")} {
		if _, err := pypitest.WriteWheel(links, spec); err != nil {
			t.Fatal(err)
		}
	}
	fn, data := pypitest.BuildSdist("kilo", "2.0")
	if err := os.WriteFile(filepath.Join(links, fn), data, 0o644); err != nil {
		t.Fatal(err)
	}
	merged := []string{"--extra-index-url", extra.IndexURL(), "--find-links", links}

	// The base interpreter's bundled pip, then the newest bundled anywhere.
	var basePip testenv.Wheel
	for _, w := range testenv.Interpreters(t)[0].Bundled {
		if w.Project == "pip" {
			basePip = w
		}
	}
	for _, label := range []string{"bundled", "newest bundled"} {
		t.Run(label, func(t *testing.T) {
			var py string
			if label == "bundled" {
				py = pythons.Venv(t, piptest.WithPip)
			} else {
				pips := testenv.BundledWheels(t, "pip")
				if len(pips) == 0 || testenv.CompareVersions(pips[len(pips)-1].Version, basePip.Version) <= 0 {
					testenv.Missing(t, "a pip wheel newer than the base interpreter's %s; %s", basePip, testenv.FoundWheels(pips))
				}
				whl := pips[len(pips)-1].Path
				py = pythons.Venv(t, piptest.NoPip)
				_, errOut, code := runCmd(t, piptest.HomeEnviron(t.TempDir()), py, filepath.Join(whl, "pip"), "install", "--no-index", "-q", whl)
				if code != 0 {
					t.Fatalf("install %s: %s", filepath.Base(whl), errOut)
				}
			}
			home := t.TempDir()
			env := piptest.HomeEnviron(home)
			args := append([]string{"-m", "pip", "install", "-q", "--index-url", s.IndexURL()}, pins...)
			if _, errOut, code := runCmd(t, env, py, args...); code != 0 {
				t.Fatalf("pip install: %s", errOut)
			}
			if _, errOut, code := runCmd(t, env, py, "-m", "pip", "install", "-q", "--no-index", juliet); code != 0 {
				t.Fatalf("pip install juliet: %s", errOut)
			}
			pipVersion, _, _ := runCmd(t, env, py, "-m", "pip", "--version")
			t.Logf("oracle: %s", strings.TrimSpace(pipVersion))

			for _, run := range []struct {
				pre  bool
				more []string
			}{{false, nil}, {true, nil}, {false, merged}, {true, merged}} {
				pre := run.pre
				pipArgs := append([]string{"-m", "pip", "list", "--outdated", "--format=json", "--index-url", s.IndexURL()}, run.more...)
				pipupArgs := append([]string{"list", "--json", "--no-cache", "--python", py, "--index-url", s.IndexURL()}, run.more...)
				if pre {
					pipArgs = append(pipArgs, "--pre")
					pipupArgs = append(pipupArgs, "--pre")
				}
				out, errOut, code := runCmd(t, env, py, pipArgs...)
				if code != 0 {
					t.Fatalf("pip list: exit %d: %s", code, errOut)
				}
				var want []pipListEntry
				if err := json.Unmarshal([]byte(out), &want); err != nil {
					t.Fatalf("pip list output: %v\n%s", err, out)
				}
				out, errOut, code = runCmd(t, env, bin, pipupArgs...)
				if code != 0 {
					t.Fatalf("pipup list (pre=%v): exit %d: %s", pre, code, errOut)
				}
				var got []pipListEntry
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("pipup list output: %v\n%s", err, out)
				}
				if len(want) < 15 {
					t.Fatalf("fixture too weak: pip reports only %d outdated packages: %v", len(want), entriesKey(want))
				}
				if g, w := strings.Join(entriesKey(got), "\n"), strings.Join(entriesKey(want), "\n"); g != w {
					t.Errorf("pre=%v %v: pipup and pip disagree\npipup:\n%s\n\npip:\n%s", pre, run.more, g, w)
				}
				// The merged sources must matter, or the comparison proves little.
				if run.more != nil {
					joined := strings.Join(entriesKey(want), "\n")
					for _, must := range []string{"mike 3.0 -> 3.1 (wheel)", "bravo 1.0 -> 1.3 (wheel)", "alpha 1.0.0 -> 1.0.2 (wheel)"} {
						if !strings.Contains(joined, must) {
							t.Errorf("pip did not see %q from the extra index or find-links:\n%s", must, joined)
						}
					}
				}
				// pipup, unlike pip, says what it could not check.
				if !strings.Contains(errOut, `"juliet"`) || !strings.Contains(errOut, "not found") {
					t.Errorf("pre=%v: pipup did not report juliet as missing from the index; stderr:\n%s", pre, errOut)
				}
				// Sorted by canonical name, as pip sorts.
				names := make([]string, len(got))
				for i, e := range got {
					names[i] = strings.ToLower(e.Name)
				}
				if !sort.StringsAreSorted(names) {
					t.Errorf("pipup output not sorted by name: %v", names)
				}
			}
		})
	}
}
