package pip

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi"
)

func fakeGetenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeTestFile(t *testing.T, path, body string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindPython(t *testing.T) {
	dir := t.TempDir()
	binA := filepath.Join(dir, "a")
	binB := filepath.Join(dir, "b")
	pyA := writeTestFile(t, filepath.Join(binA, "python3"), "#!/bin/sh\n", 0o755)
	writeTestFile(t, filepath.Join(binB, "python3"), "not executable", 0o644)
	pyB := writeTestFile(t, filepath.Join(binB, "python3.12"), "#!/bin/sh\n", 0o755)
	venv := filepath.Join(dir, "venv")
	venvPy := writeTestFile(t, filepath.Join(venv, "bin", "python"), "#!/bin/sh\n", 0o755)
	path := binB + string(os.PathListSeparator) + binA

	tests := []struct {
		name    string
		flag    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{name: "flag path", flag: pyA, env: map[string]string{"VIRTUAL_ENV": venv}, want: pyA},
		{name: "flag missing", flag: filepath.Join(dir, "nope", "python"), wantErr: "--python " + filepath.Join(dir, "nope", "python") + ": no such file"},
		{name: "flag bare name on PATH", flag: "python3.12", env: map[string]string{"PATH": path}, want: pyB},
		{name: "flag bare name missing", flag: "python9", env: map[string]string{"PATH": path}, wantErr: "--python python9: not found on PATH"},
		{name: "virtualenv", env: map[string]string{"VIRTUAL_ENV": venv, "PATH": path}, want: venvPy},
		{name: "stale virtualenv", env: map[string]string{"VIRTUAL_ENV": dir + "/gone", "PATH": path}, wantErr: "no Python interpreter found: VIRTUAL_ENV is"},
		// b/python3 is not executable, so the search goes on to a/.
		{name: "PATH skips non-executable", env: map[string]string{"PATH": path}, want: pyA},
		{name: "nothing", env: map[string]string{"PATH": filepath.Join(dir, "empty")}, wantErr: "no Python interpreter found: "},
		{name: "empty PATH entry is not cwd", env: map[string]string{"PATH": ""}, wantErr: "no Python interpreter found: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindPython(tt.flag, fakeGetenv(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("FindPython() = %q, %v; want error starting %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FindPython() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// pipSupportedTags runs pip's get_supported() in python directly: the
// oracle for Interpreter.Tags.
func pipSupportedTags(t *testing.T, python string, env []string) []pypi.Tag {
	t.Helper()
	cmd := exec.Command(python, "-c", `import json
from pip._internal.utils.compatibility_tags import get_supported
print(json.dumps([[t.interpreter, t.abi, t.platform] for t in get_supported()]))`)
	cmd.Env = env
	cmd.Dir = os.TempDir() // not the test's cwd, which may hold a fake json.py
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("get_supported in %s: %v", python, err)
	}
	var raw [][]string
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	tags := make([]pypi.Tag, len(raw))
	for i, r := range raw {
		tags[i] = pypi.Tag{Interpreter: r[0], ABI: r[1], Platform: r[2]}
	}
	return tags
}

func pyEvalTest(t *testing.T, python, code string) string {
	t.Helper()
	cmd := exec.Command(python, "-c", code)
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s -c %q: %v", python, code, err)
	}
	return strings.TrimSpace(string(out))
}

func TestInspectVenv(t *testing.T) {
	py := pythons.SharedVenv(t)
	// Run from a directory holding a fake "json" module: the inspection
	// must not import from the cwd.
	cwd := t.TempDir()
	writeTestFile(t, filepath.Join(cwd, "json.py"), "raise SystemExit('imported from cwd')\n", 0o644)
	t.Chdir(cwd)

	in, err := Inspect(context.Background(), py)
	if err != nil {
		t.Fatal(err)
	}
	venv := filepath.Dir(filepath.Dir(py))
	if !in.InVenv || in.Prefix != venv || in.BasePrefix == in.Prefix {
		t.Errorf("InVenv=%v Prefix=%q BasePrefix=%q; want a venv at %q", in.InVenv, in.Prefix, in.BasePrefix, venv)
	}
	if in.Executable != py {
		t.Errorf("Executable = %q, want %q", in.Executable, py)
	}
	if in.TagsSource != "pip" {
		t.Errorf("TagsSource = %q, want pip", in.TagsSource)
	}
	if want := pipSupportedTags(t, py, os.Environ()); !reflect.DeepEqual(in.Tags, want) {
		t.Errorf("Tags differ from pip's get_supported(): %d vs %d tags", len(in.Tags), len(want))
	}
	if want := pyEvalTest(t, py, "import pip; print(pip.__version__)"); in.PipVersion != want {
		t.Errorf("PipVersion = %q, want %q", in.PipVersion, want)
	}
	if want := pyEvalTest(t, py, "import platform; print(platform.python_version())"); in.Version != want {
		t.Errorf("Version = %q, want %q", in.Version, want)
	}
	var wantPath []string
	if err := json.Unmarshal([]byte(pyEvalTest(t, py, "import sys, json; print(json.dumps(sys.path[1:]))")), &wantPath); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.SysPath, wantPath) {
		t.Errorf("SysPath = %q, want %q", in.SysPath, wantPath)
	}
	for _, p := range in.SysPath {
		if p == "" || p == cwd {
			t.Errorf("SysPath has the cwd entry %q", p)
		}
	}
	sp := filepath.Join(venv, "lib", "python"+in.Markers["python_version"], "site-packages")
	if len(in.SitePackages) == 0 || in.SitePackages[0] != sp {
		t.Errorf("SitePackages = %q, want %q first", in.SitePackages, sp)
	}
	if in.UserSiteEnabled {
		t.Error("UserSiteEnabled in a venv without system site packages")
	}
	if in.ExternallyManaged != "" {
		t.Errorf("ExternallyManaged = %q inside a venv", in.ExternallyManaged)
	}
	for _, k := range []string{"os_name", "sys_platform", "platform_machine", "platform_python_implementation",
		"platform_release", "platform_system", "platform_version", "python_version", "python_full_version",
		"implementation_name", "implementation_version"} {
		if in.Markers[k] == "" {
			t.Errorf("marker %s missing", k)
		}
	}
	if in.Markers["python_full_version"] != in.Version || in.Implementation != in.Markers["implementation_name"] {
		t.Errorf("markers disagree with Version/Implementation: %v", in.Markers)
	}
	if got := in.VersionInfo; strings.Join([]string{strconv.Itoa(got[0]), strconv.Itoa(got[1]), strconv.Itoa(got[2])}, ".") != in.Version {
		t.Errorf("VersionInfo = %v, Version = %q", got, in.Version)
	}
}

// supportedInterpreters lists the distinct Python 3.6+ interpreters found
// on the machine (internal/testenv: python3, python3.N on PATH and
// $PIPUP_TEST_PYTHONS), the base one first.
func supportedInterpreters(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, in := range testenv.Interpreters(t) {
		if major, minor := in.MajorMinor(); major == 3 && minor >= 6 {
			out = append(out, in.Path)
		}
	}
	if len(out) == 0 {
		testenv.Missing(t, "a Python 3.6+ interpreter")
	}
	return out
}

// newerPipWheel finds a bundled pip wheel with compatibility_tags (pip 20+)
// that still runs on Python 3.6 (pip 20-22), to use as the oracle where the
// installed pip predates compatibility_tags.
func newerPipWheel(t *testing.T) string {
	t.Helper()
	for _, w := range testenv.BundledWheels(t, "pip") {
		if testenv.CompareVersions(w.Version, "20") >= 0 && testenv.CompareVersions(w.Version, "23") < 0 {
			return w.Path
		}
	}
	return ""
}

// TestFallbackTagsMatchPip compares the fallback tag list of interp.py with
// pip's own list on every interpreter on the machine.
func TestFallbackTagsMatchPip(t *testing.T) {
	for _, py := range supportedInterpreters(t) {
		t.Run(filepath.Base(py), func(t *testing.T) {
			fallback, err := inspect(context.Background(), py, []string{"PIPUP_TAGS_SOURCE=fallback"})
			if err != nil {
				if strings.Contains(err.Error(), "is not supported") {
					t.Skip(err)
				}
				t.Fatal(err)
			}
			if fallback.TagsSource != "fallback" {
				t.Fatalf("TagsSource = %q, want fallback", fallback.TagsSource)
			}
			env := []string{"PIPUP_TAGS_SOURCE=pip"}
			oracle, err := inspect(context.Background(), py, env)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(oracle.PipVersion, "1") {
				// pip 20+: its compatibility_tags is the oracle.
			} else if whl := newerPipWheel(t); whl != "" {
				// pip < 20 keeps its own old tag logic (pep425tags), which is
				// what it installs with; compare the fallback with a pip that
				// uses packaging.tags instead.
				t.Logf("pip %s predates compatibility_tags; comparing with %s", oracle.PipVersion, filepath.Base(whl))
				oracle, err = inspect(context.Background(), py, []string{"PIPUP_TAGS_SOURCE=pip", "PYTHONPATH=" + whl})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				testenv.Missing(t, "a pip 20-22 wheel (pip %s of %s predates compatibility_tags); %s",
					oracle.PipVersion, py, testenv.FoundWheels(testenv.BundledWheels(t, "pip")))
			}
			if oracle.TagsSource != "pip" {
				t.Fatalf("oracle TagsSource = %q", oracle.TagsSource)
			}
			if !reflect.DeepEqual(fallback.Tags, oracle.Tags) {
				t.Errorf("fallback has %d tags, pip %d; first difference: %s", len(fallback.Tags), len(oracle.Tags), firstTagDiff(fallback.Tags, oracle.Tags))
			}
		})
	}
}

func firstTagDiff(a, b []pypi.Tag) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return "at " + strconv.Itoa(i) + ": " + a[i].String() + " vs " + b[i].String()
		}
	}
	return "one is a prefix of the other"
}

