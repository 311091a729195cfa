package pip

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// netrcPath picks the file requests' get_netrc_auth (which pip calls)
// picks: each case is run through pip's vendored requests itself, with the
// same HOME and NETRC. Every file names itself as its login, so requests'
// answer says which file it read.
func TestNetrcPathAgreesWithRequests(t *testing.T) {
	type netrcCase struct {
		Name  string            `json:"name"`
		Files []string          `json:"files"` // created under home
		Env   map[string]string `json:"env"`   // NETRC, if set; "~" is home
	}
	cases := []netrcCase{
		{Name: "no file"},
		{Name: "_netrc only", Files: []string{"_netrc"}},
		{Name: ".netrc before _netrc", Files: []string{".netrc", "_netrc"}},
		{Name: "$NETRC", Files: []string{".netrc", "other"}, Env: map[string]string{"NETRC": "~/other"}},
		{Name: "$NETRC missing: no fallback", Files: []string{".netrc"}, Env: map[string]string{"NETRC": "~/missing"}},
		{Name: "$NETRC empty: none", Files: []string{".netrc"}, Env: map[string]string{"NETRC": ""}},
		{Name: "$NETRC absolute", Files: []string{"abs"}, Env: map[string]string{"NETRC": "HOME/abs"}},
	}
	root := t.TempDir()
	type prepared struct {
		Home string            `json:"home"`
		Env  map[string]string `json:"env"`
	}
	var input []prepared
	for i, c := range cases {
		home := filepath.Join(root, strings.Repeat("h", i+1))
		if err := os.Mkdir(home, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Files {
			p := filepath.Join(home, f)
			if err := os.WriteFile(p, []byte("machine index.example login \""+p+"\" password pw\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		env := map[string]string{}
		for k, v := range c.Env {
			env[k] = strings.Replace(v, "HOME", home, 1)
		}
		input = append(input, prepared{Home: home, Env: env})
	}

	// The oracle: one interpreter runs every case, setting HOME and NETRC
	// in os.environ as a shell would before starting pip.
	const script = `import json, os, sys
sys.path.insert(0, sys.argv[1])
from pip._vendor.requests.utils import get_netrc_auth
out = []
for c in json.load(sys.stdin):
    os.environ.pop("NETRC", None)
    os.environ["HOME"] = c["home"]
    os.environ.update(c["env"])
    auth = get_netrc_auth("https://index.example/simple/")
    out.append(auth[0] if auth else "")
print(json.dumps(out))
`
	data, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pythons.Python(t), "-I", "-c", script, pythons.PipDir(t))
	cmd.Env = []string{"HOME=" + root, "LC_ALL=C.UTF-8"}
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pip's requests: %v\n%s", err, out)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(cases) {
		t.Fatalf("pip's requests answered %q (%v)", out, err)
	}
	for i, c := range cases {
		got := netrcPath(input[i].Env, input[i].Home)
		if got != want[i] {
			t.Errorf("%s: netrcPath = %q, requests reads %q", c.Name, got, want[i])
		}
	}
}

// Open takes everything from Options.Environ and Options.Home: hostile
// values in the process environment (another index, another .netrc,
// other folders, a PYTHONPATH) change nothing.
func TestOpenIgnoresProcessEnvironment(t *testing.T) {
	srv := pypitest.NewServer(pypitest.WithBasicAuth("user", "right"))
	t.Cleanup(srv.Close)
	if err := srv.AddWheel(pypitest.WheelSpec{Name: "demo", Version: "1.0"}); err != nil {
		t.Fatal(err)
	}
	py := pythons.Venv(t, piptest.NoPip)

	home, hostile, good := t.TempDir(), t.TempDir(), t.TempDir()
	netrc := "machine 127.0.0.1 login user password right\n"
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte(netrc), 0o600); err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(hostile, "netrc")
	if err := os.WriteFile(wrong, []byte("machine 127.0.0.1 login user password wrong\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"HOME": hostile, "NETRC": wrong, "PIP_INDEX_URL": "http://127.0.0.1:9/hostile/simple/",
		"XDG_CACHE_HOME": hostile, "XDG_STATE_HOME": hostile, "XDG_CONFIG_HOME": hostile,
		"PYTHONPATH": hostile, "PIP_CONFIG_FILE": filepath.Join(hostile, "pip.conf"), "TMPDIR": hostile,
	} {
		t.Setenv(k, v)
	}
	environ := []string{
		"PATH=/usr/bin:/bin", "HOME=" + home, "PIP_CONFIG_FILE=" + os.DevNull,
		"PIP_INDEX_URL=" + srv.IndexURL(), "PYTHONPATH=" + good, "TMPDIR=" + good,
	}

	for _, tt := range []struct {
		name    string
		o       Options
		homeDir string
	}{
		{"HOME of Environ", Options{Python: py, Environ: environ}, home},
		{"Options.Home over HOME", Options{Python: py, Environ: slices.Concat(environ[:1], []string{"HOME=" + t.TempDir()}, environ[2:]), Home: home}, home},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Open(context.Background(), tt.o)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			checks := []struct{ what, got, want string }{
				{"cache folder", e.CacheDir, filepath.Join(tt.homeDir, ".cache", "pipup")},
				{"state folder", e.StateDir, filepath.Join(tt.homeDir, ".local", "state", "pipup")},
				{"index URL", e.Config.IndexURL, srv.IndexURL()},
				{"scratch folder", e.tempDir, good},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if !slices.Contains(e.Interp.SysPath, good) || slices.Contains(e.Interp.SysPath, hostile) {
				t.Errorf("interpreter ran outside Options.Environ: sys.path %q", e.Interp.SysPath)
			}
			if !strings.HasPrefix(e.Interp.UserSite, tt.homeDir+string(filepath.Separator)) {
				t.Errorf("interpreter's user site %q is not under the given home %s", e.Interp.UserSite, tt.homeDir)
			}
			// The index wants the password of the given home's .netrc.
			body, _, err := e.Client().Open(context.Background(), srv.IndexURL()+"demo/")
			if err != nil {
				t.Fatalf("index behind the given .netrc: %v", err)
			}
			body.Close()
			if h, err := e.History(); err != nil || len(h) != 0 {
				t.Errorf("History in a fresh state folder = %v, %v", h, err)
			}
		})
	}
}

// The interpreter cache is keyed by the environment the inspection ran
// in, not the process's: two environments differing in PYTHONPATH get two
// entries, each with its own sys.path.
func TestInspectCachedKeyedByGivenEnviron(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip)
	dir := t.TempDir()
	t.Setenv("PYTHONPATH", "")
	for _, p := range []string{t.TempDir(), t.TempDir(), ""} {
		environ := []string{"HOME=" + t.TempDir(), "PYTHONPATH=" + p}
		in, err := inspectCached(context.Background(), py, dir, interpFactsVersion(interpBootstrap, interpScript), environ, true)
		if err != nil {
			t.Fatal(err)
		}
		if p != "" && !slices.Contains(in.SysPath, p) {
			t.Errorf("PYTHONPATH=%s: sys.path %q (a stale entry of another environment?)", p, in.SysPath)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(entries) != 3 {
		t.Errorf("%d cache entries for 3 environments, want 3", len(entries))
	}
}

// An environment with a doubled name reads as Python reads it: the
// interpreter is started with the raw list (os.StartProcess, not os/exec,
// which would drop all but the last entry first) and prints its
// os.environ.
func TestParseEnvironAgreesWithPython(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip) // a real binary: a pyenv shim is a shell script, and the shell dedupes
	for _, tt := range []struct {
		name    string
		environ []string
	}{
		{"doubled", []string{"A=1", "A=2"}},
		{"doubled apart", []string{"A=1", "B=x", "A=2", "C=3"}},
		{"empty first", []string{"A=", "A=2"}},
		{"empty last", []string{"A=1", "A="}},
		{"no equals sign", []string{"A", "A=1", "B"}},
		{"value with equals signs", []string{"A=x=y", "A=z"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := pythonEnviron(t, py, tt.environ)
			if got := parseEnviron(tt.environ).vals; !reflect.DeepEqual(got, want) {
				t.Errorf("parseEnviron(%q) = %q; Python's os.environ is %q", tt.environ, got, want)
			}
			resolved := resolveEnviron(tt.environ)
			if got := pythonEnviron(t, py, resolved); !reflect.DeepEqual(got, want) || len(resolved) != len(want) {
				t.Errorf("resolveEnviron(%q) = %q, which Python reads as %q; the original reads as %q", tt.environ, resolved, got, want)
			}
		})
	}
}

// pythonEnviron starts python with exactly environ and returns its
// os.environ.
func pythonEnviron(t *testing.T, python string, environ []string) map[string]string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := os.StartProcess(python, []string{python, "-c", "import json, os; print(json.dumps(dict(os.environ)))"},
		&os.ProcAttr{Env: environ, Files: []*os.File{nil, w, os.Stderr}})
	w.Close()
	if err != nil {
		t.Fatalf("start %s: %v", python, err)
	}
	out, err := io.ReadAll(r)
	if st, werr := p.Wait(); werr != nil || !st.Success() || err != nil {
		t.Fatalf("%s with %q: %v %v %v", python, environ, st, werr, err)
	}
	got := map[string]string{}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s printed %q: %v", python, out, err)
	}
	// Python 3.7+ coerces the C locale (PEP 538) by setting LC_CTYPE itself.
	if !slices.ContainsFunc(environ, func(kv string) bool { return strings.HasPrefix(kv, "LC_CTYPE=") }) {
		delete(got, "LC_CTYPE")
	}
	return got
}

