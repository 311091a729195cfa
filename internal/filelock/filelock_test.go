package filelock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockAcrossProcesses: a lock a child process holds is seen as held
// (TryLock fails with ErrHeld, Held says true) and is free again once the
// child has died; Held creates no file.
func TestLockAcrossProcesses(t *testing.T) {
	if os.Getenv("FILELOCK_CHILD") != "" {
		if _, err := TryLock(os.Getenv("FILELOCK_CHILD")); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		os.Stdin.Read(make([]byte, 1)) // hold until the parent closes stdin
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "lock")
	if held, err := Held(filepath.Join(dir, "missing")); err == nil || held {
		t.Errorf("Held of a missing file = %v, %v; want an error", held, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("Held created the file: %v", err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$")
	cmd.Env = append(os.Environ(), "FILELOCK_CHILD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || !strings.HasPrefix(string(buf), "locked") {
		t.Fatalf("child: %q, %v", buf, err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Errorf("TryLock while the child holds it: %v, want ErrHeld", err)
	}
	if held, err := Held(path); err != nil || !held {
		t.Errorf("Held while the child holds it = %v, %v", held, err)
	}
	stdin.Close()
	cmd.Wait()
	l, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after the child died: %v", err)
	}
	l.Close()
	if held, err := Held(path); err != nil || held {
		t.Errorf("Held once every lock is released = %v, %v", held, err)
	}
}
