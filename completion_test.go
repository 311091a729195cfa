package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCompletionMatchesHelp: each command's completion flags are the
// flags its --help lists, so the scripts cannot drift from the commands.
func TestCompletionMatchesHelp(t *testing.T) {
	row := regexp.MustCompile(`(?m)^  (?:-\w, )?\s*--([a-z][a-z0-9-]*)`)
	checked := 0
	for _, c := range withSubs(completionCommands()) {
		if c.name == "" || len(flagsOf(c.fs)) == 0 {
			continue
		}
		var out, errOut bytes.Buffer
		if code := run(append(strings.Fields(c.name), "--help"), stdio{strings.NewReader(""), &out, &errOut}); code != exitOK {
			t.Fatalf("%s --help: exit %d: %s", c.name, code, errOut.String())
		}
		var help []string
		for _, m := range row.FindAllStringSubmatch(errOut.String(), -1) {
			if m[1] != "help" {
				help = append(help, m[1])
			}
		}
		var comp []string
		for _, f := range flagsOf(c.fs) {
			comp = append(comp, f.long)
		}
		slices.Sort(help)
		if !slices.Equal(help, comp) {
			t.Errorf("%s: --help lists %v, completion has %v", c.name, help, comp)
		}
		checked++
	}
	if checked < 6 {
		t.Errorf("only %d commands compared", checked)
	}
}

func TestCompletionUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"completion"}, exitUsage, "name one shell"},
		{[]string{"completion", "tcsh"}, exitUsage, `unknown shell "tcsh"`},
		{[]string{"completion", "bash", "zsh"}, exitUsage, "name one shell"},
	} {
		var out, errOut bytes.Buffer
		code := run(tc.args, stdio{strings.NewReader(""), &out, &errOut})
		if code != tc.code || !strings.Contains(errOut.String(), tc.want) || out.Len() != 0 || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out.String(), errOut.String())
		}
	}
}

// scriptText is what `pipup completion shell` prints.
func scriptText(t *testing.T, shell string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{"completion", shell}, stdio{strings.NewReader(""), &out, &errOut}); code != exitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errOut.String())
	}
	return out.String()
}

// writeScript writes `pipup completion shell` to a file.
func writeScript(t *testing.T, shell string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipup."+shell)
	if err := os.WriteFile(path, []byte(scriptText(t, shell)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCompletionBash runs the generated script in bash: it registers
// itself (complete -p) and completes commands, options and file values.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not on PATH: the bash completion script cannot be run")
	}
	script := writeScript(t, "bash")
	dir := t.TempDir()
	for _, f := range []string{"python3.12", "pyproject.toml"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{"pipup", "li"}, "list"},
		{[]string{"pipup", ""}, "list upgrade undo history config cache completion help version"},
		{[]string{"pipup", "list", "--js"}, "--json"},
		{[]string{"pipup", "upgrade", "--y"}, "--yes"},
		{[]string{"pipup", "upgrade", "--al"}, "--all"},
		{[]string{"pipup", "list", "--al"}, ""},
		{[]string{"pipup", "--la"}, "--latest"},
		{[]string{"pipup", "list", "--pro"}, "--proxy"},
		{[]string{"pipup", "completion", ""}, "bash zsh fish"},
		{[]string{"pipup", "list", "--python", filepath.Join(dir, "pyt")}, filepath.Join(dir, "python3.12")},
		{[]string{"pipup", "list", "--index-url", ""}, ""},
		{[]string{"pipup", "cache", ""}, "info clean"},
		{[]string{"pipup", "cache", "cl"}, "clean"},
		{[]string{"pipup", "cache", "--"}, "--help"},
		{[]string{"pipup", "cache", "info", "--"}, "--cache-max-size --json --help"},
		{[]string{"pipup", "cache", "info", ""}, ""},
		{[]string{"pipup", "cache", "clean", "--o"}, "--older-than"},
		{[]string{"pipup", "cache", "clean", "--older-than", ""}, ""},
		{[]string{"pipup", "--no-cache", "cache", "info", "--j"}, "--json"},
	}
	var sh strings.Builder
	sh.WriteString("source " + script + "\ncomplete -p pipup\n")
	for _, c := range cases {
		sh.WriteString("COMP_WORDS=(")
		for _, w := range c.words {
			sh.WriteString("'" + w + "' ")
		}
		sh.WriteString(")\nCOMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _pipup; echo \"${COMPREPLY[*]}\"\n")
	}
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", sh.String())
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("bash: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases)+1 || lines[0] != "complete -F _pipup pipup" {
		t.Fatalf("bash output:\n%s", out)
	}
	for i, c := range cases {
		if got := lines[i+1]; got != c.want {
			t.Errorf("%q: completions %q, want %q", c.words, got, c.want)
		}
	}
}

// TestCompletionFish asks fish itself what it completes (complete -C).
func TestCompletionFish(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not on PATH: the fish completion script cannot be run")
	}
	script := writeScript(t, "fish")
	for _, tc := range []struct {
		line string
		want []string // each a completion's first field
		not  []string
	}{
		{"pipup li", []string{"list"}, nil},
		{"pipup upgrade --", []string{"--all", "--yes", "--latest", "--proxy"}, []string{"--json"}},
		{"pipup list --", []string{"--json", "--index-url"}, []string{"--all", "--yes"}},
		{"pipup upgrade -", []string{"-y", "-i"}, nil},
		{"pipup completion ", []string{"bash", "zsh", "fish"}, nil},
		{"pipup cache ", []string{"info", "clean"}, []string{"list"}},
		{"pipup cache info --", []string{"--json", "--cache-max-size", "--help"}, []string{"--older-than"}},
		{"pipup cache clean --", []string{"--older-than"}, []string{"--json"}},
		{"pipup cache clean ", nil, []string{"info", "clean"}},
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+tc.line+"'")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			first, _, _ := strings.Cut(l, "\t")
			got = append(got, first)
		}
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: fish offers %v, lacking %q", tc.line, got, w)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("%q: fish offers %q", tc.line, n)
			}
		}
	}
}

// TestCompletionZsh loads the script into zsh's completion system.
func TestCompletionZsh(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("zsh is not on PATH: the zsh completion script cannot be loaded")
	}
	script := writeScript(t, "zsh")
	home := t.TempDir()
	cmd := exec.Command(zsh, "-f", "-c", "zsh -n "+script+" && autoload -U compinit && compinit -u -d "+filepath.Join(home, "zcompdump")+" && source "+script+" && print -r -- ${_comps[pipup]}")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_pipup" {
		t.Fatalf("zsh: %v\n%s", err, out)
	}
}
