package pep508

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pypi/pep440"
)

// testEnvs are the marker environments the oracle evaluates in: what
// packaging's default_environment() gives on each kind of interpreter.
var testEnvs = []map[string]string{
	{ // CPython 3.11 on Linux x86_64
		"implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
		"platform_machine": "x86_64", "platform_python_implementation": "CPython",
		"platform_release": "6.1.0-18-amd64", "platform_system": "Linux",
		"platform_version":    "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
		"python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux",
	},
	{ // CPython 3.8 on Windows
		"implementation_name": "cpython", "implementation_version": "3.8.10", "os_name": "nt",
		"platform_machine": "AMD64", "platform_python_implementation": "CPython",
		"platform_release": "10", "platform_system": "Windows", "platform_version": "10.0.19045",
		"python_full_version": "3.8.10", "python_version": "3.8", "sys_platform": "win32",
	},
	{ // CPython 3.12 on macOS arm64
		"implementation_name": "cpython", "implementation_version": "3.12.3", "os_name": "posix",
		"platform_machine": "arm64", "platform_python_implementation": "CPython",
		"platform_release": "23.4.0", "platform_system": "Darwin",
		"platform_version":    "Darwin Kernel Version 23.4.0: Fri Mar 15 00:12:49 PDT 2024; root:xnu-10063.101.17~1/RELEASE_ARM64_T6020",
		"python_full_version": "3.12.3", "python_version": "3.12", "sys_platform": "darwin",
	},
	{ // PyPy 7.3 (Python 3.10) on Linux aarch64
		"implementation_name": "pypy", "implementation_version": "7.3.15", "os_name": "posix",
		"platform_machine": "aarch64", "platform_python_implementation": "PyPy",
		"platform_release": "5.15.0", "platform_system": "Linux", "platform_version": "#1 SMP",
		"python_full_version": "3.10.13", "python_version": "3.10", "sys_platform": "linux",
	},
	{ // CPython built from an untagged checkout: python_full_version ends in "+"
		"implementation_name": "cpython", "implementation_version": "3.13.0b1", "os_name": "posix",
		"platform_machine": "x86_64", "platform_python_implementation": "CPython",
		"platform_release": "6.8.0", "platform_system": "Linux", "platform_version": "#1",
		"python_full_version": "3.13.0+", "python_version": "3.13", "sys_platform": "linux",
	},
}

// testExtras are the sets of requested extras each marker is evaluated with.
var testExtras = [][]string{nil, {"test"}, {"Test.Extra", "doc"}, {"DOC"}}

type oracleReq struct {
	OK        bool     `json:"ok"`
	Err       string   `json:"err"`
	Str       string   `json:"str"`
	Name      string   `json:"name"`
	Extras    []string `json:"extras"`
	Spec      string   `json:"spec"`
	URL       string   `json:"url"`
	Marker    string   `json:"marker"`
	HasMarker bool     `json:"hasmarker"`
}

type oracleMarker struct {
	OK    bool       `json:"ok"`
	Err   string     `json:"err"`
	Str   string     `json:"str"`
	Evals [][]string `json:"evals"`
}

type oracleAnswer struct {
	Packaging string          `json:"packaging"`
	Reqs      []*oracleReq    `json:"reqs"`
	Markers   []*oracleMarker `json:"markers"`
}

// TestOracle compares ParseRequirement, ParseMarker, String and Evaluate with
// the vendored packaging of the newest pip wheel found (pip 24.1 or later),
// run once in python3.
func TestOracle(t *testing.T) {
	python := testenv.Python(t)
	wheel := findPipWheel(t)
	r := rand.New(rand.NewPCG(508, 1))
	real := requiresDist(t)
	reqs := slices.Concat(trickyRequirements, real, generatedRequirements(r, 400), soup(r, "name", 1500), soup(r, "", 500))
	markers := slices.Concat(trickyMarkers, markersOf(real), generatedMarkers(r, 400), soup(r, "", 2000), knownDivergent)

	ans := runOracle(t, python, wheel, map[string]any{
		"reqs": reqs, "markers": markers, "envs": testEnvs, "extras": testExtras,
	})
	if major, _, _ := strings.Cut(ans.Packaging, "."); len(major) < 2 || major < "22" {
		t.Fatalf("the oracle needs packaging >= 22, %s vendors %s", filepath.Base(wheel), ans.Packaging)
	}
	if len(ans.Reqs) != len(reqs) || len(ans.Markers) != len(markers) {
		t.Fatalf("oracle answered %d requirements and %d markers", len(ans.Reqs), len(ans.Markers))
	}
	validReqs := checkRequirements(t, reqs, ans.Reqs)
	validMarkers, evals := checkMarkers(t, markers, ans.Markers)
	t.Logf("packaging %s from %s: %d requirements (%d valid), %d markers (%d valid), evaluations %v",
		ans.Packaging, filepath.Base(wheel), len(reqs), validReqs, len(markers), validMarkers, evals)
}

