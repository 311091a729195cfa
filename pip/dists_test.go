package pip

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip/piptest"
)

func distsTestdata(t testing.TB, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"testdata", "dists"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// distSummary is the part of a Dist the table tests pin down.
type distSummary struct {
	Name, Canonical, Version, Format, Installer string
	Editable, HasRecord, HasDirectURL           bool
	Location                                    string // base name of the sys.path entry
}

func summarizeDists(ds []Dist) map[string]distSummary {
	m := map[string]distSummary{}
	for _, d := range ds {
		m[d.Canonical] = distSummary{d.Name, d.Canonical, d.Version, d.Format, d.Installer, d.Editable, d.HasRecord, d.DirectURL != nil, filepath.Base(d.Location)}
	}
	return m
}

func TestInstalledDistsTestdata(t *testing.T) {
	edge, dupA, dupB := distsTestdata(t, "edge"), distsTestdata(t, "dupA"), distsTestdata(t, "dupB")
	in := &Interpreter{SysPath: []string{edge, dupA, filepath.Join(edge, "missing"), dupB}}
	ds, err := InstalledDists(in)
	if err != nil {
		t.Fatal(err)
	}
	got := summarizeDists(ds)
	if len(got) != len(ds) {
		t.Errorf("duplicate canonical names in %d dists", len(ds))
	}
	want := map[string]distSummary{
		"good":          {"Good", "good", "1.0", "dist-info", "pip", false, true, false, "edge"},
		"nometa":        {"nometa", "nometa", "1.0", "dist-info", "", false, true, false, "edge"},
		"noname":        {"noname", "noname", "2.0", "dist-info", "", false, false, false, "edge"},
		"eggdir":        {"eggdir", "eggdir", "1.5", "egg-info", "", false, false, false, "edge"},
		"eggfile":       {"eggfile", "eggfile", "0.3", "egg-info", "", false, false, false, "edge"},
		"editable-proj": {"editable-proj", "editable-proj", "0.1", "dist-info", "pip", true, true, true, "edge"},
		"vcs-pkg":       {"vcs_pkg", "vcs-pkg", "1.0", "dist-info", "", false, false, true, "edge"},
		"baddirect":     {"baddirect", "baddirect", "1.0", "dist-info", "", false, false, false, "edge"},
		// Keyed by the directory name, shown with the METADATA Name.
		"crlf":       {"CRLF.Pkg", "crlf", "1.0", "dist-info", "", false, false, false, "edge"},
		"unzipped":   {"unzipped", "unzipped", "2.0", "egg", "", false, false, false, "edge"},
		"legacy-dev": {"legacy-dev", "legacy-dev", "0.5.dev0", "egg-info", "", true, false, false, "edge"},
		"dup":        {"Dup", "dup", "1.0", "dist-info", "", false, false, false, "dupA"},
		"only-b":     {"only_b", "only-b", "1.0", "dist-info", "", false, false, false, "dupB"},
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s missing", name)
		} else if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected dist %s (%+v)", name, got[name]) // ~ilde, wsgiref must be skipped
		}
	}
	byName := map[string]Dist{}
	for _, d := range ds {
		byName[d.Canonical] = d
	}
	good := byName["good"]
	if good.Summary != "A good one" || good.RequiresPython != ">=3.6" || strings.Join(good.RequiresDist, "|") != `six>=1.0|idna; extra == "net"` {
		t.Errorf("good metadata = %+v", good)
	}
	if good.Path != filepath.Join(edge, "good-1.0.dist-info") {
		t.Errorf("good.Path = %s", good.Path)
	}
	if c := byName["crlf"]; c.Summary != "windows line endings" {
		t.Errorf("crlf summary = %q", c.Summary)
	}
	if e := byName["eggdir"]; strings.Join(e.RequiresDist, "|") != `six|pytest ; extra == "tests"` || e.RequiresPython != ">=2.7" {
		t.Errorf("eggdir requires = %q, python %q", e.RequiresDist, e.RequiresPython)
	}
	if v := byName["vcs-pkg"].DirectURL; v == nil || v.VCS != "git" || v.CommitID != "0123abcd" || v.Editable {
		t.Errorf("vcs direct url = %+v", v)
	}
	if l := byName["legacy-dev"]; l.Path != filepath.Join(distsTestdata(t, "develop", "src"), "legacy_dev.egg-info") || len(l.RequiresDist) != 1 {
		t.Errorf("legacy-dev = %+v", l)
	}

	// pip 24 or later (the behaviour followed) as the oracle: the newest
	// pip wheel bundled with a found Python, run from a venv without pip.
	t.Run("pip list", func(t *testing.T) {
		whl := testenv.PipWheel(t, "24", "the pip whose behaviour these edge cases follow")
		pipList := testPipListFrom(t, pythons.Venv(t, piptest.NoPip), whl.Path, "--path", edge, "--path", dupA, "--path", dupB)
		compareDistsWithPipList(t, ds, pipList)
		for _, p := range pipList {
			if p.EditableLocation != "" && !byName[canonicalName(p.Name)].Editable {
				t.Errorf("pip says %s is editable", p.Name)
			}
		}
	})
}

