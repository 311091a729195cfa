package pip

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
)

// CheckReport is what `pip check` reports for an environment, found
// without starting pip: the upgrade engine checks before and after each
// run, and a pip start-up for each was most of a native upgrade's fixed
// cost.
type CheckReport struct {
	// Lines are pip check's output lines, in its order: the missing
	// requirements, then the conflicting ones, then (pip 24.2 and later)
	// the wheels not supported on this platform. "No broken requirements
	// found." is not among them.
	Lines []string
	// Unreadable are the distributions whose Requires-Dist pip cannot use
	// (a line that does not parse, a marker it cannot evaluate, or, from
	// pip 24.1, a version that is not PEP 440): pip check skips them with
	// a warning and exits 1 without a line for them.
	Unreadable []RequirementProblem
}

// OK reports whether pip check would exit 0.
func (r CheckReport) OK() bool { return len(r.Lines) == 0 && len(r.Unreadable) == 0 }

// Check reports what the environment's pip check would print, reading
// the installed distributions from disk.
func (e *Env) Check() (CheckReport, error) {
	dists, err := InstalledDists(e.Interp)
	if err != nil {
		return CheckReport{}, fmt.Errorf("check: %w", err)
	}
	return CheckDists(e.Interp, dists), nil
}

// CheckExact reports whether CheckDists gives exactly what the pip of the
// interpreter in prints, run with environ: where pip reads installed
// distributions with importlib.metadata, as CheckDists (and InstalledDists)
// do. pip uses its pkg_resources backend on Python before 3.11, before
// pip 23 (not compared here; 22.0.4 orders and dedupes otherwise), and
// wherever _PIP_USE_IMPORTLIB_METADATA is set; there the upgrade engine
// runs pip check itself. An interpreter without pip has no pip check to
// agree with: CheckDists then speaks as the newest pip would.
func CheckExact(in *Interpreter, environ []string) bool {
	if in.PipVersion == "" {
		return true
	}
	for _, kv := range environ {
		if strings.HasPrefix(kv, "_PIP_USE_IMPORTLIB_METADATA=") {
			return false
		}
	}
	v := in.VersionInfo
	return (v[0] > 3 || v[0] == 3 && v[1] >= 11) && !newer("23", in.PipVersion)
}

// checkDist is one entry of pip's package set.
type checkDist struct {
	dist    Dist
	version string         // str(dist.version)
	parsed  pep440.Version // zero for a legacy (non PEP 440) version
	deps    []pep508.Requirement
}

// checkVersion models how the environment's pip words and checks; an
// environment without pip is checked as by the newest pip.
type checkVersion struct {
	packaging22 bool // pip ≥ 24.1 vendors packaging ≥ 22: no LegacyVersion, equal requirements compare equal
	// pip ≥ 24.2 reports wheels whose tags this interpreter does not
	// support, and takes a .dist-info's version from its directory name
	// (pypa/pip#12656).
	pip242 bool
}

func checkVersionOf(pipVersion string) checkVersion {
	if pipVersion == "" {
		return checkVersion{packaging22: true, pip242: true}
	}
	return checkVersion{
		packaging22: !newer("24.1", pipVersion),
		pip242:      !newer("24.2", pipVersion),
	}
}

// CheckDists is pip check (pip/_internal/commands/check.py and
// operations/check.py) over dists as InstalledDists lists them, for the
// interpreter in. Each distribution's requirements are those with no
// marker or whose marker holds with extra == "" (pip's iter_dependencies
// without extras): extras requested by dependents are not followed, and a
// requirement on the distribution itself counts.
func CheckDists(in *Interpreter, dists []Dist) CheckReport {
	cv := checkVersionOf(in.PipVersion)
	var rep CheckReport
	set := make(map[string]*checkDist, len(dists))
	var order []*checkDist
	for _, d := range dists {
		if set[d.Canonical] != nil {
			continue // pip's environment keeps the first of a name
		}
		cd, prob := readCheckDist(d, in.Markers, cv)
		if prob != nil {
			rep.Unreadable = append(rep.Unreadable, *prob)
			continue
		}
		set[d.Canonical] = cd
		order = append(order, cd)
	}

	type found struct {
		key, line string
	}
	var missing, conflicting []string
	for _, cd := range order {
		var miss, conf []found
		for _, req := range cd.deps {
			name := pypi.Normalize(req.Name)
			dep := set[name]
			if dep == nil {
				// The marker held already; pip evaluates it again, alike.
				miss = append(miss, found{
					key:  fmt.Sprintf("('%s', <Requirement('%s')>)", name, req),
					line: fmt.Sprintf("%s %s requires %s, which is not installed.", cd.dist.Canonical, cd.version, name),
				})
				continue
			}
			if dep.parsed.IsZero() && req.Specifier.Len() == 0 {
				continue // an empty specifier admits even a legacy version
			}
			if !dep.parsed.IsZero() && req.Specifier.ContainsPre(dep.parsed, true) {
				continue
			}
			conf = append(conf, found{
				key:  fmt.Sprintf("('%s', <Version('%s')>, <Requirement('%s')>)", name, dep.version, req),
				line: fmt.Sprintf("%s %s has requirement %s, but you have %s %s.", cd.dist.Canonical, cd.version, req, name, dep.version),
			})
		}
		// pip collects them in a set and sorts by str() of the tuple;
		// from packaging 22 equal requirements are one member of it.
		for _, group := range []struct {
			fs  []found
			out *[]string
		}{{miss, &missing}, {conf, &conflicting}} {
			slices.SortStableFunc(group.fs, func(a, b found) int { return strings.Compare(a.key, b.key) })
			if cv.packaging22 {
				group.fs = slices.CompactFunc(group.fs, func(a, b found) bool { return a.key == b.key })
			}
			for _, f := range group.fs {
				*group.out = append(*group.out, f.line)
			}
		}
	}
	rep.Lines = append(missing, conflicting...)
	if cv.pip242 {
		supported := pypi.NewTagSet(in.Tags)
		for _, d := range dists {
			if !unsupportedWheel(d, supported) {
				continue
			}
			v := checkRawVersion(d, cv)
			if pv, err := pep440.Parse(v); err == nil {
				v = pv.String()
			}
			rep.Lines = append(rep.Lines, fmt.Sprintf("%s %s is not supported on this platform", d.Name, v))
		}
	}
	return rep
}

