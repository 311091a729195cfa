package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	flag "github.com/spf13/pflag"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		ok      bool
		pkgs    []string
		yes     bool
		json    bool
		python  string
		retries *int
	}{
		{name: "flags around names", args: []string{"a", "--json", "b", "--python", "py"}, ok: true, pkgs: []string{"a", "b"}, json: true, python: "py"},
		{name: "-y is --yes", args: []string{"-y"}, ok: true, yes: true},
		{name: "--python=value", args: []string{"--python=/x/py"}, ok: true, python: "/x/py"},
		{name: "Go-style single-dash long flags still work", args: []string{"-json", "-python=py", "-yes"}, ok: true, json: true, python: "py", yes: true},
		{name: "after --, a dash is a name", args: []string{"--", "-json"}, ok: true, pkgs: []string{"-json"}},
		{name: "--retries 0 is given, not the default", args: []string{"--retries", "0"}, ok: true, retries: new(int)},
		{name: "unknown flag", args: []string{"--bogus"}, code: exitUsage},
		{name: "missing value", args: []string{"--python"}, code: exitUsage},
		{name: "help", args: []string{"-h"}, code: exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("pipup test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var ef envFlags
			var cf changeFlags
			ef.register(fs)
			cf.register(fs)
			asJSON := fs.Bool("json", false, "")
			pkgs, code, ok := parseArgs(fs, tc.args)
			if ok != tc.ok || !ok && code != tc.code {
				t.Fatalf("ok %v code %d, want ok %v code %d", ok, code, tc.ok, tc.code)
			}
			if !ok {
				return
			}
			if !slices.Equal(pkgs, tc.pkgs) || cf.yes != tc.yes || *asJSON != tc.json || ef.python != tc.python {
				t.Errorf("pkgs %q yes %v json %v python %q", pkgs, cf.yes, *asJSON, ef.python)
			}
			got := ef.options().Retries
			if (got == nil) != (tc.retries == nil) || got != nil && *got != *tc.retries {
				t.Errorf("retries %v, want %v", got, tc.retries)
			}
		})
	}
}

// The settings files lie under the flags: a key sets its flag unless the
// flag was given, commands without the flag ignore the key, and
// --no-config reads nothing.
func TestSettingsUnderFlags(t *testing.T) {
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "xdg"))
	project := filepath.Join(root, "proj")
	for _, d := range []string{filepath.Join(root, "xdg", "pipup"), filepath.Join(project, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "xdg", "pipup", "config.toml"), "pre = true\nconcurrency = 8\nignore = [\"a\"]\ncooldown = \"7d\"\n")
	writeFile(t, filepath.Join(project, "pyproject.toml"), "[tool.pipup]\nlatest = true\npin = { b = \"<2\" }\n")
	t.Chdir(filepath.Join(project, "sub"))

	for _, tc := range []struct {
		name        string
		args        []string
		withPlan    bool
		pre, latest bool
		concurrency int
		cooldown    time.Duration
		ignore, pin int
	}{
		{"files only", nil, true, true, true, 8, 7 * 24 * time.Hour, 1, 1},
		{"flags win", []string{"--concurrency", "3", "--cooldown", "0", "--pre=false"}, true, false, true, 3, 0, 1, 1},
		{"a command without --latest", nil, false, true, false, 8, 7 * 24 * time.Hour, 1, 1},
		{"--no-config", []string{"--no-config"}, true, false, false, 0, 0, 0, 0},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var ef envFlags
		var pf planFlags
		ef.register(fs)
		if tc.withPlan {
			pf.register(fs)
		}
		if _, code, ok := parseArgs(fs, tc.args); !ok {
			t.Fatalf("%s: parseArgs failed with %d", tc.name, code)
		}
		o := ef.optionsFor("list")
		if o.Pre != tc.pre || pf.latest != tc.latest || o.Concurrency != tc.concurrency || o.Cooldown != tc.cooldown ||
			len(o.Ignore) != tc.ignore || len(o.Pins) != tc.pin || o.Now == nil {
			t.Errorf("%s: pre %v latest %v concurrency %d cooldown %v ignore %v pins %v; want %v %v %d %v %d %d",
				tc.name, o.Pre, pf.latest, o.Concurrency, o.Cooldown, o.Ignore, o.Pins, tc.pre, tc.latest, tc.concurrency, tc.cooldown, tc.ignore, tc.pin)
		}
	}
}
