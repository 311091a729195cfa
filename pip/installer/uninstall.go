package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// removal is what replacing an installed distribution removes, as pip's
// uninstall computes it (req_uninstall.py): every path its RECORD lists,
// for each .py file the .pyc/.pyo beside it and its __pycache__ entry for
// this interpreter, only those that exist; and the directories pip would
// remove whole because every file under them is in that set (pip's
// compress_for_rename), which are pruned of what is left empty once the
// new version is in place.
type removal struct {
	files []string // absolute, existing, sorted
	dirs  []string // absolute, deepest first
}

// oldRemoval reads the RECORD of the installed .dist-info directory
// distInfo. A RECORD path that leaves the environment is refused: pip
// skips such a path, but a RECORD like that is a broken or hostile one and
// the package is not touched. inside is realDirCheck's test for t.Root.
func oldRemoval(t *Target, distInfo string, inside func(string) bool) (*removal, error) {
	distInfo = filepath.Clean(distInfo)
	if !Within(t.Root, distInfo) {
		return nil, fmt.Errorf("installed distribution %s is outside the environment %s", distInfo, t.Root)
	}
	f, err := os.Open(filepath.Join(distInfo, "RECORD"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cannot uninstall %s: RECORD file not found", filepath.Base(distInfo))
	}
	if err != nil {
		return nil, fmt.Errorf("cannot uninstall %s: %w", filepath.Base(distInfo), err)
	}
	rows, err := ReadRecord(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("cannot uninstall %s: %w", filepath.Base(distInfo), err)
	}
	location := filepath.Dir(distInfo)
	set := map[string]bool{}
	add := func(p string) error {
		if set[p] {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.IsDir() {
			return nil // gone already, or a directory: pip's set holds files
		}
		// A symlinked parent could lead outside: check where it really is.
		if !inside(filepath.Dir(p)) {
			return fmt.Errorf("RECORD of %s lists %s, which resolves outside the environment %s: refused", filepath.Base(distInfo), p, t.Root)
		}
		set[p] = true
		return nil
	}
	for _, row := range rows {
		p := filepath.Join(location, filepath.FromSlash(row.Path))
		if filepath.IsAbs(filepath.FromSlash(row.Path)) {
			p = filepath.Clean(row.Path)
		}
		if !Within(t.Root, p) {
			return nil, fmt.Errorf("RECORD of %s lists %q, outside the environment %s: refused", filepath.Base(distInfo), row.Path, t.Root)
		}
		if err := add(p); err != nil {
			return nil, err
		}
		if strings.HasSuffix(p, ".py") {
			dir, base := filepath.Split(p)
			stem := strings.TrimSuffix(base, ".py")
			for _, q := range []string{filepath.Join(dir, stem+".pyc"), filepath.Join(dir, stem+".pyo")} {
				if err := add(q); err != nil {
					return nil, err
				}
			}
			if t.CacheTag != "" {
				if err := add(filepath.Join(dir, "__pycache__", stem+"."+t.CacheTag+".pyc")); err != nil {
					return nil, err
				}
			}
		}
	}
	// pip also removes the wrappers of the old version's entry points,
	// listed in RECORD or not (req_uninstall.py, _script_names).
	if b, err := os.ReadFile(filepath.Join(distInfo, "entry_points.txt")); err == nil {
		console, gui, _ := parseEntryPoints(string(b))
		for _, ep := range append(console, gui...) {
			p := filepath.Join(t.Scheme.Scripts, ep.Name)
			if ep.Name == "" || strings.ContainsAny(ep.Name, `/\`) || ep.Name == "." || ep.Name == ".." || !Within(t.Scheme.Scripts, p) {
				continue
			}
			if err := add(p); err != nil {
				return nil, err
			}
		}
	}
	r := &removal{}
	for p := range set {
		r.files = append(r.files, p)
	}
	sort.Strings(r.files)
	r.dirs = wholeDirs(set, t)
	return r, nil
}

// wholeDirs is pip's compress_for_rename wildcard test: each directory
// holding a removed file, shortest first, unless below one already taken,
// is taken when every file under it is being removed.
func wholeDirs(set map[string]bool, t *Target) []string {
	parents := map[string]bool{}
	for p := range set {
		parents[filepath.Dir(p)] = true
	}
	var unchecked []string
	for d := range parents {
		unchecked = append(unchecked, d)
	}
	sort.Slice(unchecked, func(i, j int) bool {
		if len(unchecked[i]) != len(unchecked[j]) {
			return len(unchecked[i]) < len(unchecked[j])
		}
		return unchecked[i] < unchecked[j]
	})
	protected := map[string]bool{filepath.Clean(t.Root): true}
	for _, d := range t.schemeDirs() {
		protected[filepath.Clean(d)] = true
	}
	var taken []string
	for _, root := range unchecked {
		under := false
		for _, w := range taken {
			if Within(w, root) {
				under = true
				break
			}
		}
		if under || protected[root] || !Within(t.Root, root) {
			continue
		}
		all := true
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				all = false
				return filepath.SkipAll
			}
			if !d.IsDir() && !set[p] {
				all = false
				return filepath.SkipAll
			}
			return nil
		})
		if all {
			taken = append(taken, root)
		}
	}
	sort.Slice(taken, func(i, j int) bool { return len(taken[i]) > len(taken[j]) })
	return taken
}

// pruneEmpty removes the empty directories under dir, dir included,
// deepest first. What holds a file stays.
func pruneEmpty(dir string) {
	// Most often dir was left empty (an old version's .dist-info): one
	// rmdir does it, without reading the tree. Only one still holding
	// something is walked for emptied directories below it.
	if err := rmdir(dir); err == nil || errors.Is(err, fs.ErrNotExist) {
		return
	}
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = rmdir(dirs[i]) // fails, harmlessly, on a directory that is not empty
	}
}
