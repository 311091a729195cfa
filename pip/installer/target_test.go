package installer

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRealDirCheck: the memoised resolution agrees with
// filepath.EvalSymlinks on directories, links in and out of the root,
// and links below links; a directory that does not exist yet is
// outside, and inside once made.
func TestRealDirCheck(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "env"), filepath.Join(base, "elsewhere")
	for _, d := range []string{"lib/site/pkg", "bin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(outside, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"lib/site/out":    outside,
		"lib/site/in":     filepath.Join(root, "bin"),
		"lib/site/rel-in": "pkg",
		"lib/site/rel-up": "../../..",
	}
	for name, to := range links {
		if err := os.Symlink(to, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	// The root itself reached through a link: its real path is what counts.
	rootLink := filepath.Join(base, "env-link")
	if err := os.Symlink(root, rootLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir  string
		want bool
	}{
		{"", true},
		{"lib/site", true},
		{"lib/site/pkg", true},
		{"lib/site/in", true},
		{"lib/site/rel-in", true},
		{"lib/site/out", false},
		{"lib/site/out/sub", false},
		{"lib/site/rel-up", false},
		{"lib/site/missing", false},
	}
	for _, top := range []string{root, rootLink} {
		inside, err := realDirCheck(top)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			dir := filepath.Join(top, tc.dir)
			if got := inside(dir); got != tc.want {
				t.Errorf("root %s: inside(%s) = %v, want %v", top, tc.dir, got, tc.want)
			}
			// A second answer comes from the memo: the same.
			if got := inside(dir); got != tc.want {
				t.Errorf("root %s: inside(%s) again = %v, want %v", top, tc.dir, got, tc.want)
			}
		}
		made := filepath.Join(top, "lib/site/made-later")
		if inside(made) {
			t.Errorf("%s: a missing directory is inside", made)
		}
		if err := os.Mkdir(made, 0o755); err != nil {
			t.Fatal(err)
		}
		if !inside(made) {
			t.Errorf("%s: inside once made is false (a failure was remembered)", made)
		}
		os.Remove(made)
	}
}
