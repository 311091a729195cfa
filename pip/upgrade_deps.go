package pip

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
)

// The dependency pre-check decides, before any pip run, which upgrades
// need something that is neither installed nor among the downloaded files.
// Those go to a pip run that may use the indexes; the rest are installed
// with --no-index. Guessing wrong either way is safe (a --no-index run that
// misses a dependency fails before changing anything and is retried with
// the indexes), but a wrong "local" guess costs failed runs, so the check
// answers "needs the index" only when it is sure.

// wheelRequires reads Requires-Dist from a wheel's METADATA.
func wheelRequires(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer zr.Close()
	md, err := wheelMetadata(&zr.Reader, path)
	if err != nil {
		return nil, err
	}
	return md.RequiresDist, nil
}

// wheelMetadata reads a wheel's .dist-info/METADATA; name says which wheel
// in errors. Like pip, it refuses a wheel with more than one .dist-info
// directory rather than guess which one describes it.
func wheelMetadata(zr *zip.Reader, name string) (Metadata, error) {
	var distInfo string
	var meta *zip.File
	for _, f := range zr.File {
		dir, rest, ok := strings.Cut(f.Name, "/")
		if !ok || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		if distInfo != "" && dir != distInfo {
			return Metadata{}, fmt.Errorf("read %s: more than one .dist-info directory (%s, %s)", name, distInfo, dir)
		}
		distInfo = dir
		if rest == "METADATA" {
			meta = f
		}
	}
	if meta == nil {
		return Metadata{}, fmt.Errorf("read %s: no .dist-info/METADATA", name)
	}
	rc, err := meta.Open()
	if err != nil {
		return Metadata{}, fmt.Errorf("read %s: %w", name, err)
	}
	defer rc.Close()
	data, err := readBounded(rc, maxMetadata)
	if err != nil {
		return Metadata{}, fmt.Errorf("read %s: METADATA: %w", name, err)
	}
	md, err := ParseMetadata(bytes.NewReader(data))
	if err != nil {
		return Metadata{}, fmt.Errorf("read %s: %w", name, err)
	}
	return md, nil
}

// needsIndex reports whether the new version's requirements name something
// that neither the environment (after this run's upgrades) nor the
// downloaded files provide. installed maps canonical names to versions as
// they will be once the run's targets are in. Requirements whose marker
// does not hold (or cannot be evaluated), extras' requirements (pipup
// installs no extras) and URL requirements are left to pip.
func needsIndex(requires []string, markers map[string]string, installed map[string]string) (string, bool) {
	for _, line := range requires {
		req, err := pep508.ParseRequirement(line)
		if err != nil || req.URL != "" {
			continue
		}
		if applies, err := req.Marker.EvaluateErr(markers); err != nil || !applies {
			continue
		}
		name := pypi.Normalize(req.Name)
		v, have := installed[name]
		if !have {
			return name, true
		}
		pv, err := pep440.Parse(v)
		if err != nil || req.Specifier.Len() == 0 {
			continue
		}
		// An installed pre-release satisfies a requirement, as in pip.
		if !req.Specifier.ContainsPre(pv, true) {
			return name + req.Specifier.String(), true
		}
	}
	return "", false
}

// requiredNames lists the projects the requirement lines name, whatever
// their markers: a superset is what batchLinks needs.
func requiredNames(requires []string) []string {
	var out []string
	for _, line := range requires {
		if req, err := pep508.ParseRequirement(line); err == nil {
			out = append(out, pypi.Normalize(req.Name))
		}
	}
	return out
}
