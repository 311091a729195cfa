package testenv

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Interpreter is one Python interpreter found on the machine.
type Interpreter struct {
	Path       string // what to run: as found (a name's PATH entry, or as listed)
	Executable string // sys.executable with symlinks resolved
	Prefix     string // sys.prefix with symlinks resolved: one per installation or venv
	Version    string // "3.11.7"
	Bundled    []Wheel
}

// MajorMinor returns the interpreter's major and minor version numbers.
func (in Interpreter) MajorMinor() (int, int) {
	v := versionNums(in.Version)
	for len(v) < 2 {
		v = append(v, 0)
	}
	return v[0], v[1]
}

// Wheel is one wheel bundled with an interpreter's ensurepip.
type Wheel struct {
	Path    string
	Project string // "pip", "setuptools"
	Version string // "24.2"
}

func (w Wheel) String() string { return w.Project + " " + w.Version }

// Python returns the base interpreter's path: $PIPUP_TEST_PYTHON, else
// python3 on PATH; if there is none, t ends through Missing.
func Python(t testing.TB) string {
	t.Helper()
	py, err := LookPython()
	if err != nil {
		Missing(t, "python3 (the tests run real pip in real virtual environments): %v", err)
	}
	return py
}

// LookPython is Python for a TestMain, which has no t: the base
// interpreter's path, or why there is none.
func LookPython() (string, error) {
	if p := os.Getenv(PythonVar); p != "" {
		return exec.LookPath(p)
	}
	return exec.LookPath("python3")
}

// Interpreters returns the base interpreter first, then every other one
// found (python3.N on PATH, the entries of $PIPUP_TEST_PYTHONS), one per
// installation (python3.6 and python3.6m are one), ordered by version. A name that does not run as Python
// (a pyenv shim for a version not selected) is left out; a missing or
// broken base interpreter ends t through Missing.
func Interpreters(t testing.TB) []Interpreter {
	t.Helper()
	base := Python(t)
	cands := append([]string{base}, pathPythons()...)
	for _, p := range filepath.SplitList(os.Getenv(PythonsVar)) {
		if p = strings.TrimSpace(p); p != "" {
			cands = append(cands, p)
		}
	}
	found := make([]*Interpreter, len(cands))
	errs := make([]error, len(cands))
	var wg sync.WaitGroup
	for i, c := range cands {
		wg.Go(func() { found[i], errs[i] = Probe(c) })
	}
	wg.Wait()
	if errs[0] != nil {
		Missing(t, "a working base interpreter: %v", errs[0])
	}
	seen := map[string]bool{}
	var out []Interpreter
	for _, in := range found {
		if in == nil {
			continue
		}
		key := in.Prefix + "\x00" + in.Version
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, *in)
	}
	slices.SortStableFunc(out[1:], func(a, b Interpreter) int { return CompareVersions(a.Version, b.Version) })
	return out
}

// pythonName is the name of a python3.N (not python3.N-config, not python3.Nm).
var pythonName = regexp.MustCompile(`^python3\.[0-9]+$`)

// pathPythons returns, for each python3.N name found in PATH's
// directories, what that name runs (the first on PATH, as a shell would).
func pathPythons() []string {
	names := map[string]bool{}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if pythonName.MatchString(e.Name()) {
				names[e.Name()] = true
			}
		}
	}
	var out []string
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if p, err := exec.LookPath(n); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// probeScript runs on Python 2.7 as well as 3.x, so a listed Python 2
// interpreter is found (the tests of pipup's refusal need one).
const probeScript = `import os, sys
try:
    import ensurepip
    d = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
except Exception:
    d = ""
sys.stdout.write("%s\n%s\n%d.%d.%d\n%s\n" % (os.path.realpath(sys.executable), os.path.realpath(sys.prefix), sys.version_info[0], sys.version_info[1], sys.version_info[2], d))
`

// Probe asks the interpreter at path (or named path) what it is, its
// bundled wheels included. -E -s keep the caller's PYTHON* variables and
// user site out of the answer.
func Probe(path string) (*Interpreter, error) {
	exe, err := exec.LookPath(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-E", "-s", "-c", probeScript)
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", exe, err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 4 {
		return nil, fmt.Errorf("%s: unexpected answer %q", exe, out)
	}
	in := &Interpreter{Path: exe, Executable: lines[0], Prefix: lines[1], Version: lines[2]}
	if lines[3] != "" {
		in.Bundled = bundledWheels(lines[3])
	}
	return in, nil
}

// bundledWheels lists dir's wheels, oldest version first.
func bundledWheels(dir string) []Wheel {
	m, _ := filepath.Glob(filepath.Join(dir, "*.whl"))
	var ws []Wheel
	for _, p := range m {
		parts := strings.Split(filepath.Base(p), "-")
		if len(parts) < 5 {
			continue
		}
		ws = append(ws, Wheel{Path: p, Project: strings.ToLower(parts[0]), Version: parts[1]})
	}
	slices.SortFunc(ws, compareWheels)
	return ws
}

func compareWheels(a, b Wheel) int {
	return cmp.Or(cmp.Compare(a.Project, b.Project), CompareVersions(a.Version, b.Version), cmp.Compare(a.Path, b.Path))
}

// BundledWheels returns the distinct wheels of project ("pip",
// "setuptools") bundled with any found interpreter, oldest version first.
func BundledWheels(t testing.TB, project string) []Wheel {
	t.Helper()
	seen := map[string]bool{}
	var out []Wheel
	for _, in := range Interpreters(t) {
		for _, w := range in.Bundled {
			if w.Project == project && !seen[filepath.Base(w.Path)] {
				seen[filepath.Base(w.Path)] = true
				out = append(out, w)
			}
		}
	}
	slices.SortFunc(out, compareWheels)
	return out
}

// PipWheel returns the newest bundled pip wheel whose version is at least
// atLeast; if there is none, t ends through Missing, naming the versions
// found and how to offer more.
func PipWheel(t testing.TB, atLeast, why string) Wheel {
	t.Helper()
	ws := BundledWheels(t, "pip")
	if len(ws) > 0 && CompareVersions(ws[len(ws)-1].Version, atLeast) >= 0 {
		return ws[len(ws)-1]
	}
	Missing(t, "a pip >= %s wheel (%s); %s", atLeast, why, FoundWheels(ws))
	return Wheel{}
}

// FoundWheels says which wheels were found and where more can come from,
// for a Missing message.
func FoundWheels(ws []Wheel) string {
	var vs []string
	for _, w := range ws {
		vs = append(vs, w.Version)
	}
	found := "none"
	if len(vs) > 0 {
		found = strings.Join(vs, ", ")
	}
	return fmt.Sprintf("found ensurepip wheels of versions: %s; list interpreters that bundle others in %s", found, PythonsVar)
}

// CompareVersions compares two dotted release versions ("23.2.1") by
// their numbers: enough for bundled wheels, which are final releases.
// Non-numeric parts compare as 0.
func CompareVersions(a, b string) int {
	return slices.Compare(padded(versionNums(a), versionNums(b)))
}

func padded(a, b []int) ([]int, []int) {
	for len(a) < len(b) {
		a = append(a, 0)
	}
	for len(b) < len(a) {
		b = append(b, 0)
	}
	return a, b
}

func versionNums(v string) []int {
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, _ := strconv.Atoi(p)
		out = append(out, n)
	}
	return out
}
