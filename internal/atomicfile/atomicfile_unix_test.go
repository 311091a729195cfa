//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriteFile(t *testing.T) {
	// A umask that would narrow 0o644 and 0o666, so that the test tells
	// "exactly perm" from "perm minus the umask".
	old := syscall.Umask(0o077)
	t.Cleanup(func() { syscall.Umask(old) })

	tests := []struct {
		name     string
		existing *fs.FileMode // nil: no file yet
		perm     fs.FileMode
	}{
		{name: "new file, private", perm: 0o600},
		{name: "new file, world-readable despite the umask", perm: 0o644},
		{name: "replace, mode given", existing: ptr(0o640), perm: 0o666},
		{name: "replace, same mode", existing: ptr(0o600), perm: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			if tt.existing != nil {
				if err := os.WriteFile(path, []byte("old content, longer than the new"), *tt.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, *tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, []byte("new"), tt.perm); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new" {
				t.Errorf("content %q, %v; want %q", got, err, "new")
			}
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != tt.perm {
				t.Errorf("mode %v, %v; want %v", st.Mode().Perm(), err, tt.perm)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("folder holds %d entries after the write, want only the file", len(entries))
			}
		})
	}
}

func ptr(m fs.FileMode) *fs.FileMode { return &m }