// TestInstalledDistsBroken covers metadata pip itself chokes on (pip 24.2
// crashes on the first two): pipup reports what it can and never fails.
func TestInstalledDistsBroken(t *testing.T) {
	ds, err := InstalledDists(&Interpreter{SysPath: []string{distsTestdata(t, "broken")}})
	if err != nil {
		t.Fatal(err)
	}
	got := summarizeDists(ds)
	want := map[string]distSummary{
		// Invalid version: reported as written, the scan decides.
		"badver": {"badver", "badver", "1.0-foo-bar", "dist-info", "", false, false, false, "broken"},
		// Metadata name differs from the directory name: pip keys it by the
		// directory name and shows the metadata Name. (pip 24.2 shows the
		// directory's version, 1.0; pipup keeps the METADATA one.)
		"mismatch": {"Other-Name", "mismatch", "3.0", "dist-info", "", false, false, false, "broken"},
		// Empty METADATA: name and version from the directory, as pip 24.2.
		"empty": {"empty", "empty", "1.0", "dist-info", "", false, false, false, "broken"},
		// noversion.dist-info has no version anywhere: skipped.
	}
	if len(got) != len(want) {
		t.Errorf("got %d dists, want %d: %+v", len(got), len(want), got)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got[name], w)
		}
	}
}

func TestInstalledDistsZipEntries(t *testing.T) {
	dir := t.TempDir()
	whl := buildTestWheel(t, dir, "inwheel", "1.0", "")
	egg := filepath.Join(dir, "zipped-3.0-py3.11.egg")
	writeTestZip(t, egg, map[string]string{
		"EGG-INFO/PKG-INFO":     "Metadata-Version: 1.1\nName: zipped\nVersion: 3.0\n",
		"EGG-INFO/requires.txt": "six\n",
		"zipped/__init__.py":    "",
	})
	site := filepath.Join(dir, "site")
	writeTestZip(t, filepath.Join(site, "inner-1.0-py3.11.egg"), map[string]string{
		"EGG-INFO/PKG-INFO": "Metadata-Version: 1.1\nName: inner\nVersion: 1.0\n",
	})
	ds, err := InstalledDists(&Interpreter{SysPath: []string{whl, egg, site, filepath.Join(dir, "notzip.egg")}})
	if err != nil {
		t.Fatal(err)
	}
	got := summarizeDists(ds)
	if len(got) != 2 || got["zipped"].Version != "3.0" || got["zipped"].Format != "egg" || got["inner"].Location != "site" {
		t.Errorf("got %+v; want the two eggs and not the wheel", got)
	}
}

// pipListEntry is one row of `pip list --format=json`.
type pipListEntry struct {
	Name             string `json:"name"`
	Version          string `json:"version"`
	EditableLocation string `json:"editable_project_location"`
}

// runPip runs `python -m pip args...` with a clean pip environment. A venv
// made --without-pip gets pip from the bundled wheel on PYTHONPATH (pip
// runs from a wheel, and skips .whl entries when listing).
func testPip(t *testing.T, python string, args ...string) []byte {
	t.Helper()
	wheel := ""
	probe := exec.Command(python, "-c", "import pip")
	probe.Dir = os.TempDir()
	if probe.Run() != nil {
		wheel = bundledPipWheelPath(t)
	}
	return testPipFrom(t, python, wheel, args...)
}

// testPipFrom is testPip with the pip of wheel (on PYTHONPATH), or the
// interpreter's own when wheel is "".
func testPipFrom(t *testing.T, python, wheel string, args ...string) []byte {
	t.Helper()
	var set []string
	if wheel != "" {
		set = append(set, "PYTHONPATH="+wheel)
	}
	env := piptest.Environ(set...)
	cmd := exec.Command(python, append([]string{"-m", "pip"}, args...)...)
	cmd.Env = env
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("pip %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func bundledPipWheelPath(t *testing.T) string {
	t.Helper()
	py := pythons.Python(t)
	cmd := exec.Command(py, "-c", "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))")
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	if err != nil {
		testenv.Missing(t, "ensurepip in %s (its pip wheel runs pip list here): %v", py, err)
	}
	m, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "_bundled", "pip-*.whl"))
	if len(m) == 0 {
		testenv.Missing(t, "a pip wheel bundled with %s's ensurepip (it runs pip list here)", py)
	}
	return m[0]
}

