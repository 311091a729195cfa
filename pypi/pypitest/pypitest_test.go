package pypitest

// These tests use real pip (the one bundled with python3's ensurepip) as
// the client: pip is the oracle for what a correct index looks like.

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
)

// venvPython is the interpreter of the venv TestMain made; "" with
// venvErr == nil means Python is not available and pip tests skip.
var (
	venvPython string
	venvErr    error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pypitest-venv-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	venvPython, venvErr = makeVenv(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// makeVenv creates a venv with pip. Instead of letting ensurepip install
// pip (about 9 s here), it unpacks ensurepip's bundled pip wheel into the
// venv, which is what ensurepip's install amounts to, in a fraction of the
// time.
func makeVenv(dir string) (string, error) {
	python3, err := testenv.LookPython()
	if err != nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(name string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	if _, err := run(python3, "-m", "venv", "--without-pip", dir); err != nil {
		return "", err
	}
	python := filepath.Join(dir, "bin", "python")
	out, err := run(python, "-c", "import ensurepip, sysconfig; print(ensurepip.__path__[0]); print(sysconfig.get_paths()['purelib'])")
	if err != nil {
		return "", err
	}
	lines := strings.Fields(out)
	if len(lines) != 2 {
		return "", fmt.Errorf("unexpected ensurepip/purelib answer %q", out)
	}
	wheels, _ := filepath.Glob(filepath.Join(lines[0], "_bundled", "pip-*.whl"))
	if len(wheels) == 0 {
		// No bundled wheel to unpack: let ensurepip do it the slow way.
		_, err := run(python, "-m", "ensurepip")
		return python, err
	}
	if err := extractZip(wheels[0], lines[1]); err != nil {
		return "", err
	}
	_, err = run(python, "-m", "pip", "--version")
	return python, err
}

func extractZip(archive, dest string) error {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		path := filepath.Join(dest, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(path, filepath.Clean(dest)+string(os.PathSeparator)) {
			return fmt.Errorf("unpack %s: bad path %q", archive, f.Name)
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		out, err := os.Create(path)
		if err == nil {
			_, err = io.Copy(out, rc)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		rc.Close()
		if err != nil {
			return fmt.Errorf("unpack %s: %w", archive, err)
		}
	}
	return nil
}

// cleanEnv drops the machine's pip configuration (PIP_FIND_LINKS,
// /etc/pip.conf, ...) and proxies, and lets Python write bytecode so that
// pip starts faster from the second run on.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PIP_"), k == "PYTHONDONTWRITEBYTECODE", strings.HasSuffix(strings.ToLower(k), "_proxy"):
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1", "NETRC="+os.DevNull, "NO_PROXY=*")
}

// pip runs the venv's pip. cacheDir "" means --no-cache-dir.
func pip(t *testing.T, cacheDir string, args ...string) (string, error) {
	t.Helper()
	if venvErr != nil {
		t.Fatalf("venv setup: %v", venvErr)
	}
	if venvPython == "" {
		testenv.Missing(t, "python3 (real pip is these tests' client): put it on PATH or name it in %s", testenv.PythonVar)
	}
	cache := []string{"--no-cache-dir"}
	if cacheDir != "" {
		cache = []string{"--cache-dir", cacheDir}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, venvPython, append(append([]string{"-m", "pip"}, args...), cache...)...)
	cmd.Env = cleanEnv()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("pip %s: %v", args[0], time.Since(start).Round(10*time.Millisecond))
	return string(out), err
}

func dirNames(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// TestPipInstall installs a wheel and its dependency into the shared venv;
// it is the only test that changes the venv.
func TestPipInstall(t *testing.T) {
	s := NewServer()
	defer s.Close()
	must(t, s.AddWheel(WheelSpec{Name: "pt-app", Version: "1.0", Requires: []string{"PT_Lib>=1.0"}}))
	must(t, s.AddWheel(WheelSpec{Name: "pt-app", Version: "1.1"}))
	must(t, s.AddWheel(WheelSpec{Name: "pt.lib", Version: "1.0"}))
	must(t, s.AddWheel(WheelSpec{Name: "pt.lib", Version: "1.2", Tag: "py2.py3-none-any"}))
	if out, err := pip(t, "", "install", "--index-url", s.IndexURL(), "pt-app==1.0"); err != nil {
		t.Fatalf("pip install: %v\n%s", err, out)
	}
	out, err := pip(t, "", "list", "--format=json")
	if err != nil {
		t.Fatalf("pip list: %v\n%s", err, out)
	}
	var list []struct{ Name, Version string }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("pip list output: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, d := range list {
		got[normalize(d.Name)] = d.Version
	}
	if got["pt-app"] != "1.0" || got["pt-lib"] != "1.2" {
		t.Errorf("installed %v, want pt-app 1.0 and pt-lib 1.2", got)
	}
	cmd := exec.Command(venvPython, "-c", "import pt_app, pt_lib; print(pt_app.__version__, pt_lib.__version__)")
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "1.0 1.2" {
		t.Errorf("importing the installed modules: %v %q", err, out)
	}
	if c := s.Requests(); c.Metadata == 0 || c.File != 2 {
		t.Errorf("pip did not use PEP 658 metadata and fetch 2 files: %+v", c)
	}
}

// TestPipDownload checks, for each Simple API form alone, that pip finds
// the files and honours yanking, data-requires-python and core metadata.
func TestPipDownload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		html, json bool
	}{{"html", true, false}, {"json", false, true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(WithFormats(tt.html, tt.json))
			defer s.Close()
			must(t, s.AddWheel(WheelSpec{Name: "yanky", Version: "1.0"}))
			must(t, s.AddWheel(WheelSpec{Name: "yanky", Version: "2.0"}, Yank("broken build")))
			must(t, s.AddWheel(WheelSpec{Name: "pyreq", Version: "1.0"}))
			// The wheel's own METADATA has no Requires-Python: only the
			// page attribute keeps pip away from 2.0.
			must(t, s.AddWheel(WheelSpec{Name: "pyreq", Version: "2.0"}, AdvertiseRequiresPython(">=4")))
			must(t, s.AddWheel(WheelSpec{Name: "Plain_Name", Version: "0.1"}))
			dir := t.TempDir()
			out, err := pip(t, "", "download", "--no-deps", "-d", dir, "--index-url", s.IndexURL(), "yanky", "pyreq", "plain.name")
			if err != nil {
				t.Fatalf("pip download: %v\n%s", err, out)
			}
			want := "plain_name-0.1-py3-none-any.whl pyreq-1.0-py3-none-any.whl yanky-1.0-py3-none-any.whl"
			if got := dirNames(t, dir); got != want {
				t.Errorf("downloaded %s\nwant %s\n%s", got, want, out)
			}
			if c := s.Requests(); c.Project < 3 || c.File != 3 || c.Metadata != 3 {
				t.Errorf("counts %+v", c)
			}
		})
	}
}

func TestPipPinnedYanked(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	must(t, s.AddWheel(WheelSpec{Name: "yanky", Version: "1.0"}))
	must(t, s.AddWheel(WheelSpec{Name: "yanky", Version: "2.0"}, Yank("broken build")))
	dir := t.TempDir()
	out, err := pip(t, "", "download", "--no-deps", "-d", dir, "--index-url", s.IndexURL(), "yanky==2.0")
	if err != nil {
		t.Fatalf("pip download: %v\n%s", err, out)
	}
	if !strings.Contains(out, "yanked version") || !strings.Contains(out, "Reason for being yanked: broken build") {
		t.Errorf("pip did not warn about the yanked pin:\n%s", out)
	}
	if got := dirNames(t, dir); got != "yanky-2.0-py3-none-any.whl" {
		t.Errorf("downloaded %s", got)
	}
}

func TestPipRejects(t *testing.T) {
	t.Parallel()
	s := NewServer()
	t.Cleanup(s.Close) // the subtests run after this function returns
	must(t, s.AddWheel(WheelSpec{Name: "broken", Version: "1.0", Broken: true}))
	must(t, s.AddWheel(WheelSpec{Name: "tampered", Version: "1.0"}, WithWrongHash()))
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"broken wheel", []string{"install", "--target", "TMP", "broken==1.0"}, "has an invalid wheel"},
		{"wrong hash", []string{"download", "--no-deps", "-d", "TMP", "tampered==1.0"}, "THESE PACKAGES DO NOT MATCH THE HASHES"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append(tt.args[:1:1], append([]string{"--index-url", s.IndexURL()}, tt.args[1:]...)...)
			for i, a := range args {
				if a == "TMP" {
					args[i] = t.TempDir()
				}
			}
			out, err := pip(t, "", args...)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !strings.Contains(out, tt.want) {
				t.Errorf("pip %s: %v, want a failure mentioning %q:\n%s", tt.args[0], err, tt.want, out)
			}
		})
	}
}

