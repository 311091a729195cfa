package pip

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
