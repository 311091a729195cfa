package pip

import (
	"os"
	"slices"
	"sync"
	"time"
)

// racyMargin is how recent a sys.path entry's modification may be for a
// read of it to be kept: file systems stamp times from a coarse clock (a
// few ms on ext4, 2 s on FAT), so an entry changed within that much of the
// read could change again with the same time stamp. Such a read is used
// once and not kept, as git does with racily clean index entries.
const racyMargin = 2 * time.Second

// distsMemo is the Env's last reading of its installed distributions,
// kept so that one run's scan, plan and upgrade read every METADATA,
// INSTALLER and direct_url.json once, not once each.
type distsMemo struct {
	mu    sync.Mutex
	dists []Dist
	stamp []pathStamp // the sys.path entries as they were before that read
	kept  bool
}

// pathStamp is what a sys.path entry's stat says of its contents: adding,
// removing or renaming a distribution's directory (which is how pip and
// the native installer change an environment) changes its directory's
// modification time.
type pathStamp struct {
	mtime int64 // UnixNano; 0 when the entry is missing
	size  int64
	ino   uint64
}

// installedDists is InstalledDists for the Env's interpreter, read again
// only when a sys.path entry changed since the last read (or forgetDists
// was called). The slice is the caller's; the Dists' own slices are
// shared and must not be changed.
func (e *Env) installedDists() ([]Dist, error) {
	m := &e.distsMemo
	m.mu.Lock()
	defer m.mu.Unlock()
	start := time.Now()
	stamp := stampPaths(e.Interp.SysPath)
	if m.kept && slices.Equal(stamp, m.stamp) {
		return slices.Clone(m.dists), nil
	}
	dists, err := InstalledDists(e.Interp)
	m.dists, m.stamp, m.kept = nil, nil, false
	if err != nil {
		return nil, err
	}
	if !racy(stamp, start) {
		m.dists, m.stamp, m.kept = dists, stamp, true
	}
	return slices.Clone(dists), nil
}

// forgetDists drops the kept reading: the Env itself just changed the
// environment (an install, a recovery), so the next read is fresh even if
// the time stamps could not tell.
func (e *Env) forgetDists() {
	m := &e.distsMemo
	m.mu.Lock()
	m.dists, m.stamp, m.kept = nil, nil, false
	m.mu.Unlock()
}

func stampPaths(paths []string) []pathStamp {
	out := make([]pathStamp, len(paths))
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		out[i] = pathStamp{mtime: fi.ModTime().UnixNano(), size: fi.Size(), ino: inodeOf(fi)}
	}
	return out
}

// racy reports whether an entry was modified so close to start that a
// later change could leave the same stamp.
func racy(stamp []pathStamp, start time.Time) bool {
	limit := start.Add(-racyMargin).UnixNano()
	for _, s := range stamp {
		if s.mtime > limit {
			return true
		}
	}
	return false
}