// readCheckDist parses a distribution's version and requirements as pip's
// create_package_set_from_installed does; any error drops the whole
// distribution from the check, as pip's does.
func readCheckDist(d Dist, markers map[string]string, cv checkVersion) (*checkDist, *RequirementProblem) {
	raw := checkRawVersion(d, cv)
	cd := &checkDist{dist: d, version: raw}
	if v, err := pep440.Parse(raw); err == nil {
		cd.parsed, cd.version = v, v.String()
	} else if cv.packaging22 {
		return nil, &RequirementProblem{Dist: d.Canonical, Line: "Version: " + raw, Err: err}
	}
	for _, line := range d.RequiresDist {
		req, err := pep508.ParseRequirement(strings.TrimSpace(line))
		if err != nil {
			return nil, &RequirementProblem{Dist: d.Canonical, Line: line, Err: err}
		}
		if req.Marker == nil {
			cd.deps = append(cd.deps, req)
			continue
		}
		ok, err := req.Marker.EvaluateErr(markers, "")
		if err != nil {
			return nil, &RequirementProblem{Dist: d.Canonical, Line: line, Err: err}
		}
		if ok {
			cd.deps = append(cd.deps, req)
		}
	}
	return cd, nil
}

// checkRawVersion is the version pip reads for a distribution: from pip
// 24.2 the one in a .dist-info directory's name when it has one, else
// METADATA's.
func checkRawVersion(d Dist, cv checkVersion) string {
	if cv.pip242 && d.Format == "dist-info" {
		stem := strings.TrimSuffix(filepath.Base(d.Path), filepath.Ext(d.Path))
		if _, v, ok := strings.Cut(stem, "-"); ok && v != "" {
			return v
		}
	}
	return d.Version
}

// unsupportedWheel is pip's check_unsupported for one distribution: its
// WHEEL file's Tag headers (compressed tag sets expanded) share no tag
// with the interpreter's. A distribution without a WHEEL file is never
// reported; one whose WHEEL names no tag always is, as in pip.
func unsupportedWheel(d Dist, supported pypi.TagSet) bool {
	if d.Format != "dist-info" {
		return false
	}
	data, err := readSmallFile(filepath.Join(d.Path, "WHEEL"))
	if err != nil {
		return false // pip suppresses only FileNotFoundError, but a WHEEL it cannot read ends its check with a traceback
	}
	for _, t := range wheelTags(data) {
		name := pypi.WheelName{Tags: []pypi.Tag{t}}
		if _, ok := supported.Priority(name); ok {
			return false
		}
	}
	return true
}

// wheelTags reads the Tag headers of a WHEEL file as Python's email parser
// does (the headers end at the first line that is not one) and expands each
// with packaging's parse_tag ("py2.py3-none-any" is two tags).
func wheelTags(data []byte) []pypi.Tag {
	var tags []pypi.Tag
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation line
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(k, " \t") {
			break
		}
		if !strings.EqualFold(k, "Tag") {
			continue
		}
		parts := strings.Split(strings.ToLower(strings.TrimSpace(v)), "-")
		if len(parts) != 3 {
			continue // packaging raises here; pip check then fails outright
		}
		for _, i := range strings.Split(parts[0], ".") {
			for _, a := range strings.Split(parts[1], ".") {
				for _, p := range strings.Split(parts[2], ".") {
					tags = append(tags, pypi.Tag{Interpreter: i, ABI: a, Platform: p})
				}
			}
		}
	}
	return tags
}