func TestPipBasicAuth(t *testing.T) {
	t.Parallel()
	s := NewServer(WithBasicAuth("alice", "s3cret"))
	defer s.Close()
	must(t, s.AddWheel(WheelSpec{Name: "private", Version: "1.0"}))
	u, _ := url.Parse(s.IndexURL())
	u.User = url.UserPassword("alice", "s3cret")
	dir := t.TempDir()
	if out, err := pip(t, "", "download", "--no-deps", "-d", dir, "--index-url", u.String(), "private"); err != nil {
		t.Fatalf("pip download with credentials: %v\n%s", err, out)
	}
	if got := dirNames(t, dir); got != "private-1.0-py3-none-any.whl" {
		t.Errorf("downloaded %s", got)
	}
	s.ResetCounts()
	out, err := pip(t, "", "download", "--no-deps", "-d", t.TempDir(), "--index-url", s.IndexURL(), "private")
	if c := s.Requests(); err == nil || c.Project == 0 || c.File != 0 {
		t.Errorf("pip without credentials: %v, counts %+v\n%s", err, c, out)
	}
}

// TestPipRetryAndRevalidate: pip retries a 503, and a second run with the
// same cache revalidates the page (304) and takes the file from its cache.
// pip caches plain-http responses only from trusted hosts.
func TestPipRetryAndRevalidate(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	must(t, s.AddWheel(WheelSpec{Name: "flaky", Version: "1.0"}))
	s.Fail("flaky", Fault{Status: 503, Times: 1})
	cache := t.TempDir()
	args := []string{"download", "--no-deps", "-d", t.TempDir(), "--index-url", s.IndexURL(), "--trusted-host", "127.0.0.1", "flaky"}
	if out, err := pip(t, cache, args...); err != nil {
		t.Fatalf("pip download: %v\n%s", err, out)
	}
	first := s.Requests()
	if first.Project != 2 || first.File != 1 {
		t.Errorf("first run counts %+v, want the page twice (503, 200) and the file once", first)
	}
	s.ResetCounts()
	if out, err := pip(t, cache, args...); err != nil {
		t.Fatalf("second pip download: %v\n%s", err, out)
	}
	if c := s.Requests(); c.Project != 1 || c.NotModified != 1 || c.File != 0 {
		t.Errorf("second run counts %+v, want one revalidated page and no file fetch", c)
	}
}

func TestPipGzipAndLatency(t *testing.T) {
	t.Parallel()
	s := NewServer(WithGzip(true), WithLatency(20*time.Millisecond))
	defer s.Close()
	must(t, s.AddWheel(WheelSpec{Name: "zipped", Version: "1.0"}))
	out, err := pip(t, "", "index", "versions", "--index-url", s.IndexURL(), "zipped")
	if err != nil || !strings.Contains(out, "zipped (1.0)") {
		t.Errorf("pip index versions over gzip: %v\n%s", err, out)
	}
}
