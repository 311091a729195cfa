//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// TestTUIIgnoreAndSecurity: the real binary in tmux against an index with
// PyPI's JSON API. banana's installed version has an advisory its major
// upgrade fixes: it shows in the Security group, ticked. `i` on cherry
// writes it into the user's config.toml (keeping the file's comments);
// the next run does not offer it and lists it, closed, under Ignored,
// where `u` takes it back.
func TestTUIIgnoreAndSecurity(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t, pypitest.WithJSONAPI())
	s.seed([]pypitest.WheelSpec{
		{Name: "apple", Version: "1.0"}, {Name: "apple", Version: "1.1"},
		{Name: "banana", Version: "1.0"}, {Name: "banana", Version: "2.0"},
		{Name: "cherry", Version: "1.0"}, {Name: "cherry", Version: "1.0.1"},
	}, "apple==1.0", "banana==1.0", "cherry==1.0")
	s.srv.SetVulnerabilities("banana", "1.0", pypitest.Vulnerability{ID: "PYSEC-9", Aliases: []string{"CVE-9"}, FixedIn: []string{"2.0"}})
	cfg := filepath.Join(s.home, ".config", "pipup", "config.toml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	const mine = "# my settings\npre = false  # keep this\n"
	writeFile(t, cfg, mine)

	ui := s.tui(120, 40)
	ui.waitFor("3 outdated", 30*time.Second)
	scr := ui.waitFor("fixes PYSEC-9", 30*time.Second)
	if !strings.Contains(scr, "Security  fixes a known vulnerability · 1 of 1 selected") || !strings.Contains(scr, "[x] banana") {
		t.Fatalf("want banana (major) ticked in the Security group:\n%s", scr)
	}
	ui.keys("/", "cherry", "Enter", "i")
	ui.waitFor("cherry is ignored from now on", 10*time.Second)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), mine) || !strings.Contains(string(data), `"cherry"`) {
		t.Fatalf("config.toml after i:\n%s", data)
	}
	ui.keys("q")
	if code := ui.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, ui.screen())
	}

	ui = s.tui(120, 40)
	scr = ui.waitFor("2 outdated", 30*time.Second)
	if strings.Contains(scr, "cherry") || !strings.Contains(scr, "Ignored  1 package, never offered") {
		t.Fatalf("the second run offers cherry, or lacks the Ignored group:\n%s", scr)
	}
	ui.keys("End", "Space", "Down")
	ui.waitFor("ignored by pipup's settings", 5*time.Second)
	ui.keys("u")
	ui.waitFor("cherry is offered again from the next run", 10*time.Second)
	if data, err := os.ReadFile(cfg); err != nil || strings.Contains(string(data), "cherry") || !strings.HasPrefix(string(data), mine) {
		t.Fatalf("config.toml after u (%v):\n%s", err, data)
	}
	ui.keys("q")
	if code := ui.exitCode(10 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, ui.screen())
	}
}
