package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// world is a home with a user config and a project tree, all under a
// temporary folder.
type world struct {
	home, xdg, project, sub string
}

func newWorld(t *testing.T, user, pyproject string) world {
	t.Helper()
	root := t.TempDir()
	w := world{home: filepath.Join(root, "home"), xdg: filepath.Join(root, "xdg"), project: filepath.Join(root, "proj")}
	w.sub = filepath.Join(w.project, "src", "pkg")
	if err := os.MkdirAll(w.sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if user != "" {
		write(t, filepath.Join(w.xdg, "pipup", "config.toml"), user)
	}
	if pyproject != "" {
		write(t, filepath.Join(w.project, "pyproject.toml"), pyproject)
	}
	return w
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (w world) input() Input {
	return Input{Environ: []string{"XDG_CONFIG_HOME=" + w.xdg}, Home: w.home, Dir: w.sub}
}

func TestUserPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    string
	}{
		{"xdg set", []string{"XDG_CONFIG_HOME=/x/cfg"}, "/x/cfg/pipup/config.toml"},
		{"xdg unset", nil, "/h/.config/pipup/config.toml"},
		{"xdg empty", []string{"XDG_CONFIG_HOME="}, "/h/.config/pipup/config.toml"},
		{"xdg relative is ignored", []string{"XDG_CONFIG_HOME=cfg"}, "/h/.config/pipup/config.toml"},
		{"last entry wins", []string{"XDG_CONFIG_HOME=/a", "XDG_CONFIG_HOME=/b"}, "/b/pipup/config.toml"},
	} {
		if got := UserPath(tc.environ, "/h"); got != tc.want {
			t.Errorf("%s: UserPath = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	user := `# mine
ignore = ["NumPy", "pandas"]
pin = { django = "<5", requests = ">=2" }
cooldown = "7d"
pre = true
concurrency = 8
`
	project := `[project]
name = "app"

[tool.black]
line-length = 100

[tool.pipup]
ignore = ["scipy"]
cooldown = "36h"
latest = true

[tool.pipup.pin]
django = "~=4.2"
`
	w := newWorld(t, user, project)
	s, err := Load(w.input())
	if err != nil {
		t.Fatal(err)
	}
	userPath := filepath.Join(w.xdg, "pipup", "config.toml")
	projPath := filepath.Join(w.project, "pyproject.toml")
	if len(s.Files) != 2 || s.Files[0] != userPath || s.Files[1] != projPath {
		t.Errorf("Files = %v", s.Files)
	}
	if got := strings.Join(s.IgnoredNames(), ","); got != "NumPy,pandas,scipy" {
		t.Errorf("ignore = %s, want both files' lists added up", got)
	}
	if got := s.Ignore["scipy"].From.String(); got != projPath+":8" {
		t.Errorf("scipy ignored from %s", got)
	}
	for _, tc := range []struct {
		name, text, from string
	}{
		{"django", "~=4.2", projPath + ":13"}, // the project's pin replaces the user's
		{"requests", ">=2", userPath + ":3"},
	} {
		p, ok := s.Pins[tc.name]
		if !ok || p.Text != tc.text || p.From.String() != tc.from {
			t.Errorf("pin %s = %+v (from %s), want %q from %s", tc.name, p, p.From, tc.text, tc.from)
		}
	}
	if s.Cooldown != 36*time.Hour || s.From["cooldown"].String() != projPath+":9" {
		t.Errorf("cooldown = %v from %s", s.Cooldown, s.From["cooldown"])
	}
	if !s.Pre || s.From["pre"].String() != userPath+":5" {
		t.Errorf("pre = %v from %s", s.Pre, s.From["pre"])
	}
	if s.Concurrency != 8 || !s.Latest || s.From["latest"].String() != projPath+":10" {
		t.Errorf("concurrency %d, latest %v from %s", s.Concurrency, s.Latest, s.From["latest"])
	}
	if _, ok := s.From["missing"]; ok || (Source{}).String() != "default" || (Source{Flag: true}).String() != "flag" {
		t.Error("sources of defaults and flags")
	}
}

func TestLoadNothing(t *testing.T) {
	w := newWorld(t, "", "")
	s, err := Load(w.input())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 0 || len(s.Ignore) != 0 || len(s.Pins) != 0 || s.Cooldown != 0 || s.Pre || s.Concurrency != 0 {
		t.Errorf("no files gave %+v", s)
	}
	// A pyproject.toml without [tool.pipup] is read for nothing, and the
	// search stops there: a parent's is not the project's.
	write(t, filepath.Join(filepath.Dir(w.project), "pyproject.toml"), "[tool.pipup]\npre = true\n")
	write(t, filepath.Join(w.project, "pyproject.toml"), "[project]\nname = \"x\"\n")
	if s, err = Load(w.input()); err != nil || s.Pre || len(s.Files) != 0 {
		t.Errorf("nearest pyproject has no [tool.pipup]: %+v, %v", s, err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, user, project, want string
	}{
		{"unknown key", "pre = true\nfoo = 1\n", "", `config.toml:2: key "foo": unknown key (known: ignore, pin, cooldown, pre, concurrency, latest, no-vulns)`},
		{"unknown project key", "", "[project]\nname = 'x'\n[tool.other]\nx = 1\n[tool.pipup]\n\nprerelease = true\n", `pyproject.toml:7: key "prerelease": unknown key`},
		{"index url refused", "index-url = 'http://x/simple'\n", "", `config.toml:1: key "index-url": index locations belong in pip's configuration (pip config set global.index-url ...)`},
		{"bad specifier", "", "[tool.pipup]\npin = { django = '<5', numpy = '~=1' }\n", `pyproject.toml:2: key "pin.numpy": not a PEP 440 specifier`},
		{"bad specifier in table", "[pin]\ndjango = '<5'\n\nflask = '=>2'\n", "", `config.toml:4: key "pin.flask": not a PEP 440 specifier`},
		{"empty specifier", "pin.django = ''\n", "", `config.toml:1: key "pin.django": empty specifier`},
		{"pin not a string", "pin = { django = 5 }\n", "", `config.toml:1: key "pin.django": must be a PEP 440 specifier string`},
		{"pin not a table", "pin = '<5'\n", "", `config.toml:1: key "pin": must be a table`},
		{"pinned twice", "pin = { Django = '<5', django = '<4' }\n", "", `key "pin.`},
		{"bad pin name", "pin = { 'no such' = '<5' }\n", "", `config.toml:1: key "pin.no such": "no such" is not a package name`},
		{"bad ignore name", "ignore = [\n  'ok',\n  'not ok',\n]\n", "", `config.toml:3: key "ignore": "not ok" is not a package name`},
		{"ignore not a list", "ignore = 'numpy'\n", "", `config.toml:1: key "ignore": must be a list of package names`},
		{"bad cooldown", "\ncooldown = '7 days'\n", "", `config.toml:2: key "cooldown": "7 days" is not a duration`},
		{"negative cooldown", "cooldown = '-1h'\n", "", `key "cooldown": a cooldown cannot be negative`},
		{"bare number cooldown", "cooldown = 7\n", "", `config.toml:1: key "cooldown": a bare number must be 0; write "7d" or "7h"`},
		{"cooldown bool", "cooldown = true\n", "", `config.toml:1: key "cooldown": must be a duration`},
		{"pre not bool", "pre = 'yes'\n", "", `config.toml:1: key "pre": must be true or false`},
		{"concurrency zero", "concurrency = 0\n", "", `config.toml:1: key "concurrency": must be a whole number of at least 1`},
		{"concurrency string", "concurrency = '8'\n", "", `config.toml:1: key "concurrency": must be a whole number`},
		{"syntax", "pre = true\n[pin\n", "", `config.toml:2: `},
		{"project syntax elsewhere", "", "[project\n", `pyproject.toml:1: `},
		{"duplicate key", "pre = true\npre = false\n", "", `config.toml:2: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.user, tc.project)
			_, err := Load(w.input())
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line containing %q", msg, tc.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error is %T, want *Error", err)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	w := newWorld(t, "", "")
	// A folder where the file should be cannot be read, even as root.
	if err := os.MkdirAll(filepath.Join(w.xdg, "pipup", "config.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(w.input())
	if err == nil || !strings.Contains(err.Error(), "config.toml: cannot read: ") || strings.Count(err.Error(), "config.toml") != 1 {
		t.Errorf("unreadable file: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"0s", 0, true},
		{"7", 0, false},
		{"d", 0, false},
		{"-1d", 0, false},
		{"-2h", 0, false},
		{"1.5d", 0, false},
		{"", 0, false},
		{"106751d", 106751 * 24 * time.Hour, true}, // the most a Duration holds
		{"106752d", 0, false},                      // would wrap round
		{"200000d", 0, false},
		{"4000000000w", 0, false},
	} {
		got, err := ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err == nil {
			if back, err := ParseDuration(FormatDuration(got)); err != nil || back != got {
				t.Errorf("FormatDuration(%v) = %q does not read back: %v, %v", got, FormatDuration(got), back, err)
			}
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0"},
		{7 * 24 * time.Hour, "7d"},
		{36 * time.Hour, "36h"},
		{90 * time.Minute, "1h30m"},
		{45 * time.Minute, "45m"},
		{time.Hour + 30*time.Second, "1h0m30s"},
		{1500 * time.Millisecond, "1.5s"},
	} {
		if got := FormatDuration(tc.in); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
