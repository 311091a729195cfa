package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ptyDriverDeleting is ptyDriver that, when the question shows, deletes a
// directory before it answers: something changing between the plan the
// user saw and the run they confirmed.
var ptyDriverDeleting = strings.Replace(ptyDriver,
	"answer, argv = sys.argv[1], sys.argv[2:]",
	"import shutil\nanswer, doomed, argv = sys.argv[1], sys.argv[2], sys.argv[3:]", 1)

// TestUndoRunsTheConfirmedPlan: pipup undo plans once and carries out the
// plan it showed. The snapshots vanish while the question is asked; a
// run that planned again would find nothing to undo.
func TestUndoRunsTheConfirmedPlan(t *testing.T) {
	t.Parallel()
	driver := strings.Replace(ptyDriverDeleting,
		"        os.write(fd, (answer + \"\\n\").encode())",
		"        shutil.rmtree(doomed)\n        os.write(fd, (answer + \"\\n\").encode())", 1)
	if driver == ptyDriverDeleting {
		t.Fatal("ptyDriver changed: the deleting driver no longer deletes")
	}
	s := newUpgradeSetup(t)
	s.seed(specs([]string{"aa"}, "1.0", "2.0"), "aa==1.0")
	if out, errOut, code := s.pipup("upgrade", "aa", "--yes"); code != exitOK {
		t.Fatalf("upgrade: exit %d\n%s%s", code, out, errOut)
	}
	snaps := filepath.Join(s.home, ".state", "pipup", "snapshots")
	if _, err := os.Stat(snaps); err != nil {
		t.Fatalf("no snapshots where expected: %v", err)
	}
	// rmtree fails (and the driver with it) unless snaps is there to delete.
	out, errOut, code := runCmd(t, s.env, pythons.Python(t), "-c", driver, "y", snaps, pipupBinary(t), "undo", "--python", s.py, "--index-url", s.srv.IndexURL())
	if code != exitOK {
		t.Fatalf("undo: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Count(out, "[y/N]") != 1 {
		t.Fatalf("the question was not asked once:\n%s", out)
	}
	// The terminal's control sequences out, the rows are as in a pipe.
	screen := regexp.MustCompile(`\x1b(\[[0-9;?]*[A-Za-z]|\][^\x1b\a]*(\x1b\\|\a)?)`).ReplaceAllString(out, "")
	// A carriage return starts the line again, as on the terminal: the
	// progress line a row replaces is not part of the row.
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, "\r") // the terminal's own \r\n
		lines[i] = l[strings.LastIndex(l, "\r")+1:]
	}
	screen = strings.Join(lines, "\n")
	if !rowMatches(screen, "aa", "2.0", "1.0", "restored") {
		t.Errorf("undo output:\n%s", out)
	}
	if v := s.versions()["aa"]; v != "1.0" {
		t.Errorf("aa at %s after undo, want 1.0\n%s", v, out)
	}
	assertHealthy(t, s.interp())
}
