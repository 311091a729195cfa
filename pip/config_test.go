package pip

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
)

func writeConfigFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// configLayout points every location pip reads into one temp dir.
type configLayout struct {
	root, home, xdgHome, xdg1, xdg2, prefix, envFile string
}

func newConfigLayout(t *testing.T) configLayout {
	d := t.TempDir()
	return configLayout{
		root: filepath.Join(d, "root"), home: filepath.Join(d, "home"),
		xdgHome: filepath.Join(d, "xdghome"), xdg1: filepath.Join(d, "xdg1"), xdg2: filepath.Join(d, "xdg2"),
		prefix: filepath.Join(d, "venv"), envFile: filepath.Join(d, "env.conf"),
	}
}

// path gives the config file for a role name.
func (l configLayout) path(role string) string {
	switch role {
	case "etc":
		return filepath.Join(l.root, "etc", "pip.conf")
	case "etcxdg":
		return filepath.Join(l.root, "etc", "xdg", "pip", "pip.conf")
	case "xdg1":
		return filepath.Join(l.xdg1, "pip", "pip.conf")
	case "xdg2":
		return filepath.Join(l.xdg2, "pip", "pip.conf")
	case "legacy":
		return filepath.Join(l.home, ".pip", "pip.conf")
	case "dotconfig":
		return filepath.Join(l.home, ".config", "pip", "pip.conf")
	case "xdghome":
		return filepath.Join(l.xdgHome, "pip", "pip.conf")
	case "site":
		return filepath.Join(l.prefix, "pip.conf")
	case "envfile":
		return l.envFile
	}
	panic("unknown role " + role)
}

func TestLoadConfigPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		command  string
		isolated bool
		files    map[string]string // role -> content
		env      []string          // "$X" in a value is replaced by layout paths
		check    func(t *testing.T, l configLayout, c IndexConfig)
	}{
		{
			name: "defaults", command: "list",
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				want := IndexConfig{IndexURL: "https://pypi.org/simple", Timeout: 15 * time.Second, Retries: 5, Sources: map[string]string{}}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "variant order global<user<site", command: "list",
			files: map[string]string{
				"etcxdg":    "[global]\nindex-url = etcxdg\nretries = 1\nproxy = p1\n",
				"etc":       "[global]\nindex-url = etc\nretries = 2\n",
				"legacy":    "[global]\nindex-url = legacy\ntimeout = 3\n",
				"dotconfig": "[global]\nindex-url = dotconfig\n",
				"site":      "[global]\nindex-url = site\n",
			},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.IndexURL, "site")
				expect(t, c.Sources["index-url"], l.path("site")+" [global]")
				expect(t, c.Retries, 2)
				expect(t, c.Sources["retries"], l.path("etc")+" [global]")
				expect(t, c.Timeout, 3*time.Second)
				expect(t, c.Proxy, "p1")
			},
		},
		{
			name: "env file hides user files and beats site", command: "list",
			files: map[string]string{
				"dotconfig": "[global]\nretries = 9\n",
				"site":      "[global]\nindex-url = site\ntimeout = 4\n",
				"envfile":   "[global]\nindex-url = envfile\n",
			},
			env: []string{"PIP_CONFIG_FILE=$envfile"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.IndexURL, "envfile")
				expect(t, c.Retries, 5)
				expect(t, c.Timeout, 4*time.Second)
			},
		},
		{
			name: "missing env file keeps user files", command: "list",
			files: map[string]string{"dotconfig": "[global]\nretries = 9\n"},
			env:   []string{"PIP_CONFIG_FILE=$envfile"},
			check: func(t *testing.T, l configLayout, c IndexConfig) { expect(t, c.Retries, 9) },
		},
		{
			name: "devnull loads no file", command: "list",
			files: map[string]string{"etc": "[global]\ncert = /x\n", "site": "[global]\nretries = 1\n"},
			env:   []string{"PIP_CONFIG_FILE=/dev/null", "PIP_RETRIES=3"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.Cert, "")
				expect(t, c.Retries, 3)
				expect(t, c.Sources["retries"], "env PIP_RETRIES")
			},
		},
		{
			name: "command section beats later variant's global", command: "list",
			files: map[string]string{
				"etc":  "[list]\nindex-url = etc-list\n[install]\nindex-url = etc-install\n",
				"site": "[global]\nindex-url = site-global\n",
			},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.IndexURL, "etc-list")
				expect(t, c.Sources["index-url"], l.path("etc")+" [list]")
			},
		},
		{
			name: "install section for install", command: "install",
			files: map[string]string{"etc": "[list]\nindex-url = L\n[install]\nindex-url = I\n"},
			check: func(t *testing.T, l configLayout, c IndexConfig) { expect(t, c.IndexURL, "I") },
		},
		{
			name: "env vars beat command section", command: "list",
			files: map[string]string{"site": "[list]\nindex-url = L\npre = yes\n"},
			env:   []string{"PIP_INDEX_URL=E", "PIP_PRE=0"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.IndexURL, "E")
				expect(t, c.Pre, false)
				expect(t, c.Sources["pre"], "env PIP_PRE")
			},
		},
		{
			name: "xdg dirs in order then /etc", command: "list",
			files: map[string]string{
				"xdg1": "[global]\nindex-url = one\ncert = c1\ntimeout = 1\n",
				"xdg2": "[global]\nindex-url = two\n",
				"etc":  "[global]\ncert = etc\n",
			},
			env: []string{"XDG_CONFIG_DIRS=$xdg1:$xdg2"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.IndexURL, "two")
				expect(t, c.Cert, "etc")
				expect(t, c.Timeout, time.Second)
			},
		},
		{
			name: "XDG_CONFIG_HOME replaces ~/.config", command: "list",
			files: map[string]string{"dotconfig": "[global]\nretries = 1\n", "xdghome": "[global]\nretries = 2\n", "legacy": "[global]\nretries = 3\ntimeout = 8\n"},
			env:   []string{"XDG_CONFIG_HOME=$xdghome"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.Retries, 2)
				expect(t, c.Timeout, 8*time.Second)
			},
		},
		{
			name: "isolated ignores env vars and user files, not PIP_CONFIG_FILE", command: "list", isolated: true,
			files: map[string]string{"legacy": "[global]\nretries = 1\n", "envfile": "[global]\ntimeout = 2\n"},
			env:   []string{"PIP_CONFIG_FILE=$envfile", "PIP_INDEX_URL=E"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.Retries, 5)
				expect(t, c.Timeout, 2*time.Second)
				expect(t, c.IndexURL, "https://pypi.org/simple")
			},
		},
		{
			name: "lists split on whitespace and replace", command: "list",
			files: map[string]string{
				"etc":  "[global]\nfind-links = g1 g2\nextra-index-url =\n  https://a/simple\n  https://b/simple\ntrusted-host = a b\n",
				"site": "[list]\nfind-links = s1\n",
			},
			env: []string{"PIP_TRUSTED_HOST=h1\th2  h3\u3000h4"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.FindLinks, []string{"s1"})
				expect(t, c.ExtraIndexURLs, []string{"https://a/simple", "https://b/simple"})
				expect(t, c.TrustedHosts, []string{"h1", "h2", "h3", "h4"})
			},
		},
		{
			name: "empty values are ignored", command: "list",
			files: map[string]string{"etc": "[global]\nindex-url = F\nretries =\n"},
			env:   []string{"PIP_INDEX_URL="},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.IndexURL, "F")
				expect(t, c.Retries, 5)
			},
		},
		{
			name: "names normalised, aliases, DEFAULT", command: "list",
			files: map[string]string{"etc": "[DEFAULT]\nretries = 0x1f\n[global]\n--Extra_Index_URL = X\npypi-url = P\n"},
			env:   []string{"PIP_DEFAULT_TIMEOUT=2.5", "PIP___NO_INDEX=on"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.ExtraIndexURLs, []string{"X"})
				expect(t, c.IndexURL, "P")
				expect(t, c.Retries, 31)
				expect(t, c.Sources["retries"], l.path("etc")+" [DEFAULT]")
				expect(t, c.Timeout, 2500*time.Millisecond)
				expect(t, c.Sources["timeout"], "env PIP_DEFAULT_TIMEOUT")
				expect(t, c.NoIndex, true)
			},
		},
		{
			name: "two names of timeout: environment order decides", command: "list",
			env:   []string{"PIP_TIMEOUT=4", "PIP_DEFAULT_TIMEOUT=6"},
			check: func(t *testing.T, l configLayout, c IndexConfig) { expect(t, c.Timeout, 6*time.Second) },
		},
		{
			name: "first duplicate env var wins, as in os.environ (TestParseEnvironAgreesWithPython)", command: "list",
			env:   []string{"PIP_RETRIES=1", "PIP_RETRIES=2"},
			check: func(t *testing.T, l configLayout, c IndexConfig) { expect(t, c.Retries, 1) },
		},
		{
			name: "cert paths expand ~", command: "list",
			files: map[string]string{"etc": "[global]\ncert = ~/ca.pem\nclient-cert = ~\n"},
			check: func(t *testing.T, l configLayout, c IndexConfig) {
				expect(t, c.Cert, l.home+"/ca.pem")
				expect(t, c.ClientCert, l.home)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newConfigLayout(t)
			for role, content := range tt.files {
				writeConfigFile(t, l.path(role), content)
			}
			repl := strings.NewReplacer("$envfile", l.envFile, "$xdghome", l.xdgHome, "$xdg1", l.xdg1, "$xdg2", l.xdg2)
			var env []string
			for _, e := range tt.env {
				env = append(env, repl.Replace(e))
			}
			c, err := loadConfig(ConfigInput{Command: tt.command, Environ: env, Home: l.home, Prefix: l.prefix, Isolated: tt.isolated}, l.root)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, l, c)
		})
	}
}

