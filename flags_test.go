package main

import (
	"io"
	"slices"
	"testing"

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
