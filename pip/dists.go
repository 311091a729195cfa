package pip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/pipup/pipup/pypi/pep508"
)

// Dist is one installed distribution as `pip list` reports it.
type Dist struct {
	Name           string // METADATA Name as written (the canonical name if Name is missing)
	Canonical      string // PEP 503 normalised name
	Version        string // raw METADATA Version (the one in the directory name if Version is missing)
	Location       string // the sys.path entry it was found in
	Path           string // the .dist-info / .egg-info directory (or file), or the .egg
	Format         string // "dist-info", "egg-info" or "egg"
	Installer      string // first non-empty line of INSTALLER
	Summary        string
	RequiresPython string
	RequiresDist   []string
	ProvidesExtra  []string // Provides-Extra as written (from requires.txt for egg-info without it)
	HasRecord      bool
	DirectURL      *DirectURL // parsed direct_url.json (PEP 610), nil if absent or invalid
	// Editable is set, as pip decides it, for a local editable direct_url.json
	// or, when there is no direct_url.json, for a <name>.egg-link file in any
	// sys.path directory (legacy `setup.py develop`).
	Editable bool
}

// stdlibDists are never listed by pip (pip._internal.utils.compat.stdlib_pkgs).
var stdlibDists = map[string]bool{"python": true, "wsgiref": true, "argparse": true}

// wheelFile is pip's Wheel.wheel_file_re, used to skip .whl files on sys.path.
var wheelFile = regexp.MustCompile(`(?i)^(?:[^\s-]+?)-(?:[^\s-]*?)(?:-\d[^-]*?)?-(?:.+?)-(?:.+?)-(?:.+?)\.whl$`)

// candidate is a metadata location found while walking sys.path, before its
// files are read.
type candidate struct {
	location string // sys.path entry
	path     string // info dir/file, or the .egg
	format   string
	dirName  string // canonical name from the directory name, "" if it has none
	dirVer   string // version from a .dist-info directory name
	zipEgg   bool   // path is a zipped egg
	eggInfo  string // EGG-INFO dir inside an unzipped egg
	linked   bool   // found through an .egg-link
	deduped  bool   // subject to first-name-wins (eggs are not, in pip)

	d   Dist
	err error
}

// InstalledDists lists the distributions pip would list for the interpreter,
// reading metadata from disk. It follows pip 24.2's importlib backend: each
// sys.path entry in order; in it the *.dist-info and *.egg-info entries, then
// *.egg eggs, then *.egg-link targets; the first distribution of a canonical
// name wins; pip's stdlib names and invalid names are left out.
func InstalledDists(in *Interpreter) ([]Dist, error) {
	return installedDists(in, max(4, 2*runtime.GOMAXPROCS(0)))
}

func installedDists(in *Interpreter, workers int) ([]Dist, error) {
	if in == nil {
		return nil, errors.New("installed distributions: no interpreter")
	}
	var cands []*candidate
	eggLinks := map[string]bool{} // "<dir>/<name>.egg-link" files on sys.path
	for _, loc := range in.SysPath {
		cands = append(cands, scanLocation(loc, eggLinks)...)
	}
	readAll(cands, workers)

	found := map[string]bool{}
	var dists []Dist
	for _, c := range cands {
		if c.err != nil {
			continue // unreadable or nameless metadata: pip skips (or crashes on) these
		}
		d := c.d
		if c.deduped {
			if found[d.Canonical] {
				continue
			}
			found[d.Canonical] = true
		}
		// pip drops names outside PEP 508's pattern, such as the
		// "~atplotlib.dist-info" an interrupted install leaves.
		if !pep508.ValidName(d.Canonical) || stdlibDists[d.Canonical] {
			continue
		}
		if d.DirectURL != nil {
			d.Editable = d.DirectURL.Editable && strings.HasPrefix(d.DirectURL.URL, "file:")
		} else {
			d.Editable = hasEggLink(in.SysPath, eggLinks, d.Name)
		}
		dists = append(dists, d)
	}
	return dists, nil
}

