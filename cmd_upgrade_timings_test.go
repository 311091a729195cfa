package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestUpgradeTimings: --timings names every step of a native upgrade, the
// command's own (open, scan, plan) first, each with a duration, and
// without --timings there is no such line.
func TestUpgradeTimings(t *testing.T) {
	t.Parallel()
	s := newUpgradeSetup(t)
	names := []string{"ta", "tb"}
	s.seed(specs(names, "1.0", "2.0"), pins(names, "1.0")...)

	_, errOut, code := s.pipup("upgrade", "--all", "--yes", "--dry-run", "--timings")
	if code != exitOK || strings.Contains(errOut, "timings:") {
		t.Errorf("dry run: exit %d, a timings line where nothing ran:\n%s", code, errOut)
	}
	_, errOut, code = s.pipup("upgrade", "--all", "--yes", "--timings")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	line := ""
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "timings: ") {
			line = strings.TrimPrefix(l, "timings: ")
		}
	}
	var got []string
	for _, part := range strings.Split(line, ", ") {
		m := regexp.MustCompile(`^([a-z ]+) \d+\.\d\d s$`).FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("timings part %q is not NAME SECONDS s, in:\n%s", part, errOut)
		}
		got = append(got, m[1])
	}
	if want := "open scan plan download install compile pip check"; strings.Join(got, " ") != want {
		t.Errorf("timings name %q, want %q\n%s", strings.Join(got, " "), want, errOut)
	}
	if v := s.versions(); v["ta"] != "2.0" || v["tb"] != "2.0" {
		t.Errorf("versions after the upgrade: %v", v)
	}
}
