//go:build !unix

package pip

import "io/fs"

// inodeOf is 0 where there are no inode numbers: the time stamp decides.
func inodeOf(fs.FileInfo) uint64 { return 0 }
