package pypi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/pipup/pipup/pypi/pep440"
	"golang.org/x/sync/errgroup"
)

// Target describes the interpreter that candidates are chosen for.
type Target struct {
	// PythonVersion is the interpreter's full version ("3.11.7"), checked
	// against each file's Requires-Python as pip does.
	PythonVersion pep440.Version
	// PyVersion is "major.minor" ("3.11"), checked against the legacy
	// "-py3.11" suffix of source archive names.
	PyVersion string
	Tags      TagSet
}

// Candidate is an installable file of one version of a project.
type Candidate struct {
	Version pep440.Version
	File    File
	Wheel   bool
	// Uploaded is the earliest known upload time (PEP 700) among the files
	// of this version that were considered, wherever they came from: when
	// the version was released, as an index's release date says. Zero when
	// no source gave a time.
	Uploaded time.Time

	priority int      // pip's tag preference: higher is better
	build    buildTag // wheel build tag
}

// FileType is "wheel" or "sdist", as pip list reports it.
func (c Candidate) FileType() string {
	if c.Wheel {
		return "wheel"
	}
	return "sdist"
}

// buildTag is a wheel build tag split as pip splits it: leading digits, rest.
type buildTag struct {
	set  bool
	num  string // digits without leading zeros
	rest string
}

func (b buildTag) compare(o buildTag) int {
	switch {
	case b.set != o.set:
		if b.set {
			return 1
		}
		return -1
	case !b.set:
		return 0
	}
	if c := compareDigits(b.num, o.num); c != 0 {
		return c
	}
	return strings.Compare(b.rest, o.rest)
}

func compareDigits(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// better reports whether c sorts above o in pip's CandidateEvaluator._sort_key
// (version, then tag priority, then build tag). Yanked files never get here
// (pip's `list` drops them), and no hashes are required, so those parts of
// the key are equal for every candidate.
func (c *Candidate) better(o *Candidate) bool {
	if v := c.Version.Compare(o.Version); v != 0 {
		return v > 0
	}
	if c.priority != o.priority {
		return c.priority > o.priority
	}
	return c.build.compare(o.build) > 0
}

// pyVersionSuffix is pip's LinkEvaluator._py_version_re.
var pyVersionSuffix = regexp.MustCompile(`-py([123]\.?[0-9]?)$`)

// evaluate is pip's LinkEvaluator.evaluate_link followed by the candidate's
// version parse: it returns the candidate a file offers for the project, or
// ok=false when pip would not consider the file.
func (t *Target) evaluate(canonical string, f File, allowPre bool) (Candidate, bool) {
	if f.Yanked {
		return Candidate{}, false
	}
	stem, ext := SplitArchiveExt(f.Filename)
	if ext == "" || !IsSupportedArchive(ext) {
		return Candidate{}, false
	}
	c := Candidate{File: f, Uploaded: f.UploadTime}
	var version string
	if ext == ".whl" {
		w, err := ParseWheelFilename(f.Filename)
		if err != nil || Normalize(w.Name) != canonical {
			return Candidate{}, false
		}
		pri, ok := t.Tags.Priority(w)
		if !ok {
			return Candidate{}, false
		}
		// pip negates the index of the most preferred tag: earlier is better.
		c.Wheel, c.priority, version = true, -pri, w.Version
		if w.Build != "" {
			c.build = splitBuildTag(w.Build)
		}
	} else {
		if ext == ".zip" && strings.Contains(urlPath(f.URL), "macosx10") {
			return Candidate{}, false
		}
		v, ok := SdistVersion(stem, canonical)
		if !ok {
			return Candidate{}, false
		}
		version = v
		c.priority = -t.Tags.Len()
	}
	if m := pyVersionSuffix.FindStringSubmatchIndex(version); m != nil {
		if version[m[2]:m[3]] != t.PyVersion {
			return Candidate{}, false
		}
		version = version[:m[0]]
	}
	if f.RequiresPython != "" {
		// An invalid Requires-Python counts as compatible, as in pip.
		if spec, err := pep440.ParseSpecifierSet(f.RequiresPython); err == nil && !spec.Contains(t.PythonVersion) {
			return Candidate{}, false
		}
	}
	v, err := pep440.Parse(version)
	if err != nil {
		return Candidate{}, false
	}
	if !allowPre && v.IsPrerelease() {
		return Candidate{}, false
	}
	c.Version = v
	return c, true
}

func splitBuildTag(s string) buildTag {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	num := strings.TrimLeft(s[:i], "0")
	return buildTag{set: true, num: num, rest: s[i:]}
}

func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

// picker keeps the best candidate seen so far; on a tie the first one stays,
// as with Python's max().
type picker struct {
	best  *Candidate
	found bool // some file of the project was listed
	// byVersion, when not nil, also keeps the best file of every version,
	// keyed by the normalised version string.
	byVersion map[string]*Candidate
	order     []string // byVersion's keys, first seen first, so ties stay stable
}

func newPicker(all bool) picker {
	if all {
		return picker{byVersion: make(map[string]*Candidate)}
	}
	return picker{}
}

func (p *picker) offer(c Candidate) {
	if p.best == nil || c.better(p.best) {
		cc := c
		if p.best != nil && p.best.Version.Compare(c.Version) == 0 {
			cc.Uploaded = Earliest(cc.Uploaded, p.best.Uploaded)
		}
		p.best = &cc
	} else if p.best.Version.Compare(c.Version) == 0 {
		p.best.Uploaded = Earliest(p.best.Uploaded, c.Uploaded)
	}
	if p.byVersion != nil {
		k := c.Version.String()
		old := p.byVersion[k]
		if old == nil {
			p.order = append(p.order, k)
		}
		if old == nil || c.better(old) {
			cc := c
			if old != nil {
				cc.Uploaded = Earliest(cc.Uploaded, old.Uploaded)
			}
			p.byVersion[k] = &cc
		} else {
			old.Uploaded = Earliest(old.Uploaded, c.Uploaded)
		}
	}
}

// Earliest is the earlier of two upload times, a zero (unknown) one
// giving way to a known one.
func Earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// versions returns the best file of each version, highest version first.
// Versions that differ only in spelling ("1.0" and "1.0.0") are one version,
// represented by the better file, as pip's sort would pick.
func (p *picker) versions() []Candidate {
	list := make([]Candidate, 0, len(p.byVersion))
	for _, k := range p.order {
		list = append(list, *p.byVersion[k])
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].better(&list[j]) })
	out := list[:0]
	for _, c := range list {
		if len(out) > 0 && out[len(out)-1].Version.Compare(c.Version) == 0 {
			last := &out[len(out)-1]
			last.Uploaded = Earliest(last.Uploaded, c.Uploaded)
			continue
		}
		out = append(out, c)
	}
	return out
}