// TestInspectPackagingSource uses pip's vendored packaging as a standalone
// "packaging" to cover the middle source.
func TestInspectPackagingSource(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip)
	whl, _ := filepath.Glob(filepath.Join(pyEvalTest(t, py, "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))"), "_bundled", "pip-*.whl"))
	if len(whl) == 0 {
		testenv.Missing(t, "a pip wheel bundled with %s's ensurepip (its vendored packaging is the middle tags source)", py)
	}
	in, err := inspect(context.Background(), py, []string{"PYTHONPATH=" + whl[0] + "/pip/_vendor"})
	if err != nil {
		t.Fatal(err)
	}
	if in.TagsSource != "packaging" || in.PipVersion != "" {
		t.Fatalf("TagsSource = %q, PipVersion = %q; want packaging and no pip", in.TagsSource, in.PipVersion)
	}
	fb, err := inspect(context.Background(), py, []string{"PIPUP_TAGS_SOURCE=fallback"})
	if err != nil {
		t.Fatal(err)
	}
	// sys_tags() and pip's list differ at most by pip's extra
	// "<interpreter>-none-any" tag.
	if d := len(fb.Tags) - len(in.Tags); d < 0 || d > 1 || in.Tags[0] != fb.Tags[0] {
		t.Errorf("packaging gave %d tags, fallback %d", len(in.Tags), len(fb.Tags))
	}
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		return writeTestFile(t, filepath.Join(dir, name), "#!/bin/sh\n"+body+"\n", 0o755)
	}
	noExec := writeTestFile(t, filepath.Join(dir, "noexec"), "#!/bin/sh\n", 0o644)
	garbage := script("garbage", "echo '"+interpSentinel+"{not json'")
	failing := script("failing", "cat >/dev/null; echo 'Traceback (most recent call last):' >&2; echo 'ImportError: no module named encodings' >&2; exit 3")
	hang := script("hang", "sleep 30")
	tests := []struct {
		name    string
		python  string
		timeout time.Duration
		want    string
	}{
		{"missing", filepath.Join(dir, "nope"), 0, "no such file"},
		{"directory", dir, 0, "is a directory"},
		{"not executable", noExec, 0, "cannot run: permission denied"},
		{"true", "/bin/true", 0, "does not look like a Python interpreter"},
		{"echo", "/bin/echo", 0, "does not look like a Python interpreter"},
		{"not json", garbage, 0, "unreadable inspection output"},
		{"script fails", failing, 0, "inspection failed (exit status 3): ImportError: no module named encodings"},
		{"timeout", hang, 300 * time.Millisecond, "timed out"},
	}
	var python2 *testenv.Interpreter
	for _, in := range testenv.Interpreters(t) {
		if major, _ := in.MajorMinor(); major == 2 {
			python2 = &in
			break
		}
	}
	if python2 != nil {
		tests = append(tests, struct {
			name    string
			python  string
			timeout time.Duration
			want    string
		}{"python 2", python2.Path, 0, "Python " + python2.Version + " is not supported (pipup needs 3.6+)"})
	} else {
		t.Run("python 2", func(t *testing.T) {
			testenv.Missing(t, "a Python 2 interpreter (list one in %s)", testenv.PythonsVar)
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			in, err := Inspect(ctx, tt.python)
			if err == nil {
				t.Fatalf("Inspect(%s) = %+v, want error", tt.python, in)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "python "+tt.python+": ") {
				t.Errorf("error = %q; want one line starting with %q and containing %q", msg, "python "+tt.python+": ", tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// BenchmarkInspect measures one Inspect of the shared venv, with pip's tags
// and with the fallback (no pip import).
func BenchmarkInspect(b *testing.B) {
	py := pythons.SharedVenv(b)
	for _, src := range []string{"pip", "fallback"} {
		b.Run(src, func(b *testing.B) {
			for b.Loop() {
				if _, err := inspect(context.Background(), py, []string{"PIPUP_TAGS_SOURCE=" + src}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestExternallyManaged runs interp.py's PEP 668 check against a fake
// stdlib directory (the real ones must not be touched).
func TestExternallyManaged(t *testing.T) {
	py := pythons.Python(t)
	tests := []struct {
		name    string
		file    string // EXTERNALLY-MANAGED content; "-" for no file
		inVenv  bool
		want    string // Error text; "" for not managed
		wantDef bool   // pip's default message
	}{
		{name: "no file", file: "-"},
		{name: "error text", file: "[externally-managed]\nError = Use apt.\n  Really.\n", want: "Use apt.\nReally."},
		{name: "no error key", file: "[externally-managed]\nOther = x\n", wantDef: true},
		{name: "no section", file: "[other]\nError = x\n", wantDef: true},
		{name: "not ini", file: "garbage without section\n", wantDef: true},
		{name: "inside a venv", file: "[externally-managed]\nError = x\n", inVenv: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdlib := t.TempDir()
			if tt.file != "-" {
				writeTestFile(t, filepath.Join(stdlib, "EXTERNALLY-MANAGED"), tt.file, 0o644)
			}
			harness := `import json, sys, sysconfig
ns = {"__name__": "harness"}
exec(compile(sys.stdin.read(), "interp.py", "exec"), ns)
sysconfig.get_path = lambda name: ` + strconv.Quote(stdlib) + `
print(json.dumps(ns["externally_managed"](` + map[bool]string{true: "True", false: "False"}[tt.inVenv] + `)))`
			cmd := exec.Command(py, "-c", harness)
			cmd.Stdin = strings.NewReader(interpScript)
			cmd.Dir = os.TempDir()
			cmd.Env = append(os.Environ(), "LC_ALL=C")
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			var got [2]string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			marker := filepath.Join(stdlib, "EXTERNALLY-MANAGED")
			switch {
			case tt.want == "" && !tt.wantDef:
				if got != [2]string{} {
					t.Errorf("got %q, want not managed", got)
				}
			case tt.wantDef:
				if got[0] != marker || !strings.Contains(got[1], "is managed externally") {
					t.Errorf("got %q, want pip's default message", got)
				}
			default:
				if got != [2]string{marker, tt.want} {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}