// scanLocation lists the candidates of one sys.path entry in pip's order.
func scanLocation(loc string, eggLinks map[string]bool) []*candidate {
	fi, err := os.Stat(loc)
	if err != nil {
		return nil
	}
	if !fi.IsDir() {
		return scanZipLocation(loc)
	}
	names := readDirNames(loc)
	var infos, eggs, links []*candidate
	baseIsEgg := strings.HasSuffix(strings.ToLower(filepath.Base(loc)), ".egg")
	for _, name := range names {
		low := strings.ToLower(name)
		p := filepath.Join(loc, name)
		switch {
		case strings.HasSuffix(low, ".dist-info"):
			stem := name[:len(name)-len(".dist-info")]
			n, v, ok := strings.Cut(stem, "-")
			if !ok {
				n, v = "", ""
			}
			infos = append(infos, &candidate{location: loc, path: p, format: "dist-info", dirName: canonicalOrEmpty(n), dirVer: v, deduped: true})
		case strings.HasSuffix(low, ".egg-info"):
			stem := name[:len(name)-len(".egg-info")]
			n, _, _ := strings.Cut(stem, "-")
			infos = append(infos, &candidate{location: loc, path: p, format: "egg-info", dirName: canonicalOrEmpty(n), deduped: true})
		case baseIsEgg && low == "egg-info":
			// An unzipped egg on sys.path: importlib.metadata finds its EGG-INFO.
			infos = append(infos, &candidate{location: loc, path: loc, eggInfo: p, format: "egg", deduped: true})
		case strings.HasSuffix(name, ".egg"):
			eggs = append(eggs, eggCandidate(loc, p))
		case strings.HasSuffix(name, ".egg-link"):
			eggLinks[p] = true
			links = append(links, linkedCandidates(loc, p, eggLinks)...)
		}
	}
	out := append(infos, eggs...)
	return append(out, links...)
}

// readDirNames returns the names in directory order, as os.listdir does:
// within one directory pip keeps the first of two same-named distributions
// in that order, so sorting here would change which one wins.
func readDirNames(dir string) []string {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return names
}

func canonicalOrEmpty(n string) string {
	if n == "" {
		return ""
	}
	return canonicalName(n)
}

// eggCandidate is a *.egg directory or zip inside a sys.path directory, which
// pip 24.2 still lists (deprecated) through pkg_resources, without the
// first-name-wins check.
func eggCandidate(loc, p string) *candidate {
	c := &candidate{location: loc, path: p, format: "egg"}
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		c.zipEgg = true
	} else {
		c.eggInfo = filepath.Join(p, "EGG-INFO")
	}
	return c
}

// linkedCandidates follows one .egg-link: its first non-empty line is a
// directory (relative to loc) searched like a sys.path entry.
func linkedCandidates(loc, link string, eggLinks map[string]bool) []*candidate {
	data, err := os.ReadFile(link)
	if err != nil {
		return nil
	}
	target := ""
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			target = line
			break
		}
	}
	if target == "" {
		return nil
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(loc, target)
	}
	fi, err := os.Stat(target)
	if err != nil || !fi.IsDir() {
		return nil
	}
	var out []*candidate
	for _, name := range readDirNames(target) {
		low := strings.ToLower(name)
		var c *candidate
		switch {
		case strings.HasSuffix(low, ".dist-info"):
			n, v, ok := strings.Cut(name[:len(name)-len(".dist-info")], "-")
			if !ok {
				n, v = "", ""
			}
			c = &candidate{format: "dist-info", dirName: canonicalOrEmpty(n), dirVer: v}
		case strings.HasSuffix(low, ".egg-info"):
			n, _, _ := strings.Cut(name[:len(name)-len(".egg-info")], "-")
			c = &candidate{format: "egg-info", dirName: canonicalOrEmpty(n)}
		default:
			continue
		}
		c.location, c.path, c.linked, c.deduped = loc, filepath.Join(target, name), true, true
		out = append(out, c)
	}
	return out
}

