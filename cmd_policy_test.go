package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// policyVenv has able, baker and charlie at 1.0 (one per test binary;
// the tests only read it or dry-run).
var policyVenv struct {
	once   sync.Once
	python string
	err    error
}

// policyWorld is a home with a user settings file and a project folder
// with [tool.pipup], and the environ pointing at them.
type policyWorld struct {
	bin, python, index string
	home, userFile     string
	project, cwd       string
	env                []string
}

func newPolicyWorld(t *testing.T, user, pyproject string) policyWorld {
	t.Helper()
	bin := pipupBinary(t)
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, w := range []pypitest.WheelSpec{
		{Name: "able", Version: "1.0"}, {Name: "able", Version: "1.2"}, {Name: "able", Version: "1.5"}, {Name: "able", Version: "2.0"},
		{Name: "baker", Version: "1.0"}, {Name: "baker", Version: "1.2"},
		{Name: "charlie", Version: "1.0"}, {Name: "charlie", Version: "3.0"},
	} {
		if err := srv.AddWheel(w); err != nil {
			t.Fatal(err)
		}
	}
	policyVenv.once.Do(func() {
		policyVenv.python, policyVenv.err = pythons.InstalledVenv("pipup-policy-venv-", "--index-url", srv.IndexURL(), "able==1.0", "baker==1.0", "charlie==1.0")
	})
	if policyVenv.err != nil {
		t.Fatalf("policy venv: %v", policyVenv.err)
	}
	root := t.TempDir()
	w := policyWorld{bin: bin, python: policyVenv.python, index: srv.IndexURL(), home: filepath.Join(root, "home"), project: filepath.Join(root, "proj")}
	w.cwd = filepath.Join(w.project, "src")
	w.userFile = filepath.Join(root, "xdg", "pipup", "config.toml")
	for _, d := range []string{w.home, w.cwd, filepath.Dir(w.userFile)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if user != "" {
		writeFile(t, w.userFile, user)
	}
	if pyproject != "" {
		writeFile(t, filepath.Join(w.project, "pyproject.toml"), pyproject)
	}
	w.env = piptest.HomeEnviron(w.home, "XDG_CONFIG_HOME="+filepath.Join(root, "xdg"), "NO_COLOR=1", "TERM=dumb")
	return w
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs pipup in the project's src folder with the venv and index.
func (w policyWorld) run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	if len(args) > 0 && args[0] != "config" { // config takes no environment
		args = append(args, "--python", w.python, "--index-url", w.index)
	}
	cmd := exec.Command(w.bin, args...)
	cmd.Env, cmd.Dir = w.env, w.cwd
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run pipup: %v", err)
	}
	return stdout.String(), stderr.String(), code
}

const policyUser = `# my defaults
ignore = ["Baker"]
pin = { able = "<2" }   # the project narrows this
concurrency = 8
`

const policyProject = `[project]
name = "app"

[tool.pipup]
pin = { able = "<1.5" }
`

func TestPolicyList(t *testing.T) {
	w := newPolicyWorld(t, policyUser, policyProject)
	out, errOut, code := w.run(t, "list")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	// The project's pin (<1.5) wins over the user's (<2); baker is ignored.
	want := "Package  Installed  Wanted  Latest  Type   Note\n" +
		"able     1.0        1.2     2.0     major  pinned by config (<1.5)\n" +
		"charlie  1.0        3.0     3.0     major\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(errOut, "ignored baker 1.0: in pipup's ignore list") || !strings.Contains(errOut, "2 checked, 2 outdated, ") || !strings.Contains(errOut, " 0 failed, 1 ignored in ") {
		t.Errorf("stderr:\n%s", errOut)
	}
	checkOneLine(t, errOut)

	out, errOut, code = w.run(t, "list", "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != exitOK || len(rows) != 2 {
		t.Fatalf("--json: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if rows[0]["name"] != "able" || rows[0]["wanted_version"] != "1.2" || rows[0]["pinned_by"] != "<1.5" || rows[1]["pinned_by"] != nil {
		t.Errorf("--json rows: %v", rows)
	}
	var problems struct {
		Ignored []problem `json:"ignored"`
	}
	first, _, _ := strings.Cut(errOut, "\n")
	if err := json.Unmarshal([]byte(first), &problems); err != nil || len(problems.Ignored) != 1 || problems.Ignored[0].Name != "baker" || problems.Ignored[0].Version != "1.0" {
		t.Errorf("--json stderr object: %v\n%s", err, errOut)
	}

	// --no-config reads neither file.
	out, _, code = w.run(t, "list", "--no-config")
	if code != exitOK || !strings.Contains(out, "baker") || !strings.Contains(out, "able     1.0        2.0") {
		t.Errorf("--no-config: exit %d\n%s", code, out)
	}
}