// Open resolves a doubled variable once, as Python would: the interpreter
// it inspects (run through os/exec, which keeps the last entry), pip's
// configuration and pipup's own folders all see the first.
func TestOpenReadsDoubledVariablesAsPython(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip)
	first, second := t.TempDir(), t.TempDir()
	environ := []string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "PIP_CONFIG_FILE=" + os.DevNull,
		"PYTHONPATH=" + first, "XDG_CACHE_HOME=" + first, "PIP_INDEX_URL=http://127.0.0.1:9/first/",
		"PYTHONPATH=" + second, "XDG_CACHE_HOME=" + second, "PIP_INDEX_URL=http://127.0.0.1:9/second/",
	}
	want := pythonEnviron(t, py, environ)
	e, err := Open(context.Background(), Options{Python: py, Environ: environ})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if p := want["PYTHONPATH"]; !slices.Contains(e.Interp.SysPath, p) {
		t.Errorf("Python reads PYTHONPATH=%s; the inspected sys.path is %q", p, e.Interp.SysPath)
	}
	if c := filepath.Join(want["XDG_CACHE_HOME"], "pipup"); e.CacheDir != c {
		t.Errorf("CacheDir = %s; Python reads XDG_CACHE_HOME as %s", e.CacheDir, want["XDG_CACHE_HOME"])
	}
	if u := strings.TrimSuffix(want["PIP_INDEX_URL"], "/"); e.Config.IndexURL != u && e.Config.IndexURL != u+"/" {
		t.Errorf("index URL = %s; Python reads PIP_INDEX_URL=%s", e.Config.IndexURL, want["PIP_INDEX_URL"])
	}
	if got := parseEnviron(e.environ).vals; !reflect.DeepEqual(got, want) || len(e.environ) != len(want) {
		t.Errorf("the environment pip runs in is %q; Python reads the given one as %q", e.environ, want)
	}
}
