package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// cooldownWorld is a policy world (able, baker, charlie installed at 1.0)
// whose index gives upload times. The binary reads the wall clock, so the
// times are set relative to it with wide margins (2 days against a 7-day
// cooldown): a run would have to take a day to change an answer. The
// engine's tests pass the clock in (package pip).
func cooldownWorld(t *testing.T, user, pyproject string) policyWorld {
	t.Helper()
	w := newPolicyWorld(t, user, pyproject)
	now := time.Now()
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, v := range []struct {
		name, version string
		age           time.Duration // 0: no time given
	}{
		{"able", "1.0", 400 * day}, {"able", "1.2", 30 * day}, {"able", "1.5", 10 * day}, {"able", "2.0", 2 * day},
		{"baker", "1.0", 400 * day}, {"baker", "1.2", 0},
		{"charlie", "1.0", 400 * day}, {"charlie", "3.0", time.Hour},
	} {
		var opts []pypitest.FileOption
		if v.age != 0 {
			opts = append(opts, pypitest.UploadedAt(now.Add(-v.age)))
		}
		if err := srv.AddWheel(pypitest.WheelSpec{Name: v.name, Version: v.version}, opts...); err != nil {
			t.Fatal(err)
		}
	}
	w.index = srv.IndexURL()
	return w
}

const day = 24 * time.Hour

func TestCooldownList(t *testing.T) {
	w := cooldownWorld(t, "# user\ncooldown = \"7d\"\n", "[tool.pipup]\npin = { baker = \"<2\" }\n")
	out, errOut, code := w.run(t, "list")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	want := "Package  Installed  Wanted  Latest  Type   Note\n" +
		"able     1.0        1.5     2.0     major  2.0 is 2 days old (cooldown 7d)\n" +
		"baker    1.0        1.2     1.2     minor  age of 1.2 unknown (cooldown 7d)\n" +
		"charlie  1.0        1.0     3.0     major  3.0 is 1 hour old (cooldown 7d)\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}
	checkOneLine(t, errOut)

	// The project's cooldown overrides the user's; a flag overrides both.
	for _, tc := range []struct {
		project string
		args    []string
		want    string
	}{
		{"[tool.pipup]\ncooldown = \"1d\"\n", nil, "able     1.0        2.0     2.0     major\n" +
			"baker    1.0        1.2     1.2     minor  age of 1.2 unknown (cooldown 1d)\n" +
			"charlie  1.0        1.0     3.0     major  3.0 is 1 hour old (cooldown 1d)\n"},
		{"", []string{"--cooldown", "0"}, "able     1.0        2.0     2.0     major\n" +
			"baker    1.0        1.2     1.2     minor\n" +
			"charlie  1.0        3.0     3.0     major\n"},
		{"", []string{"--cooldown", "36h"}, "able     1.0        2.0     2.0     major  2.0 is 2 days old (cooldown 36h)\n"},
	} {
		w2 := cooldownWorld(t, "cooldown = \"7d\"\n", tc.project)
		out, errOut, code := w2.run(t, append([]string{"list"}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, errOut)
		}
		// able 2.0 at 2 days is past a 36h cooldown: no note for it.
		if tc.args != nil && tc.args[1] == "36h" {
			if !strings.Contains(out, "able     1.0        2.0     2.0     major\n") || !strings.Contains(out, "3.0 is 1 hour old (cooldown 36h)") {
				t.Errorf("--cooldown 36h:\n%s", out)
			}
			continue
		}
		if _, rows, _ := strings.Cut(out, "\n"); rows != tc.want {
			t.Errorf("project %q, flags %v:\n%s\nwant rows:\n%s", tc.project, tc.args, out, tc.want)
		}
	}

	out, errOut, code = w.run(t, "list", "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != exitOK || len(rows) != 3 {
		t.Fatalf("--json: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	able, baker, charlie := rows[0], rows[1], rows[2]
	held, _ := able["held_by_cooldown"].(map[string]any)
	if able["wanted_version"] != "1.5" || held["version"] != "2.0" || held["cooldown"] != "7d" || able["age_unknown"] != nil {
		t.Errorf("able: %v", able)
	}
	up, err1 := time.Parse(time.RFC3339, str(held["uploaded"]))
	until, err2 := time.Parse(time.RFC3339, str(held["until"]))
	if err1 != nil || err2 != nil || until.Sub(up) != 7*day || time.Since(up) < 2*day || time.Since(up) > 2*day+time.Hour {
		t.Errorf("able: uploaded %v until %v (%v, %v)", held["uploaded"], held["until"], err1, err2)
	}
	if w, err := time.Parse(time.RFC3339, str(able["wanted_uploaded"])); err != nil || time.Since(w) < 10*day || time.Since(w) > 10*day+time.Hour {
		t.Errorf("able: wanted_uploaded %v", able["wanted_uploaded"])
	}
	if baker["age_unknown"] != true || baker["held_by_cooldown"] != nil || baker["wanted_uploaded"] != nil {
		t.Errorf("baker: %v", baker)
	}
	if charlie["wanted_version"] != "1.0" || charlie["held_by_cooldown"] == nil || charlie["latest_uploaded"] == nil {
		t.Errorf("charlie: %v", charlie)
	}
}

func str(v any) string { s, _ := v.(string); return s }

func TestCooldownUpgradeDryRunAndFailOn(t *testing.T) {
	w := cooldownWorld(t, "cooldown = \"7d\"\n", "")
	out, errOut, code := w.run(t, "upgrade", "--all", "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	all := out + errOut
	for _, want := range []string{
		"able: upgrading to 1.5, not 2.0: 2.0 is 2 days old (cooldown 7d)",
		"charlie stays at 1.0: 3.0 is 1 hour old (cooldown 7d)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in:\n%s", want, all)
		}
	}
	if !strings.Contains(out, "able     1.0   1.5  would be upgraded\n") || !strings.Contains(out, "baker    1.0   1.2  would be upgraded\n") || strings.Contains(out, "would be upgraded\ncharlie") || strings.Contains(out, "charlie  1.0") {
		t.Errorf("plan:\n%s", all)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"list", "--fail-on", "outdated"}, exitFailed},
		{[]string{"list", "charlie", "--fail-on", "outdated"}, exitOK}, // only 3.0, in its cooldown
		{[]string{"list", "charlie", "--fail-on", "outdated", "--cooldown", "0"}, exitFailed},
		{[]string{"list", "able", "--fail-on", "major"}, exitOK}, // 1.0 -> 1.5 within the cooldown
	} {
		if _, errOut, code := w.run(t, tc.args...); code != tc.code {
			t.Errorf("pipup %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, errOut)
		}
	}
	cfg, _, _ := w.run(t, "config")
	if !strings.Contains(strings.Join(strings.Fields(cfg), " "), `cooldown="7d" # `+filepath.Join(filepath.Dir(w.userFile), "config.toml")+":1") {
		t.Errorf("pipup config does not say where the cooldown comes from:\n%s", cfg)
	}
}