func expect[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		file string // content of <root>/etc/pip.conf, "" = none
		env  []string
		cmd  string
		want string
	}{
		{"malformed file names the file", "index-url = x\n", nil, "list", "etc/pip.conf: line 1: no section header"},
		{"invalid UTF-8", "[global]\nindex-url = \xff\n", nil, "list", "etc/pip.conf: contains invalid UTF-8"},
		{"bad boolean", "", []string{"PIP_NO_INDEX=maybe"}, "list", `no-index (from env PIP_NO_INDEX): "maybe" is not a boolean`},
		{"bad boolean in a file", "[list]\npre = sure\n", nil, "list", `pre (from `},
		{"bad timeout", "", []string{"PIP_DEFAULT_TIMEOUT=fast"}, "list", `default-timeout (from env PIP_DEFAULT_TIMEOUT): "fast" is not a floating-point value`},
		{"negative timeout", "", []string{"PIP_TIMEOUT=-1"}, "list", "not a usable number of seconds"},
		{"bad retries", "", []string{"PIP_RETRIES=08"}, "list", `"08" is not an integer`},
		{"credentials masked", "", []string{"PIP_PRE=https://me:hunter2@x/"}, "list", "https://****@x/"},
		{"unknown command", "", nil, "freeze", `unsupported command "freeze"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newConfigLayout(t)
			if tt.file != "" {
				writeConfigFile(t, l.path("etc"), tt.file)
			}
			_, err := loadConfig(ConfigInput{Command: tt.cmd, Environ: tt.env, Home: l.home, Prefix: l.prefix}, l.root)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one clean line: %q", err)
			}
		})
	}
}

func TestLoadConfigSkipsUnreadableFile(t *testing.T) {
	// configparser.read() ignores files it cannot open; pip therefore does too.
	l := newConfigLayout(t)
	if err := os.MkdirAll(l.path("etc"), 0o755); err != nil { // a directory named pip.conf
		t.Fatal(err)
	}
	writeConfigFile(t, l.path("site"), "[global]\nretries = 2\n")
	c, err := loadConfig(ConfigInput{Command: "list", Home: l.home, Prefix: l.prefix}, l.root)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, c.Retries, 2)
}

func TestRedacted(t *testing.T) {
	c := IndexConfig{
		IndexURL:       "https://user:pa%40ss@host.example/simple",
		ExtraIndexURLs: []string{"https://token@x.example/simple", "https://plain.example/simple"},
		FindLinks:      []string{"/opt/wheels", "https://u:p@y.example/links/a@b"},
		Proxy:          "bob:pw@proxy:3128",
		Sources:        map[string]string{"index-url": "env PIP_INDEX_URL"},
	}
	r := c.Redacted()
	expect(t, r.IndexURL, "https://****@host.example/simple")
	expect(t, r.ExtraIndexURLs, []string{"https://****@x.example/simple", "https://plain.example/simple"})
	expect(t, r.FindLinks, []string{"/opt/wheels", "https://****@y.example/links/a@b"})
	expect(t, r.Proxy, "****@proxy:3128")
	expect(t, c.ExtraIndexURLs[0], "https://token@x.example/simple") // the original is untouched
	r.Sources["x"] = "y"
	if _, ok := c.Sources["x"]; ok {
		t.Error("Redacted shares the Sources map")
	}
	expect(t, IndexConfig{Proxy: "http://a:b@p:1"}.Redacted().Proxy, "http://****@p:1")
}

// configOracleEnv is the machine's environment without any PIP_*, XDG_* or
// PYTHON* variable, with HOME set to home.
func configOracleEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") || strings.HasPrefix(k, "XDG_") || strings.HasPrefix(k, "PYTHON") || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home)
}

// pipOptionsScript answers one JSON request per stdin line with the
// options real pip derives from its configuration for one command, or the
// exit code when pip refuses it. One process serves every case: pip reads
// os.environ afresh on each parse, and importing pip takes most of a second.
const pipOptionsScript = `
import json, os, sys
import pip
from pip._internal.commands import create_command
for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear()
    for kv in req["env"]:
        k, _, v = kv.partition("=")
        os.environ.setdefault(k, v)  # like the startup environ: first wins
    out = {"pip": pip.__version__, "prefix": sys.prefix}
    try:
        o, _ = create_command(req["command"], isolated=req["isolated"]).parse_args([])
        out.update(index_url=o.index_url, extra_index_urls=o.extra_index_urls,
            find_links=o.find_links, no_index=bool(o.no_index), trusted_hosts=o.trusted_hosts,
            pre=bool(o.pre), timeout=float(o.timeout), retries=o.retries, cert=o.cert or "",
            client_cert=o.client_cert or "", proxy=o.proxy or "")
    except SystemExit as e:
        out["exit"] = e.code if isinstance(e.code, int) and e.code else 1
    print("ORACLE " + json.dumps(out), flush=True)
`

type pipOptions struct {
	Pip            string   `json:"pip"`
	Prefix         string   `json:"prefix"`
	Exit           int      `json:"exit"`
	IndexURL       string   `json:"index_url"`
	ExtraIndexURLs []string `json:"extra_index_urls"`
	FindLinks      []string `json:"find_links"`
	NoIndex        bool     `json:"no_index"`
	TrustedHosts   []string `json:"trusted_hosts"`
	Pre            bool     `json:"pre"`
	Timeout        float64  `json:"timeout"`
	Retries        int      `json:"retries"`
	Cert           string   `json:"cert"`
	ClientCert     string   `json:"client_cert"`
	Proxy          string   `json:"proxy"`
}

// pipOracle is a running pipOptionsScript.
type pipOracle struct {
	in  io.WriteCloser
	out *bufio.Scanner
}

func startPipOracle(t *testing.T, python string) *pipOracle {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), python, "-c", pipOptionsScript)
	cmd.Env = configOracleEnv(t.TempDir())
	cmd.Dir = t.TempDir()
	cmd.Stderr = io.Discard
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pip oracle: %v", err)
	}
	t.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	return &pipOracle{in: in, out: bufio.NewScanner(out)}
}

func (o *pipOracle) options(t *testing.T, command string, isolated bool, env []string) pipOptions {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"command": command, "isolated": isolated, "env": env})
	if _, err := o.in.Write(append(req, '\n')); err != nil {
		t.Fatalf("pip oracle: %v", err)
	}
	for o.out.Scan() {
		line, ok := strings.CutPrefix(o.out.Text(), "ORACLE ")
		if !ok {
			continue // pip prints some errors to stdout
		}
		var opts pipOptions
		if err := json.Unmarshal([]byte(line), &opts); err != nil {
			t.Fatalf("pip oracle output %q: %v", line, err)
		}
		return opts
	}
	t.Fatalf("pip oracle ended: %v", o.out.Err())
	return pipOptions{}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestLoadConfigMatchesPip layers configuration files and variables, asks
// the base interpreter's bundled pip, whatever its version (run from a
// venv, so the venv's pip.conf is its site file), what options it derives,
// and compares. The real /etc/pip.conf and /etc/xdg take part, as pip
// cannot be pointed elsewhere.
func TestLoadConfigMatchesPip(t *testing.T) {
	venvPy := pythons.Venv(t, piptest.SharedPip)
	venv := filepath.Dir(filepath.Dir(venvPy))
	oracle := startPipOracle(t, venvPy)

	tests := []struct {
		name     string
		command  string
		isolated bool
		noXDG    bool              // leave XDG_CONFIG_DIRS unset: /etc/xdg
		files    map[string]string // role -> content (roles of configLayout.path)
		env      []string
	}{
		{name: "defaults", command: "list"},
		{name: "defaults with real /etc/xdg", command: "install", noXDG: true},
		{
			name: "global < user < site", command: "list",
			files: map[string]string{
				"xdg1":    "[global]\nindex-url = https://g/simple\nretries = 1\nproxy = http://p:1\ntimeout = 2\n",
				"legacy":  "[global]\nindex-url = https://legacy/simple\nretries = 2\n",
				"xdghome": "[global]\nindex-url = https://user/simple\n",
				"site":    "[global]\nindex-url = https://site/simple\ncert = /site/ca.pem\n",
			},
		},
		{
			name: "env file and env vars on top", command: "list",
			files: map[string]string{
				"xdg1":    "[global]\nindex-url = https://g/simple\ntimeout = 2\n",
				"xdghome": "[global]\nretries = 7\nproxy = http://userfile:1\n",
				"site":    "[global]\nindex-url = https://site/simple\nfind-links = /site\n",
				"envfile": "[global]\nfind-links = /envfile\nextra-index-url = https://e/simple\n",
			},
			env: []string{"PIP_CONFIG_FILE=$envfile", "PIP_EXTRA_INDEX_URL=https://v1/simple https://v2/simple", "PIP_RETRIES=3"},
		},
		{
			name: "[list] in a global file beats [global] in user and site", command: "list",
			files: map[string]string{
				"xdg1":    "[list]\nindex-url = https://list/simple\n[install]\nindex-url = https://install/simple\n",
				"xdghome": "[global]\nindex-url = https://user/simple\npre = no\n",
				"site":    "[list]\npre = yes\n",
			},
		},
		{
			name: "[install] for install", command: "install",
			files: map[string]string{
				"xdg1":    "[list]\nindex-url = https://list/simple\n[install]\nindex-url = https://install/simple\n",
				"xdghome": "[global]\nindex-url = https://user/simple\n",
			},
		},
		{
			name: "env vars beat command sections", command: "list",
			files: map[string]string{"site": "[list]\nindex-url = https://l/simple\nno-index = true\n"},
			env:   []string{"PIP_INDEX_URL=https://env/simple", "PIP_NO_INDEX=off", "PIP_PRE=Y"},
		},
		{
			name: "devnull loads no file, not even /etc/pip.conf", command: "list",
			files: map[string]string{"xdg1": "[global]\nretries = 1\n", "xdghome": "[global]\nretries = 2\n", "site": "[global]\nretries = 3\n"},
			env:   []string{"PIP_CONFIG_FILE=/dev/null", "PIP_TIMEOUT=9"},
		},
		{
			name: "legacy vs XDG user file", command: "list",
			files: map[string]string{"legacy": "[global]\nretries = 1\ntimeout = 4\n", "xdghome": "[global]\nretries = 2\n"},
		},
		{
			name: "legacy vs ~/.config without XDG_CONFIG_HOME", command: "list",
			files: map[string]string{"legacy": "[global]\nretries = 1\ntimeout = 4\n", "dotconfig": "[global]\nretries = 2\n", "xdghome": "[global]\nretries = 3\n"},
			env:   []string{"XDG_CONFIG_HOME="},
		},
		{
			name: "missing PIP_CONFIG_FILE keeps user files", command: "list",
			files: map[string]string{"xdghome": "[global]\nretries = 2\n"},
			env:   []string{"PIP_CONFIG_FILE=$envfile"},
		},
		{
			name: "XDG_CONFIG_DIRS order, /etc/pip.conf last", command: "list",
			files: map[string]string{"xdg1": "[global]\nindex-url = https://one/simple\ncert = /one.pem\n", "xdg2": "[global]\nindex-url = https://two/simple\n"},
		},
		{
			name: "list-valued options", command: "list",
			files: map[string]string{
				"xdg1": "[global]\nfind-links =\n    /a\n\n    /b /c\n# comment\n    /d\nextra-index-url = https://x/simple\ntrusted-host = h1\n",
				"site": "[list]\nextra-index-url = https://y/simple https://z/simple\n",
			},
			env: []string{"PIP_TRUSTED_HOST=h2\th3  h4", "PIP_FIND_LINKS= "},
		},
		{
			name: "timeout and default-timeout in one section", command: "list",
			files: map[string]string{"xdg1": "[global]\ndefault-timeout = 3\ntimeout = 5\n[list]\ntimeout = 6\ndefault-timeout = 7\n"},
		},
		{
			name: "timeout names in the environment, in order", command: "list",
			env: []string{"PIP_DEFAULT_TIMEOUT=6.5", "PIP_TIMEOUT=4"},
		},
		{
			name: "timeout names in the environment, reversed", command: "list",
			env: []string{"PIP_TIMEOUT=4", "PIP_DEFAULT_TIMEOUT=6.5"},
		},
		{
			name: "isolated keeps PIP_CONFIG_FILE only", command: "list", isolated: true,
			files: map[string]string{"xdghome": "[global]\nretries = 2\n", "envfile": "[global]\ntimeout = 3\n", "site": "[global]\npre = 1\n"},
			env:   []string{"PIP_CONFIG_FILE=$envfile", "PIP_INDEX_URL=https://env/simple"},
		},
		{
			name: "key spelling, DEFAULT, aliases, numbers", command: "list",
			files: map[string]string{
				"xdg1": "[DEFAULT]\nretries = 0x1f\n[global]\n--Extra_Index_URL: https://x/simple # kept\nPYPI-URL = https://alias/simple\n\n[list]\n",
				"site": "[global]\ncert = ~/ca.pem\nclient-cert = ~\ntimeout = 1_0.5\n",
			},
			env: []string{"PIP___PRE=on", "PIP_VERSION=1", "PIP_INDEX_URL="},
		},
		{name: "malformed file", command: "list", files: map[string]string{"xdghome": "index-url = x\n"}},
		{name: "duplicate key", command: "list", files: map[string]string{"site": "[global]\nretries = 1\nRetries = 2\n"}},
		{name: "invalid boolean", command: "list", env: []string{"PIP_NO_INDEX=maybe"}},
		{name: "boolean with a space", command: "list", env: []string{"PIP_PRE= true"}},
		{name: "invalid timeout", command: "list", files: map[string]string{"xdg1": "[list]\ntimeout = soon\n"}},
		{name: "octal retries", command: "list", env: []string{"PIP_RETRIES=010"}},
		{name: "invalid retries", command: "list", env: []string{"PIP_RETRIES=09"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newConfigLayout(t)
			l.prefix = venv
			for role, content := range tt.files {
				writeConfigFile(t, l.path(role), content)
			}
			t.Cleanup(func() { os.Remove(l.path("site")) })
			env := configOracleEnv(l.home)
			if !tt.noXDG {
				env = append(env, "XDG_CONFIG_DIRS="+l.xdg1+":"+l.xdg2)
			}
			env = append(env, "XDG_CONFIG_HOME="+l.xdgHome) // an entry in tt.env comes later but Python keeps the first
			for _, e := range tt.env {
				if strings.HasPrefix(e, "XDG_CONFIG_HOME=") {
					env[len(env)-1] = e
					continue
				}
				env = append(env, strings.ReplaceAll(e, "$envfile", l.envFile))
			}

			want := oracle.options(t, tt.command, tt.isolated, env)
			if want.Pip == "" {
				t.Fatalf("the oracle did not say which pip it is: %+v", want)
			}
			got, err := LoadConfig(ConfigInput{Command: tt.command, Environ: env, Home: l.home, Prefix: want.Prefix, Isolated: tt.isolated})
			if want.Exit != 0 {
				if err == nil {
					t.Fatalf("pip refused this configuration (exit %d), LoadConfig accepted it: %+v", want.Exit, got)
				}
				t.Logf("both refuse; LoadConfig says: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("pip accepted this configuration, LoadConfig: %v", err)
			}
			gotOpts := pipOptions{
				Pip: want.Pip, Prefix: want.Prefix,
				IndexURL: got.IndexURL, ExtraIndexURLs: nonNil(got.ExtraIndexURLs), FindLinks: nonNil(got.FindLinks),
				NoIndex: got.NoIndex, TrustedHosts: nonNil(got.TrustedHosts), Pre: got.Pre, Timeout: got.Timeout.Seconds(),
				Retries: got.Retries, Cert: got.Cert, ClientCert: got.ClientCert, Proxy: got.Proxy,
			}
			if !reflect.DeepEqual(gotOpts, want) {
				t.Errorf("LoadConfig differs from pip\n got %+v\npip  %+v\nsources %v", gotOpts, want, got.Sources)
			}
		})
	}
}
