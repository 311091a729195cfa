package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pypitest"
)

// served is what the mirror offers for one installed distribution.
type served struct {
	Name      string
	Installed string
	Newer     []string // ascending, all above Installed
	Source    string   // where the newest version came from
}

// loadLatest reads the snapshot of latest versions: a header line, then
// name<TAB>latest_version<TAB>download_rank. Keys are PEP 503 names.
func loadLatest(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("latest versions: %w", err)
	}
	defer f.Close()
	latest := map[string]string{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		cols := strings.Split(sc.Text(), "\t")
		if line == 1 && len(cols) > 1 && cols[1] == "latest_version" {
			continue
		}
		if len(cols) < 2 || cols[0] == "" || cols[1] == "" {
			return nil, fmt.Errorf("latest versions %s:%d: want name<TAB>version", path, line)
		}
		latest[pypi.Normalize(cols[0])] = cols[1]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("latest versions %s: %w", path, err)
	}
	if len(latest) == 0 {
		return nil, fmt.Errorf("latest versions %s: no rows", path)
	}
	return latest, nil
}

// bumped returns the release of v with component i (0 = major) raised by
// one and the later ones zeroed, padded to three components: 1.43.11 gives
// 1.43.12 for i=2 and 1.44.0 for i=1; 1.3.0.post0 gives 1.3.1 for i=2.
func bumped(v pep440.Version, i int) (pep440.Version, error) {
	rel := append([]string(nil), v.Release()...)
	for len(rel) < 3 {
		rel = append(rel, "0")
	}
	n, err := strconv.Atoi(rel[i])
	if err != nil {
		return pep440.Version{}, fmt.Errorf("release segment %q of %s: %w", rel[i], v, err)
	}
	rel[i] = strconv.Itoa(n + 1)
	for j := i + 1; j < len(rel); j++ {
		rel[j] = "0"
	}
	s := strings.Join(rel[:max(3, i+1)], ".")
	if e := v.Epoch(); e != "" && e != "0" {
		s = e + "!" + s
	}
	return pep440.Parse(s)
}

// newerVersions picks what the mirror offers above the installed version:
// the snapshot's latest when it is newer (else, when the project is not in
// the snapshot, a synthetic next minor), and below that latest the next
// patch and next minor of the installed version, the releases a real
// project most often has between the two, so that a version admitted by a
// dependent's upper bound can exist.
func newerVersions(installed pep440.Version, snapshot string, inSnapshot bool) (newer []string, source string, err error) {
	var latest pep440.Version
	switch {
	case inSnapshot:
		latest, err = pep440.Parse(snapshot)
		if err != nil {
			return nil, "", fmt.Errorf("snapshot version %q: %w", snapshot, err)
		}
		if !installed.Less(latest) {
			return nil, "snapshot (not newer)", nil
		}
		source = "snapshot"
	default:
		latest, err = bumped(installed, 1)
		if err != nil {
			return nil, "", err
		}
		source = "synthetic"
	}
	for _, i := range []int{2, 1} {
		mid, err := bumped(installed, i)
		if err != nil {
			return nil, "", err
		}
		if installed.Less(mid) && mid.Less(latest) {
			newer = append(newer, mid.String())
		}
	}
	return append(newer, latest.String()), source, nil
}

// buildMirror adds, for every installed distribution, a py3-none-any wheel
// at the installed version and at each newer version, all carrying the
// installed METADATA's Requires-Python, Requires-Dist and Provides-Extra:
// the snapshot has versions, not metadata, so newer versions are assumed to
// require what the installed one does.
func buildMirror(srv *pypitest.Server, dists []pip.Dist, latest map[string]string) ([]served, []string, error) {
	var out []served
	var notes []string
	for _, d := range dists {
		inst, err := pep440.Parse(d.Version)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s %s: not a PEP 440 version, served as installed only", d.Name, d.Version))
			out = append(out, served{Name: d.Name, Installed: d.Version, Source: "invalid version"})
			continue
		}
		snap, ok := latest[d.Canonical]
		newer, source, err := newerVersions(inst, snap, ok)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		for _, v := range append([]string{d.Version}, newer...) {
			spec := pypitest.WheelSpec{
				Name: d.Name, Version: v, Summary: d.Summary,
				RequiresPython: d.RequiresPython, Requires: d.RequiresDist, ProvidesExtra: d.ProvidesExtra,
			}
			if err := srv.AddWheel(spec); err != nil {
				return nil, nil, fmt.Errorf("mirror %s %s: %w", d.Name, v, err)
			}
		}
		out = append(out, served{Name: d.Name, Installed: d.Version, Newer: newer, Source: source})
	}
	return out, notes, nil
}
