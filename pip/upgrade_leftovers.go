package pip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pipup/pipup/pip/installer"
)

// Leftover is damage an interrupted or crashed pip run can leave in an
// environment, with the command that repairs it.
type Leftover struct {
	Path    string
	Problem string // one line
	Fix     string // a command or action
}

func (l Leftover) String() string { return l.Problem + "; fix: " + l.Fix }

// envDirs are the environment's own package directories: its
// site-packages and the sys.path entries inside its prefix.
func envDirs(in *Interpreter) []string {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		d = filepath.Clean(d)
		if seen[d] {
			return
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return
		}
		seen[d] = true
		out = append(out, d)
	}
	for _, d := range in.SitePackages {
		add(d)
	}
	prefix := filepath.Clean(in.Prefix) + string(filepath.Separator)
	for _, d := range in.SysPath {
		if strings.HasPrefix(filepath.Clean(d)+string(filepath.Separator), prefix) && strings.Contains(d, "-packages") {
			add(d)
		}
	}
	return out
}

// FindLeftovers looks for what pip leaves behind when it stops mid-install:
// "~"-prefixed directories (pip moves a package's files aside under such a
// name while it replaces it), projects with two .dist-info directories, and
// .dist-info directories whose RECORD lists files that are gone. only, when
// not empty, limits the RECORD check to those canonical names; the other
// two checks always cover the whole environment.
func FindLeftovers(in *Interpreter, only ...string) []Leftover {
	want := map[string]bool{}
	for _, n := range only {
		want[canonicalName(n)] = true
	}
	python := in.Executable
	var out []Leftover
	for _, dir := range envDirs(in) {
		names := readDirNames(dir)
		sort.Strings(names)
		infos := map[string][]string{}
		for _, name := range names {
			p := filepath.Join(dir, name)
			if strings.HasPrefix(name, "~") {
				out = append(out, Leftover{
					Path:    p,
					Problem: fmt.Sprintf("%s was left by an interrupted pip run", p),
					Fix:     fmt.Sprintf("check that `%s -m pip check` passes, then remove %s", python, p),
				})
				continue
			}
			stem, ok := strings.CutSuffix(name, ".dist-info")
			if !ok {
				continue
			}
			n, v, _ := strings.Cut(stem, "-")
			c := canonicalName(n)
			infos[c] = append(infos[c], v)
			if len(want) > 0 && !want[c] {
				continue
			}
			if missing := missingRecordFiles(dir, p); len(missing) > 0 {
				out = append(out, Leftover{
					Path:    p,
					Problem: fmt.Sprintf("%s %s is half-installed: %d of the files its RECORD lists are missing (e.g. %s)", n, v, len(missing), missing[0]),
					Fix:     fmt.Sprintf("%s -m pip install --force-reinstall --no-deps %s==%s", python, n, v),
				})
			}
		}
		for c, vs := range infos {
			if len(vs) > 1 {
				sort.Strings(vs)
				out = append(out, Leftover{
					Path:    dir,
					Problem: fmt.Sprintf("%s has %d .dist-info directories in %s (versions %s)", c, len(vs), dir, strings.Join(vs, ", ")),
					Fix:     fmt.Sprintf("%s -m pip install --force-reinstall --no-deps %s==%s", python, c, vs[len(vs)-1]),
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// missingRecordFiles lists the files RECORD names that do not exist,
// reading RECORD as the native installer does (installer.ReadRecord), so a
// RECORD it would refuse to upgrade or remove by is reported too.
// Compiled files are not checked: they are routinely cleaned away.
func missingRecordFiles(dir, info string) []string {
	f, err := os.Open(filepath.Join(info, "RECORD"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil // no RECORD: nothing to check against (and such dists are never upgraded)
		}
		return []string{"RECORD (" + err.Error() + ")"}
	}
	defer f.Close()
	rows, err := installer.ReadRecord(f)
	if err != nil {
		return []string{"RECORD (unreadable: " + err.Error() + ")"}
	}
	var missing []string
	for _, row := range rows {
		if strings.HasSuffix(row.Path, ".pyc") {
			continue
		}
		p := row.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			missing = append(missing, row.Path)
		}
	}
	return missing
}
