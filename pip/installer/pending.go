package installer

import (
	"fmt"
	"os"
	"path/filepath"
)

// Pending lists the staging directories under root that an install left:
// one killed mid-way (Recover finishes or undoes it), or one running now
// in another process. It only looks: commands that must not write (a
// listing, a dry run) use it to say that what they read may be
// half-swapped, where Recover would take the staging directories' locks
// and move files.
func Pending(root string) ([]string, error) {
	dirs, err := filepath.Glob(filepath.Join(root, stagePrefix+"*"))
	if err != nil {
		return nil, fmt.Errorf("look for interrupted installs in %s: %w", root, err)
	}
	var out []string
	for _, d := range dirs {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	return out, nil
}