func testPipList(t *testing.T, python string, args ...string) []pipListEntry {
	t.Helper()
	return parsePipList(t, testPip(t, python, append([]string{"list", "--format=json"}, args...)...))
}

// testPipListFrom is testPipList with the pip of wheel.
func testPipListFrom(t *testing.T, python, wheel string, args ...string) []pipListEntry {
	t.Helper()
	return parsePipList(t, testPipFrom(t, python, wheel, append([]string{"list", "--format=json"}, args...)...))
}

func parsePipList(t *testing.T, out []byte) []pipListEntry {
	t.Helper()
	var list []pipListEntry
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("pip list output %q: %v", out, err)
	}
	return list
}

// compareWithPipList checks names and versions, ignoring order.
func compareDistsWithPipList(t *testing.T, ds []Dist, list []pipListEntry) {
	t.Helper()
	var got, want []string
	for _, d := range ds {
		got = append(got, d.Name+"=="+d.Version)
	}
	for _, p := range list {
		want = append(want, p.Name+"=="+p.Version)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("InstalledDists differs from pip list:\n got %v\nwant %v", got, want)
	}
}

// buildWheel writes a minimal, valid wheel for name==version into dir.
func buildTestWheel(t *testing.T, dir, name, version, extraMeta string) string {
	t.Helper()
	dist := strings.NewReplacer("-", "_", ".", "_").Replace(name)
	info := dist + "-" + version + ".dist-info"
	mod := strings.ToLower(dist)
	files := map[string]string{
		mod + "/__init__.py":    "VERSION = " + fmt.Sprintf("%q", version) + "\n",
		info + "/METADATA":      "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n" + extraMeta + "\n",
		info + "/WHEEL":         "Wheel-Version: 1.0\nGenerator: pipup-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
		info + "/top_level.txt": mod + "\n",
	}
	var record strings.Builder
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sum := sha256.Sum256([]byte(files[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[n]))
	}
	record.WriteString(info + "/RECORD,,\n")
	files[info+"/RECORD"] = record.String()
	path := filepath.Join(dir, dist+"-"+version+"-py3-none-any.whl")
	writeTestZip(t, path, files)
	return path
}

func writeTestZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustInspect(t *testing.T, py string) *Interpreter {
	t.Helper()
	in, err := Inspect(context.Background(), py)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestInstalledDistsMatchesPipListVenv installs local wheels into a fresh
// venv with pip and compares with `pip list`.
func TestInstalledDistsMatchesPipListVenv(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip)
	wheels := t.TempDir()
	a := buildTestWheel(t, wheels, "Alpha_Pkg", "1.2.3", "Summary: alpha\nRequires-Python: >=3.6\nRequires-Dist: beta>=2\n")
	b := buildTestWheel(t, wheels, "beta", "2.0.post1", "")
	c := buildTestWheel(t, wheels, "gamma.dots", "0.1", "")
	args := []string{"install", "--no-index", "--find-links", wheels, "--no-deps", a, b, c}
	if st, _ := filepath.Glob(filepath.Join(filepath.Dir(bundledPipWheelPath(t)), "setuptools-*.whl")); len(st) > 0 {
		args = append(args, st[0])
	}
	testPip(t, py, args...)

	in := mustInspect(t, py)
	ds, err := InstalledDists(in)
	if err != nil {
		t.Fatal(err)
	}
	compareDistsWithPipList(t, ds, testPipList(t, py))
	for _, d := range ds {
		if d.Installer != "pip" || !d.HasRecord || d.Format != "dist-info" || d.Editable {
			t.Errorf("%s: Installer=%q HasRecord=%v Format=%s Editable=%v", d.Name, d.Installer, d.HasRecord, d.Format, d.Editable)
		}
		if strings.HasPrefix(d.Canonical, "alpha") {
			if d.Name != "Alpha_Pkg" || d.Canonical != "alpha-pkg" || d.Summary != "alpha" || d.RequiresPython != ">=3.6" {
				t.Errorf("alpha = %+v", d)
			}
			// Installed from a file path: pip records it (PEP 610).
			if d.DirectURL == nil || !d.DirectURL.Archive || !strings.HasPrefix(d.DirectURL.URL, "file://") {
				t.Errorf("alpha DirectURL = %+v", d.DirectURL)
			}
		}
		if d.Location != in.SitePackages[0] {
			t.Errorf("%s: Location %s, want %s", d.Name, d.Location, in.SitePackages[0])
		}
	}
}