// scanZipLocation handles a zip file on sys.path: a wheel is skipped, as pip
// does; a zipped egg is listed.
func scanZipLocation(loc string) []*candidate {
	base := filepath.Base(loc)
	if strings.HasSuffix(strings.ToLower(base), ".whl") && wheelFile.MatchString(base) {
		return nil
	}
	if !strings.HasSuffix(strings.ToLower(base), ".egg") {
		return nil
	}
	return []*candidate{{location: loc, path: loc, format: "egg", zipEgg: true, deduped: true}}
}

// readAll fills in every candidate's Dist, a few files at a time: the work
// is small open/read/stat calls, which overlap well.
func readAll(cands []*candidate, workers int) {
	if len(cands) < 32 {
		workers = 1 // not worth the goroutines
	}
	if workers <= 1 {
		for _, c := range cands {
			c.d, c.err = readCandidate(c)
		}
		return
	}
	workers = min(workers, len(cands))
	next := make(chan *candidate)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				c.d, c.err = readCandidate(c)
			}
		}()
	}
	for _, c := range cands {
		next <- c
	}
	close(next)
	wg.Wait()
}

// readCandidate reads a distribution's metadata header, INSTALLER,
// direct_url.json and checks for RECORD.
func readCandidate(c *candidate) (Dist, error) {
	d := Dist{Location: c.location, Path: c.path, Format: c.format}
	var md Metadata
	var err error
	switch {
	case c.zipEgg:
		md, err = readZipEgg(c.path)
	case c.eggInfo != "":
		md, err = readMetadataFile(filepath.Join(c.eggInfo, "PKG-INFO"))
		if err == nil {
			addRequiresTxt(&md, requiresTxtIn(c.eggInfo))
		}
	default:
		md, err = readInfo(c.path)
		if err == nil && c.format == "egg-info" {
			addRequiresTxt(&md, requiresTxtIn(c.path))
		}
	}
	if err != nil {
		return d, err
	}
	d.Canonical = c.dirName
	if d.Canonical == "" {
		d.Canonical = canonicalName(md.Name)
	}
	d.Name = md.Name
	if d.Name == "" {
		d.Name = d.Canonical
	}
	d.Version = md.Version
	if d.Version == "" {
		d.Version = c.dirVer
	}
	if d.Canonical == "" || d.Version == "" {
		return d, fmt.Errorf("%s: no name or version", c.path)
	}
	d.Summary, d.RequiresPython, d.RequiresDist = md.Summary, md.RequiresPython, md.RequiresDist
	d.ProvidesExtra = md.ProvidesExtra
	if c.zipEgg {
		return d, nil
	}
	info := c.path
	if c.eggInfo != "" {
		info = c.eggInfo
	}
	d.Installer = readFirstLine(filepath.Join(info, "INSTALLER"))
	if b, err := readSmallFile(filepath.Join(info, "direct_url.json")); err == nil {
		d.DirectURL, _ = parseDirectURL(b) // invalid: ignored, as pip does
	}
	if fi, err := os.Stat(filepath.Join(info, "RECORD")); err == nil && fi.Mode().IsRegular() {
		d.HasRecord = true
	}
	return d, nil
}

// eggLinkName is pkg_resources' safe_name applied to a project name, as
// pip's _egg_link_names uses it.
var eggLinkUnsafe = regexp.MustCompile(`[^A-Za-z0-9.]+`)

// hasEggLink reports whether pip's egg_link_path_from_sys_path finds an
// .egg-link for the project. eggLinks holds the ones seen while scanning;
// entries of sys.path that were not scanned as directories have none.
func hasEggLink(sysPath []string, eggLinks map[string]bool, rawName string) bool {
	if len(eggLinks) == 0 {
		return false
	}
	names := []string{eggLinkUnsafe.ReplaceAllString(rawName, "-") + ".egg-link", rawName + ".egg-link"}
	for _, dir := range sysPath {
		for _, n := range names {
			if eggLinks[filepath.Join(dir, n)] {
				return true
			}
		}
	}
	return false
}
