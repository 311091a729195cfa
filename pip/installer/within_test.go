package installer

import (
	"path/filepath"
	"testing"
)

func TestWithin(t *testing.T) {
	root := filepath.FromSlash("/env")
	tests := []struct {
		name   string
		dir, p string
		want   bool
	}{
		{"the folder itself", root, root, true},
		{"below", root, filepath.FromSlash("/env/lib/x.py"), true},
		{"uncleaned, below", root + string(filepath.Separator), filepath.FromSlash("/env/./lib/../bin/x"), true},
		{"beside, sharing a prefix", root, filepath.FromSlash("/envx/lib"), false},
		{"above", root, filepath.FromSlash("/"), false},
		{"out through ..", root, filepath.FromSlash("/env/../etc/passwd"), false},
		{"a name starting with ..", root, filepath.FromSlash("/env/..data"), true},
		// The pip package's copy refused these; this one said a relative
		// path is inside "" (cleaned to ".").
		{"empty folder", "", filepath.FromSlash("lib/x.py"), false},
		{"empty folder, absolute path", "", root, false},
		{"empty path", root, "", false},
		{"both empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Within(tt.dir, tt.p); got != tt.want {
				t.Errorf("Within(%q, %q) = %t, want %t", tt.dir, tt.p, got, tt.want)
			}
		})
	}
}
