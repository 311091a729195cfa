package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pipup/pipup/model"
)

func TestPickLinks(t *testing.T) {
	got := pickLinks("https://old-home.example", map[string]string{
		"Documentation": "https://docs.example",
		"Changelog":     "https://example/CHANGES.md",
		"Source":        "https://github.com/x/y",
		"Funding":       "https://fund.example",
		"Tracker":       "javascript:alert(1)",
	})
	want := []model.Link{{Label: "home", URL: "https://docs.example"}, {Label: "changelog", URL: "https://example/CHANGES.md"}, {Label: "source", URL: "https://github.com/x/y"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %v, want %v", i, got[i], want[i])
		}
	}
	// The old home_page field fills in; non-web schemes and repeats are dropped.
	got = pickLinks("https://home.example", map[string]string{"Homepage": "ftp://x", "Repository": "https://home.example"})
	if len(got) != 1 || got[0] != (model.Link{Label: "home", URL: "https://home.example"}) {
		t.Errorf("fallback: %v", got)
	}
}

// Not on a terminal, `pipup` is `pipup list` plus a one-line hint on stderr.
func TestInteractiveWithoutTerminal(t *testing.T) {
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
