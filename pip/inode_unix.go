//go:build unix

package pip

import (
	"io/fs"
	"syscall"
)

// inodeOf tells a directory replaced by another of the same time stamp.
func inodeOf(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