// Finder looks a project up on every configured source and picks the
// version pip's `list --outdated` would report.
type Finder struct {
	Client *Client
	// Indexes are Simple API base URLs: the index URL, then extra ones. Empty with --no-index.
	Indexes []string
	// FindLinks are local directories, HTML files or pages listing files.
	FindLinks []string
	Target    Target
}

// Result is what Find learned about one project.
type Result struct {
	// Best is the candidate pip would pick; nil when nothing is installable.
	Best *Candidate
	// Listed reports whether any source knows the project at all.
	Listed bool
	// Versions is set by FindAll only: the best installable file of every
	// version, highest version first (Versions[0] is Best).
	Versions []Candidate
}

// Find returns the best candidate for project across all sources. A 404
// from an index means the project is not there; any other failure of any
// source is an error, since an answer without that source could be wrong.
func (f *Finder) Find(ctx context.Context, project string, allowPre bool) (Result, error) {
	return f.find(ctx, project, allowPre, false)
}

// FindAll is Find that also returns every installable version with the
// file pip would pick for it, for callers that need the best version under
// extra constraints. Pages are still streamed: only one candidate per
// version is kept.
func (f *Finder) FindAll(ctx context.Context, project string, allowPre bool) (Result, error) {
	return f.find(ctx, project, allowPre, true)
}

func (f *Finder) find(ctx context.Context, project string, allowPre, keepAll bool) (Result, error) {
	canonical := Normalize(project)
	var res Result

	// pip evaluates find-links files before index pages, local files in
	// reverse URL order; ties keep the first, so the order matters.
	var local []File
	for _, loc := range f.FindLinks {
		files, err := f.Client.FindLinks(ctx, loc)
		if err != nil {
			return res, fmt.Errorf("find-links %s: %w", RedactURL(loc), err)
		}
		local = append(local, files...)
	}
	sort.SliceStable(local, func(i, j int) bool { return local[i].URL > local[j].URL })
	all := newPicker(keepAll)
	for _, file := range local {
		if c, ok := f.Target.evaluate(canonical, file, allowPre); ok {
			all.found = true
			all.offer(c)
		} else if nameMatches(file.Filename, canonical) {
			all.found = true
		}
	}

	// Index pages are fetched concurrently, then merged in configured order.
	pickers := make([]picker, len(f.Indexes))
	for i := range pickers {
		pickers[i] = newPicker(keepAll)
	}
	g, gctx := errgroup.WithContext(ctx)
	for i, index := range f.Indexes {
		g.Go(func() error {
			p := &pickers[i]
			err := f.Client.ProjectFiles(gctx, index, canonical, func(file File) error {
				p.found = true
				if c, ok := f.Target.evaluate(canonical, file, allowPre); ok {
					p.offer(c)
				}
				return nil
			})
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err == nil {
				// An empty page still means the index knows the project.
				p.found = true
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	for _, p := range pickers {
		all.found = all.found || p.found
		if keepAll {
			// Per version, sources are merged in the same order as for Best.
			for _, c := range p.versions() {
				all.offer(c)
			}
		} else if p.best != nil {
			all.offer(*p.best)
		}
	}
	res.Best, res.Listed = all.best, all.found
	if keepAll {
		res.Versions = all.versions()
	}
	return res, nil
}

// nameMatches reports whether a file name looks like it belongs to the
// project, so a find-links directory that only has incompatible files still
// counts as listing it.
func nameMatches(filename, canonical string) bool {
	if w, err := ParseWheelFilename(filename); err == nil {
		return Normalize(w.Name) == canonical
	}
	stem, _ := SplitArchiveExt(filename)
	_, ok := SdistVersion(stem, canonical)
	return ok
}
