package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// Not on a terminal, `pipup` is `pipup list` plus a one-line hint on stderr.
func TestInteractiveWithoutTerminal(t *testing.T) {
	// run reads the process's environment: set what it reads (the
	// settings files under HOME/XDG_CONFIG_HOME, the cache bound) rather
	// than take the caller's.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("PIPUP_CACHE_MAX_SIZE", "")
	t.Setenv("NO_COLOR", "1")
	var out, errOut bytes.Buffer
	code := run([]string{"--python", "/nonexistent/python3"}, stdio{strings.NewReader(""), &out, &errOut})
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "/nonexistent/python3") || lines[1] != nonInteractiveHint {
		t.Errorf("stderr:\n%s", errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out.String())
	}
}

// Off a terminal, the flags of an upgrade given to bare `pipup` make it
// `pipup upgrade`: --all --yes upgrades, and the others say what is
// missing, as pipup upgrade does (they were "flag provided but not
// defined" before).
func TestInteractiveWithoutTerminalUpgradeFlags(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	names := []string{"aa", "bb"}
	s.seed(specs(names, "1.0", "2.0"), pins(names, "1.0")...)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--latest"}, "--all"},
		{[]string{"--yes"}, "--all"},
		{[]string{"-y"}, "--all"},
		{[]string{"--all"}, "--yes"},
	} {
		out, errOut, code := s.pipup(tt.args...)
		// The hint would mean it ran as pipup list (whose hint also names --all).
		if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "not defined") || strings.Contains(errOut, nonInteractiveHint) {
			t.Errorf("pipup %v: exit %d, stderr %q, stdout %q; want exit %d naming %s", tt.args, code, errOut, out, exitUsage, tt.want)
		}
	}
	if v := s.versions(); v["aa"] != "1.0" || v["bb"] != "1.0" {
		t.Fatalf("a refused command changed the environment: %v", v)
	}
	if _, errOut, code := s.pipup("--all", "--dry-run"); code != exitOK {
		t.Errorf("pipup --all --dry-run: exit %d %q", code, errOut)
	}
	if out, errOut, code := s.pipup("--all", "--yes"); code != exitOK {
		t.Fatalf("pipup --all --yes: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["aa"] != "2.0" || v["bb"] != "2.0" {
		t.Errorf("pipup --all --yes off a terminal did not upgrade: %v", v)
	}
	if !upgradeFlagIn([]string{"--latest=true"}) || upgradeFlagIn([]string{"--json", "--", "--all"}) || upgradeFlagIn([]string{"--index-url", "x"}) {
		t.Error("upgradeFlagIn: wrong answer for = forms, positional -- or list flags")
	}
}

// upgradeFlagIn reads flags as parseArgs does: long with one or two
// dashes, shorthands alone or clustered, up to one that takes a value.
func TestUpgradeFlagIn(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"-y"}, true},
		{[]string{"-yes"}, true},
		{[]string{"--yes"}, true},
		{[]string{"-fy", "dir"}, false}, // -f takes "y" as its value
		{[]string{"-i", "x", "-y"}, true},
		{[]string{"-ihttp://yes.example"}, false},
		{[]string{"--dry-run"}, true},
		{[]string{"-json"}, false},
		{[]string{"--python", "/usr/bin/python3"}, false},
		{[]string{"-", "-h"}, false},
		{[]string{"-é"}, false},
		{[]string{"--exclude", "-y"}, false}, // -y is --exclude's value
		{[]string{"--exclude=x", "-y"}, true},
		{[]string{"-f", "--yes"}, false},
		{[]string{"--pre", "-y"}, true},
	} {
		if got := upgradeFlagIn(tt.args); got != tt.want {
			t.Errorf("upgradeFlagIn(%q) = %t, want %t", tt.args, got, tt.want)
		}
	}
}
