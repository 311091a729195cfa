package main

import (
	"bytes"
	"strings"
	"testing"
)

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