// TestInstalledDistsSystemSitePackages covers a venv that sees the base
// interpreter's packages and the user site.
func TestInstalledDistsSystemSitePackages(t *testing.T) {
	userBase := t.TempDir()
	t.Setenv("PYTHONUSERBASE", userBase)
	py := pythons.Venv(t, piptest.NoPip, "--system-site-packages")
	in := mustInspect(t, py)
	if !in.UserSiteEnabled {
		t.Skip("user site disabled for this interpreter")
	}
	// A dist in the user site, and one shadowing a base package name.
	userSite := in.UserSite
	for _, d := range []struct{ dir, meta string }{
		{"usersite_only-4.0.dist-info", "Name: usersite-only\nVersion: 4.0\n"},
	} {
		if err := os.MkdirAll(filepath.Join(userSite, d.dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(userSite, d.dir, "METADATA"), []byte(d.meta), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wheels := t.TempDir()
	// Same name as a base package: the venv's copy comes first on sys.path.
	testPip(t, py, "install", "--no-index", "--no-deps", buildTestWheel(t, wheels, "setuptools", "99.0", ""), buildTestWheel(t, wheels, "delta", "1.0", ""))

	in = mustInspect(t, py) // user site exists now, so it is on sys.path
	ds, err := InstalledDists(in)
	if err != nil {
		t.Fatal(err)
	}
	compareDistsWithPipList(t, ds, testPipList(t, py))
	got := summarizeDists(ds)
	if got["usersite-only"].Version != "4.0" || got["delta"].Version != "1.0" || got["setuptools"].Version != "99.0" {
		t.Errorf("got %+v", got)
	}
	if len(ds) < 3 {
		t.Errorf("base packages missing: %+v", got)
	}
}

// makeDistTree writes n dist-info directories shaped like real ones (a 20
// KB description body, INSTALLER, RECORD, some direct_url.json).
func makeDistTree(t testing.TB, dir string, n int) {
	t.Helper()
	body := strings.Repeat("Some long description line for the package body.\n", 400)
	for i := range n {
		info := filepath.Join(dir, fmt.Sprintf("pkg_%04d-1.%d.0.dist-info", i, i))
		if err := os.MkdirAll(info, 0o755); err != nil {
			t.Fatal(err)
		}
		meta := fmt.Sprintf("Metadata-Version: 2.1\nName: pkg-%04d\nVersion: 1.%d.0\nSummary: package %d\nRequires-Python: >=3.8\n"+
			"Requires-Dist: dep-a>=1\nRequires-Dist: dep-b; extra == \"x\"\nClassifier: A\nClassifier: B\n\n%s", i, i, i, body)
		files := map[string]string{"METADATA": meta, "INSTALLER": "pip\n", "RECORD": strings.Repeat("pkg/x.py,sha256=abc,10\n", 50)}
		if i%10 == 0 {
			files["direct_url.json"] = `{"url": "file:///w/x.whl", "archive_info": {}}`
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(info, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestInstalledDistsThousand(t *testing.T) {
	dir := t.TempDir()
	makeDistTree(t, dir, 1000)
	in := &Interpreter{SysPath: []string{dir}}
	InstalledDists(in) // warm the page cache, as a real environment is
	start := time.Now()
	ds, err := InstalledDists(in)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1000 {
		t.Fatalf("got %d dists", len(ds))
	}
	t.Logf("InstalledDists on 1000 dist-info dirs: %s", elapsed)
	// Only a guard against something pathological (quadratic, re-reading
	// bodies): the machine's load and -race make real numbers vary 50x.
	// BenchmarkInstalledDists1000 is the measurement.
	if elapsed > 15*time.Second {
		t.Errorf("too slow: %s", elapsed)
	}
}

func BenchmarkInstalledDists1000(b *testing.B) {
	dir := b.TempDir()
	makeDistTree(b, dir, 1000)
	in := &Interpreter{SysPath: []string{dir}}
	for _, w := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			for b.Loop() {
				if ds, err := installedDists(in, w); err != nil || len(ds) != 1000 {
					b.Fatal(len(ds), err)
				}
			}
		})
	}
}