func checkRequirements(t *testing.T, reqs []string, want []*oracleReq) (valid int) {
	t.Helper()
	bad := 0
	for i, s := range reqs {
		w := want[i]
		r, err := ParseRequirement(s)
		if (err == nil) != w.OK {
			t.Errorf("ParseRequirement(%q): error %v, packaging ok=%v (%s)", s, err, w.OK, w.Err)
			bad++
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidRequirement) {
				t.Errorf("ParseRequirement(%q) error does not wrap ErrInvalidRequirement: %v", s, err)
			}
			continue
		}
		valid++
		got := oracleReq{OK: true, Str: r.String(), Name: r.Name, Extras: r.Extras, Spec: r.Specifier.String(),
			URL: r.URL, Marker: r.Marker.String(), HasMarker: r.Marker != nil}
		if got.Extras == nil {
			got.Extras = []string{}
		}
		if w.Extras == nil {
			w.Extras = []string{}
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(w)
		if !bytes.Equal(gj, wj) {
			t.Errorf("ParseRequirement(%q)\n got %s\nwant %s", s, gj, wj)
			bad++
		}
		if bad > 30 {
			t.Fatal("too many differences")
		}
	}
	return valid
}

// checkMarkers returns the number of valid markers and of evaluations by
// outcome.
func checkMarkers(t *testing.T, markers []string, want []*oracleMarker) (valid int, evals map[string]int) {
	t.Helper()
	evals = map[string]int{}
	bad := 0
	for i, s := range markers {
		w := want[i]
		m, err := ParseMarker(s)
		if slices.Contains(knownDivergent, s) {
			if err == nil || !w.OK {
				t.Errorf("known divergence %q: ParseMarker error %v, packaging ok=%v", s, err, w.OK)
			}
			continue
		}
		if (err == nil) != w.OK {
			t.Errorf("ParseMarker(%q): error %v, packaging ok=%v (%s)", s, err, w.OK, w.Err)
			bad++
			continue
		}
		if err != nil {
			continue
		}
		valid++
		if got := m.String(); got != w.Str {
			t.Errorf("ParseMarker(%q).String() = %q, packaging %q", s, got, w.Str)
			bad++
		}
		for e, env := range testEnvs {
			for x, extras := range testExtras {
				got := evalKind(m, env, extras)
				evals[got]++
				if got != w.Evals[e][x] {
					t.Errorf("ParseMarker(%q) in env %d with extras %q: %s, packaging %s", s, e, extras, got, w.Evals[e][x])
					bad++
				}
			}
		}
		if bad > 30 {
			t.Fatal("too many differences")
		}
	}
	return valid, evals
}

// evalKind reports an evaluation as the oracle does: "true", "false" or
// "E:" and the name of the exception packaging raises.
func evalKind(m *Marker, env map[string]string, extras []string) string {
	ok, err := m.EvaluateErr(env, extras...)
	switch {
	case err == nil && ok:
		return "true"
	case err == nil:
		return "false"
	case errors.Is(err, ErrUndefinedEnvironmentName):
		return "E:KeyError"
	case errors.Is(err, ErrUndefinedComparison):
		return "E:UndefinedComparison"
	case errors.Is(err, pep440.ErrInvalidVersion):
		return "E:InvalidVersion"
	}
	return "E:" + err.Error()
}

// findPipWheel finds the newest pip wheel bundled with a found Python's
// ensurepip that vendors packaging >= 22 (pip 24.1 on: the requirement
// parser pipup follows); Python imports pip._vendor.packaging from it.
func findPipWheel(t *testing.T) string {
	t.Helper()
	return testenv.PipWheel(t, "24.1", "its vendored packaging >= 22 is the oracle").Path
}

func runOracle(t *testing.T, python, wheel string, req any) oracleAnswer {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-I", filepath.Join("testdata", "oracle.py"), wheel)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	var ans oracleAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("oracle answer: %v", err)
	}
	return ans
}
