package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// cacheInfoOf runs `pipup cache info --json` in s's environment.
func cacheInfoOf(t *testing.T, s *upgradeSetup) map[string]any {
	t.Helper()
	out, errOut, code := runCmd(t, s.env, pipupBinary(t), "cache", "info", "--json")
	if code != exitOK {
		t.Fatalf("cache info: exit %d\n%s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("cache info --json: %v\n%s", err, out)
	}
	return m
}

func num(m map[string]any, k string) int64 {
	f, _ := m[k].(float64)
	return int64(f)
}

// TestCacheCommands: the cache is empty before an upgrade, holds the index
// pages and wheels after it, stays within --cache-max-size when a run
// fills it past the bound, and is empty after clean; undo still works.
func TestCacheCommands(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	names := []string{"aa", "bb", "cc"}
	s.seed(specs(names, "1.0", "2.0"), pins(names, "1.0")...)

	before := cacheInfoOf(t, s)
	if num(before, "bytes") != 0 || num(before, "pages") != 0 || num(before, "files") != 0 {
		t.Errorf("before any run: %v", before)
	}
	if want := s.home + "/.cache/pipup/http"; before["location"] != want {
		t.Errorf("location %v, want %s (from XDG_CACHE_HOME)", before["location"], want)
	}

	if _, errOut, code := s.pipup("upgrade", "--all", "--yes"); code != exitOK {
		t.Fatalf("upgrade: exit %d\n%s", code, errOut)
	}
	after := cacheInfoOf(t, s)
	if num(after, "pages") < int64(len(names)) || num(after, "files") < int64(len(names)) || num(after, "bytes") == 0 {
		t.Errorf("after upgrading %d packages: %v; want at least one index page and one wheel each", len(names), after)
	}
	text, _, _ := runCmd(t, s.env, pipupBinary(t), "cache", "info")
	for _, want := range []string{"Location:", "of at most 2.0 GiB", fmt.Sprintf("%d files", num(after, "files")), "Last used:"} {
		if !strings.Contains(text, want) {
			t.Errorf("cache info text lacks %q:\n%s", want, text)
		}
	}

	// A run with a bound below what the cache holds ends within it.
	bound := num(after, "bytes") / 2
	if _, errOut, code := s.pipup("list", "--refresh", "--cache-max-size", fmt.Sprint(bound)); code != exitOK {
		t.Fatalf("list with a bound: exit %d\n%s", code, errOut)
	}
	bounded := cacheInfoOf(t, s)
	if got := num(bounded, "bytes"); got > bound || got == 0 {
		t.Errorf("after a run bounded to %d bytes the cache holds %d; want at most the bound and the newest pages kept", bound, got)
	}

	if out, errOut, code := s.pipup("undo", "--yes"); code != exitOK {
		t.Fatalf("undo after eviction: exit %d\n%s%s", code, out, errOut)
	}
	if v := s.versions(); v["aa"] != "1.0" {
		t.Errorf("after undo: %v", v)
	}

	out, errOut, code := runCmd(t, s.env, pipupBinary(t), "cache", "clean", "--older-than", "30d")
	if code != exitOK || !strings.Contains(out, "Removed 0 entries") {
		t.Errorf("clean --older-than 30d right after use: exit %d %q %q", code, out, errOut)
	}
	if out, errOut, code := runCmd(t, s.env, pipupBinary(t), "cache", "clean"); code != exitOK || !strings.Contains(out, "Removed") {
		t.Errorf("clean: exit %d %q %q", code, out, errOut)
	}
	if empty := cacheInfoOf(t, s); num(empty, "bytes") != 0 || num(empty, "pages")+num(empty, "files") != 0 {
		t.Errorf("after clean: %v", empty)
	}
}

func TestCacheBadInput(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := append(cleanEnv(home), "PIPUP_CACHE_MAX_SIZE=lots")
	tests := []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"cache"}, cleanEnv(home), "Usage:"},
		{[]string{"cache", "wipe"}, cleanEnv(home), `unknown cache command "wipe"`},
		{[]string{"cache", "clean", "--older-than", "soon"}, cleanEnv(home), `invalid age "soon"`},
		{[]string{"cache", "clean", "--older-than", "0d"}, cleanEnv(home), "more than 0"},
		{[]string{"cache", "info", "extra"}, cleanEnv(home), "takes no arguments"},
		{[]string{"list", "--cache-max-size", "-3"}, cleanEnv(home), `invalid size "-3"`},
		{[]string{"cache", "info"}, env, `PIPUP_CACHE_MAX_SIZE: invalid size "lots"`},
	}
	for _, tt := range tests {
		_, errOut, code := runCmd(t, tt.env, pipupBinary(t), tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("pipup %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, errOut, exitUsage, tt.want)
		}
	}
}

func cleanEnv(home string) []string {
	return []string{"HOME=" + home, "XDG_CACHE_HOME=" + home + "/.cache", "PATH=/usr/bin:/bin", "NO_COLOR=1"}
}

func TestParseSizeAndAge(t *testing.T) {
	sizes := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2GiB", 2 << 30, true}, {"500MB", 500e6, true}, {"1.5G", 1.5e9, true}, {"1024", 1024, true},
		{"0", -1, true}, {"", 0, false}, {"-1", 0, false}, {"big", 0, false},
	}
	for _, tt := range sizes {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d ok=%t", tt.in, got, err, tt.want, tt.ok)
		}
	}
	ages := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true}, {"2w", 14 * 24 * time.Hour, true}, {"12h", 12 * time.Hour, true},
		{"90m", 90 * time.Minute, true}, {"d", 0, false}, {"-1d", 0, false}, {"-2h", 0, false}, {"soon", 0, false},
		{"200000d", 0, false}, {"4000000000w", 0, false}, // past what a Duration holds
	}
	for _, tt := range ages {
		got, err := parseAge(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseAge(%q) = %v, %v; want %v ok=%t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestUndoUsesCachedWheels: undo fetches the old versions' wheels through
// pipup's cache. The first undo says it downloads them again (pip, not
// pipup, installed 1.0); after that pipup has them, and a second undo
// takes them from the cache: neither pipup nor pip downloads a file.
func TestUndoUsesCachedWheels(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	s.seed(specs([]string{"aa", "bb"}, "1.0", "2.0"), "aa==1.0", "bb==1.0")
	roundTrip := func() (undoErr string) {
		t.Helper()
		if out, errOut, code := s.pipup("upgrade", "--all", "--yes"); code != exitOK {
			t.Fatalf("upgrade: exit %d\n%s%s", code, out, errOut)
		}
		s.srv.ResetCounts()
		out, errOut, code := s.pipup("undo", "--yes")
		if code != exitOK {
			t.Fatalf("undo: exit %d\n%s%s", code, out, errOut)
		}
		if v := s.versions(); v["aa"] != "1.0" || v["bb"] != "1.0" {
			t.Fatalf("after undo: %v", v)
		}
		return errOut
	}

	errOut := roundTrip()
	for _, name := range []string{"aa", "bb"} {
		if want := "pipup: " + name + " 1.0: its wheel is no longer in pipup's cache: downloading it again"; !strings.Contains(errOut, want) {
			t.Errorf("first undo does not say %q:\n%s", want, errOut)
		}
	}
	errOut = roundTrip()
	if strings.Contains(errOut, "downloading it again") {
		t.Errorf("second undo downloads again although pipup has the wheels:\n%s", errOut)
	}
	if n := s.srv.Requests().File; n != 0 {
		t.Errorf("second undo: %d file downloads from the index, want 0 (the wheels are in pipup's cache)", n)
	}
}
