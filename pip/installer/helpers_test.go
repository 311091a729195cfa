package installer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// pythons is this test binary's base interpreter and its venvs.
var pythons = piptest.New()

func TestMain(m *testing.M) { pythons.Main(m) }

// pair is two copies of one environment: pip changes A, the installer B.
type pair struct {
	a, b    string // interpreters
	rootA   string
	rootB   string
	links   string // --find-links directory with the test's wheels
	home    string
	targetB installer.Target
}

// newPair makes two SharedPip venvs whose paths have the same length (so
// shebangs and the /bin/sh trampoline decision agree). parent names the
// directory inside each copy's own temp dir ("venv" or a long one).
func newPair(t *testing.T, parent string) *pair {
	t.Helper()
	dir := t.TempDir()
	p := &pair{links: filepath.Join(dir, "wheels"), home: filepath.Join(dir, "home")}
	for _, d := range []string{p.links, p.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if p.a, err = pythons.CreateVenv(filepath.Join(dir, "a", parent), piptest.SharedPip); err != nil {
		t.Fatal(err)
	}
	if p.b, err = pythons.CreateVenv(filepath.Join(dir, "b", parent), piptest.SharedPip); err != nil {
		t.Fatal(err)
	}
	p.rootA, p.rootB = filepath.Dir(filepath.Dir(p.a)), filepath.Dir(filepath.Dir(p.b))
	p.targetB = target(t, p.b)
	return p
}

// target inspects python as pipup does and returns its install target.
func target(t *testing.T, python string) installer.Target {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in, err := pip.Inspect(ctx, python)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := in.InstallTarget()
	if err != nil {
		t.Fatal(err)
	}
	tg.Getenv = func(k string) (string, bool) { return "", false } // as pipEnv below: no ENSUREPIP_OPTIONS
	return tg
}

func (p *pair) env() []string {
	return piptest.HomeEnviron(p.home, "ENSUREPIP_OPTIONS=", "SOURCE_DATE_EPOCH=")
}

// pipRun runs `python -m pip args...` with a clean environment.
func (p *pair) pipRun(t *testing.T, python string, args ...string) string {
	t.Helper()
	out, err := p.pipTry(python, args...)
	if err != nil {
		t.Fatalf("pip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (p *pair) pipTry(python string, args ...string) (string, error) {
	cmd := exec.Command(python, append([]string{"-m", "pip"}, args...)...)
	cmd.Env = dropEmpty(p.env())
	cmd.Dir = p.home
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// dropEmpty removes KEY= entries: the venv must not see ENSUREPIP_OPTIONS
// at all (pip treats "set but empty" differently from unset).
func dropEmpty(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasSuffix(kv, "=") && (strings.HasPrefix(kv, "ENSUREPIP_OPTIONS=") || strings.HasPrefix(kv, "SOURCE_DATE_EPOCH=")) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// addWheel builds spec into the pair's find-links directory.
func (p *pair) addWheel(t *testing.T, spec pypitest.WheelSpec) string {
	t.Helper()
	path, err := pypitest.WriteWheel(p.links, spec)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// pipInstall installs name==version into both copies with pip, from the
// find-links directory (not a file path: that would add direct_url.json).
func (p *pair) pipInstallBoth(t *testing.T, req string) {
	t.Helper()
	for _, py := range []string{p.a, p.b} {
		p.pipRun(t, py, "install", "-q", "--no-deps", "--no-index", "--find-links", p.links, req)
	}
}

// upgrade installs req with pip into A and wheel with the installer into
// B, replacing B's installed distribution distName (if any).
func (p *pair) upgrade(t *testing.T, req, wheel, distName string) *installer.Result {
	t.Helper()
	return p.upgradeWith(t, req, wheel, distName, false)
}

// upgradeWith is upgrade, with pip's --no-compile on both sides when asked.
func (p *pair) upgradeWith(t *testing.T, req, wheel, distName string, noCompile bool) *installer.Result {
	t.Helper()
	args := []string{"install", "-q", "--no-deps", "--no-index", "--find-links", p.links, "--upgrade", "--force-reinstall", req}
	if noCompile {
		args = append(args, "--no-compile")
	}
	p.pipRun(t, p.a, args...)
	opts := installer.Options{Old: findDistInfo(t, p.targetB.Scheme.Purelib, distName), CompileEnv: dropEmpty(p.env()), NoCompile: noCompile}
	if opts.Old == "" {
		opts.Requested = true // pip marks what it was asked for
	}
	res, err := installer.Install(context.Background(), p.targetB, wheel, opts)
	if err != nil {
		t.Fatalf("install %s: %v", filepath.Base(wheel), err)
	}
	return res
}

// findDistInfo returns the .dist-info directory of name in site, or "".
func findDistInfo(t *testing.T, site, name string) string {
	t.Helper()
	if name == "" {
		return ""
	}
	m, _ := filepath.Glob(filepath.Join(site, name+"-*.dist-info"))
	switch len(m) {
	case 0:
		return ""
	case 1:
		return m[0]
	}
	t.Fatalf("several %s dist-infos: %v", name, m)
	return ""
}

// entry is one file (or link) of a tree snapshot.
type entry struct {
	mode    fs.FileMode
	content string
}

// snapshot reads every file under root. Contents have root replaced by
// <ROOT>; .pyc files are compared by name only (they hold mtimes);
// INSTALLER differs by design; RECORD rows of .pyc files and INSTALLER
// keep their path only (pip leaves .pyc hashes empty, the installer
// fills them in, and INSTALLER's content differs).
func snapshot(t *testing.T, root string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if p == root {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{mode: fi.Mode()}
		switch {
		case d.IsDir():
			e.content = "<dir>"
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			e.content = "-> " + strings.ReplaceAll(target, root, "<ROOT>")
		case strings.HasSuffix(p, ".pyc"):
			e.content = "<pyc>"
		case filepath.Base(p) == "INSTALLER":
			e.content = "<installer>"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s := strings.ReplaceAll(string(b), root, "<ROOT>")
			if filepath.Base(p) == "RECORD" {
				s = normaliseRecord(t, s, filepath.Dir(filepath.Dir(p)))
			}
			e.content = s
		}
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// normaliseRecord makes a RECORD comparable across the two copies: a
// hash and size that match the file they name (relative to location)
// become "<matches>" (the content itself is compared normalised, and it
// holds the copy's own path, so its hash differs between copies).
func normaliseRecord(t *testing.T, s, location string) string {
	rows, err := installer.ReadRecord(strings.NewReader(s))
	if err != nil {
		t.Fatalf("RECORD: %v", err)
	}
	var lines []string
	for _, r := range rows {
		if strings.HasSuffix(r.Path, ".pyc") || strings.HasSuffix(r.Path, "/INSTALLER") {
			r.Hash, r.Size = "", ""
		}
		if r.Hash != "" {
			b, err := os.ReadFile(filepath.Join(location, filepath.FromSlash(r.Path)))
			sum := sha256.Sum256(b)
			if err == nil && r.Hash == "sha256="+base64.RawURLEncoding.EncodeToString(sum[:]) && r.Size == strconv.Itoa(len(b)) {
				r.Hash, r.Size = "<matches>", "<matches>"
			}
		}
		lines = append(lines, r.Path+","+r.Hash+","+r.Size)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// sameTrees fails t with every difference between A and B.
func (p *pair) sameTrees(t *testing.T, when string) {
	t.Helper()
	a, b := snapshot(t, p.rootA), snapshot(t, p.rootB)
	var diffs []string
	for k, ea := range a {
		eb, ok := b[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("only pip wrote %s", k))
		case ea.mode != eb.mode:
			diffs = append(diffs, fmt.Sprintf("%s: mode %v (pip) vs %v (installer)", k, ea.mode, eb.mode))
		case ea.content != eb.content:
			diffs = append(diffs, fmt.Sprintf("%s differs:\n--- pip\n%s\n--- installer\n%s", k, ea.content, eb.content))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("only the installer wrote %s", k))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s: trees differ:\n%s", when, strings.Join(diffs, "\n"))
	}
}

// countFiles counts the regular files under dir (to check a test did
// install something).
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func runOK(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}
