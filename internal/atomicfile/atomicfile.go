// Package atomicfile replaces a file so that a crash leaves the old
// content or the new, never part of either.
//
// It is written here rather than taken from github.com/google/renameio/v2:
// renameio builds only on Unix (every file is //go:build !windows, and its
// maybe.WriteFile falls back to a plain, non-atomic os.WriteFile on
// Windows), while pipup builds for Windows too, where os.Rename replaces
// the target with MoveFileEx(MOVEFILE_REPLACE_EXISTING).
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to a new file beside path, syncs it, gives it
// exactly perm (not narrowed by the umask: the caller decides, e.g. to
// keep the mode of the file it replaces) and renames it over path, then
// syncs the folder so that the rename itself survives a crash. The
// folder must exist. On failure path is untouched and no temporary file
// is left behind.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm.Perm())
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Best effort: some systems (Windows) cannot open a folder to sync it.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
