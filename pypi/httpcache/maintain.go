package httpcache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Use time: an entry's last use is its file's modification time. A hit
// touches it and a store writes a new file. atime would be free but is
// unreliable (noatime, relatime), and nothing else reads the mtime:
// freshness lives in the entry's own metadata.

// tmpMaxAge is how old a temp file must be before anyone removes it: a
// younger one may be an entry another pipup process is writing right now.
const tmpMaxAge = time.Hour

// Info describes what a cache directory holds.
type Info struct {
	Dir   string
	Bytes int64 // entries and temp files together
	// Pages are index pages and JSON documents; Files are everything else
	// (wheels, source archives, metadata files).
	Pages, Files int
	Corrupt      int // entries whose trailer is damaged (refetched on use)
	Temp         int // entries being written, or left by a killed run
	// Oldest and Newest are the least and most recent use of an entry;
	// zero when the cache is empty.
	Oldest, Newest time.Time
}

// Entries is Pages + Files + Corrupt.
func (i Info) Entries() int { return i.Pages + i.Files + i.Corrupt }

// Removed counts what Clean or Evict deleted.
type Removed struct {
	Entries int // entries and temp files
	Bytes   int64
}

// file is one file of the cache as a walk saw it.
type file struct {
	path string
	info fs.FileInfo
	temp bool
}

// walk lists the entry and temp files under dir (dir/xx/…). Files that
// vanish during the walk (another process evicting) are skipped; a missing
// dir is an empty cache.
func walk(dir string) ([]file, error) {
	tops, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cache: %w", err)
	}
	var out []file
	for _, top := range tops {
		if !top.IsDir() || len(top.Name()) != 2 {
			continue
		}
		sub := filepath.Join(dir, top.Name())
		ents, err := os.ReadDir(sub)
		if err != nil {
			continue // removed meanwhile, or unreadable: not ours to judge
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			out = append(out, file{
				path: filepath.Join(sub, e.Name()),
				info: info,
				temp: strings.HasPrefix(e.Name(), tmpPrefix),
			})
		}
	}
	return out, nil
}

// Inspect reports what dir holds. It reads each entry's trailer (not its
// body), so it is cheap even for a large cache.
func Inspect(dir string) (Info, error) {
	files, err := walk(dir)
	info := Info{Dir: dir}
	if err != nil {
		return info, err
	}
	for _, f := range files {
		info.Bytes += f.info.Size()
		if f.temp {
			info.Temp++
			continue
		}
		if mt := f.info.ModTime(); info.Oldest.IsZero() || mt.Before(info.Oldest) {
			info.Oldest = mt
		}
		if mt := f.info.ModTime(); mt.After(info.Newest) {
			info.Newest = mt
		}
		m, err := readMeta(f.path)
		switch {
		case err != nil:
			info.Corrupt++
		case isPage(m):
			info.Pages++
		default:
			info.Files++
		}
	}
	return info, nil
}

// isPage tells index pages and JSON documents from downloaded files.
func isPage(m *meta) bool {
	ct := strings.ToLower(m.Header.Get("Content-Type"))
	return strings.Contains(ct, "html") || strings.Contains(ct, "json")
}

// readMeta reads an entry's metadata without checking its body.
func readMeta(path string) (*meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < footerLen {
		return nil, errCorrupt
	}
	var foot [footerLen]byte
	if _, err := f.ReadAt(foot[:], st.Size()-footerLen); err != nil {
		return nil, errCorrupt
	}
	if binary.LittleEndian.Uint32(foot[0:4]) > 1<<20 {
		return nil, errCorrupt // no real trailer is that large
	}
	return decodeMeta(foot[:], func(off, n int64) ([]byte, error) {
		b := make([]byte, n)
		_, err := f.ReadAt(b, off)
		return b, err
	}, st.Size())
}

// Clean removes the entries not used for olderThan before now (every entry
// when olderThan is 0), damaged entries, and temp files left by runs that
// were killed. Temp files younger than an hour are kept: another pipup may
// be writing them.
func Clean(dir string, olderThan time.Duration, now time.Time) (Removed, error) {
	files, err := walk(dir)
	var r Removed
	if err != nil {
		return r, err
	}
	cutoff := now.Add(-olderThan)
	for _, f := range files {
		var drop bool
		switch {
		case f.temp:
			drop = now.Sub(f.info.ModTime()) > tmpMaxAge
		case olderThan <= 0 || f.info.ModTime().Before(cutoff):
			drop = true
		default:
			_, err := readMeta(f.path)
			drop = errors.Is(err, errCorrupt)
		}
		if drop && removeUnchanged(f) {
			r.Entries++
			r.Bytes += f.info.Size()
		}
	}
	return r, nil
}

// Evict removes the least recently used entries until dir holds at most
// maxBytes (no bound when maxBytes <= 0). Temp files count towards the
// total, but only those left by killed runs are removed.
func Evict(dir string, maxBytes int64, now time.Time) (Removed, error) {
	var r Removed
	if maxBytes <= 0 {
		return r, nil
	}
	files, err := walk(dir)
	if err != nil {
		return r, err
	}
	var total int64
	for _, f := range files {
		total += f.info.Size()
	}
	if total <= maxBytes {
		return r, nil
	}
	// Leftover temp files first, then entries from the least recent use.
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].temp != files[j].temp {
			return files[i].temp
		}
		return files[i].info.ModTime().Before(files[j].info.ModTime())
	})
	for _, f := range files {
		if total <= maxBytes {
			break
		}
		if f.temp && now.Sub(f.info.ModTime()) <= tmpMaxAge {
			continue
		}
		if removeUnchanged(f) {
			r.Entries++
			r.Bytes += f.info.Size()
		}
		// Gone also when another process removed it first; a file that was
		// used or replaced meanwhile stays and still counts.
		if _, err := os.Lstat(f.path); errors.Is(err, fs.ErrNotExist) {
			total -= f.info.Size()
		}
	}
	return r, nil
}

// removeUnchanged removes f unless the file at its path was replaced or
// used since the walk saw it (another process stored or read it
// meanwhile). A file already gone is not an error: concurrent cleaners
// race for the same files.
func removeUnchanged(f file) bool {
	now, err := os.Lstat(f.path)
	if err != nil || !os.SameFile(now, f.info) || !now.ModTime().Equal(f.info.ModTime()) {
		return false
	}
	return os.Remove(f.path) == nil
}

// Holds reports whether dir has an entry for a plain GET of rawURL (the
// request a download makes) whose trailer is intact; its body is checked
// when it is read. Userinfo in rawURL is ignored, as in the cache's keys.
func Holds(dir, rawURL string) bool {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil || dir == "" {
		return false
	}
	m, err := readMeta((&Transport{Dir: dir}).keyPath(req))
	return err == nil && m.Status == http.StatusOK
}