func TestPolicyUpgradeDryRun(t *testing.T) {
	w := newPolicyWorld(t, policyUser, policyProject)
	out, errOut, code := w.run(t, "upgrade", "--all", "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	all := out + errOut
	if !strings.Contains(all, "able: upgrading to 1.2, not 2.0: pinned by config (<1.5)") {
		t.Errorf("no pin note in the plan:\n%s", all)
	}
	if strings.Contains(all, "baker") {
		t.Errorf("the ignored baker is in the plan:\n%s", all)
	}
	if !strings.Contains(out, "able     1.0   1.2  would be upgraded\n") || !strings.Contains(out, "charlie  1.0   3.0  would be upgraded\n") {
		t.Errorf("plan:\n%s", all)
	}
	// --latest does not go past a pin either.
	out, errOut, code = w.run(t, "upgrade", "able", "--latest", "--dry-run")
	if code != exitOK || !strings.Contains(out, "able     1.0   1.2  would be upgraded\n") || !strings.Contains(out+errOut, "pinned by config (<1.5)") {
		t.Errorf("--latest: exit %d\n%s%s", code, out, errOut)
	}
}

func TestPolicyFailOn(t *testing.T) {
	w := newPolicyWorld(t, policyUser, policyProject)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"list", "--fail-on", "outdated"}, exitFailed},
		{[]string{"list", "--fail-on", "major"}, exitFailed},     // charlie 1.0 -> 3.0
		{[]string{"list", "able", "--fail-on", "major"}, exitOK}, // pinned: 1.0 -> 1.2 is minor
		{[]string{"list", "able", "--fail-on", "outdated"}, exitFailed},
		{[]string{"list", "baker", "--fail-on", "outdated"}, exitOK}, // ignored (and said so, below)
		{[]string{"list", "--fail-on", "vulnerable"}, exitFailed},    // no JSON API here: unknown is not clean
		{[]string{"list", "--fail-on", "insecure"}, exitUsage},
		{[]string{"list", "--json", "--fail-on", "major"}, exitFailed},
	} {
		_, errOut, code := w.run(t, tc.args...)
		if code != tc.code {
			t.Errorf("pipup %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, errOut)
		}
		checkOneLine(t, errOut)
	}
	// An ignored package asked for by name is skipped, saying why.
	if _, errOut, _ := w.run(t, "list", "baker"); !strings.Contains(errOut, "skipped baker 1.0: in pipup's ignore list") {
		t.Errorf("list baker:\n%s", errOut)
	}
	if _, errOut, code := w.run(t, "upgrade", "baker", "--dry-run"); code != exitFailed || !strings.Contains(errOut, "skipped baker: in pipup's ignore list") {
		t.Errorf("upgrade baker: exit %d\n%s", code, errOut)
	}
	// Nothing outdated within the pins: 0.
	w2 := newPolicyWorld(t, "ignore = [\"charlie\", \"baker\"]\npin = { able = \"<1.2\" }\n", "")
	if _, errOut, code := w2.run(t, "list", "--fail-on", "outdated"); code != exitOK {
		t.Errorf("all held by pins or ignored: exit %d\n%s", code, errOut)
	}
}

func TestPolicyConfig(t *testing.T) {
	w := newPolicyWorld(t, policyUser, policyProject+"cooldown = \"36h\"\n")
	out, errOut, code := w.run(t, "config", "--latest")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	proj := filepath.Join(w.project, "pyproject.toml")
	// Columns are aligned with spaces; compare with single spaces.
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	out = strings.Join(lines, "\n")
	for _, want := range []string{
		"# user: " + w.userFile + "\n",
		"# project: " + proj + "\n",
		`cooldown="36h" # ` + proj + ":6\n",
		"pre=false # default\n",
		"latest=true # flag\n",
		"concurrency=8 # " + w.userFile + ":4\n",
		`ignore="Baker" # ` + w.userFile + ":2\n",
		`pin.able="<1.5" # ` + proj + ":5\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pipup config lacks %q:\n%s", want, out)
		}
	}
}

func TestPolicyBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name, user, project, args, want string
	}{
		{"bad specifier", "ignore = []\npin = { able = \"=>1\" }\n", "", "list", `config.toml:2: key "pin.able": not a PEP 440 specifier`},
		{"unknown project key", "", "[tool.pipup]\nignroe = [\"x\"]\n", "upgrade --all --dry-run", `pyproject.toml:2: key "ignroe": unknown key`},
		{"index url", "index-url = \"http://127.0.0.1:1/simple\"\n", "", "config", `config.toml:1: key "index-url": index locations belong in pip's configuration`},
		{"bad cooldown flag", "", "", "list --cooldown 7days", `invalid argument "7days" for "--cooldown" flag`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newPolicyWorld(t, tc.user, tc.project)
			out, errOut, code := w.run(t, strings.Fields(tc.args)...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr:\n%s\nwant %q", errOut, tc.want)
			}
			if tc.name != "bad cooldown flag" && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("more than one line:\n%s", errOut)
			}
			checkOneLine(t, errOut)
		})
	}
}
