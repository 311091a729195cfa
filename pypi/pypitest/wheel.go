// Package pypitest is to pipup what net/http/httptest is to net/http: an
// in-process Python package index for tests. It speaks the real Simple API
// (PEP 503 HTML and PEP 691 JSON, with PEP 592 yanking, PEP 658/714 core
// metadata and PEP 700 sizes) and serves real wheel files that a real pip
// installs, so client code can be tested against pip's own behaviour.
//
// The package deliberately does not import package pypi: it is the fixture
// that package is tested against, so it must not share its bugs.
package pypitest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// WheelSpec describes a wheel for BuildWheel.
type WheelSpec struct {
	Name, Version string
	// Tag is the compatibility tag triple, default "py3-none-any". Compressed
	// tag sets such as "py2.py3-none-any" are expanded in the WHEEL file.
	Tag string
	// Build is the optional build tag; it must start with a digit.
	Build string
	// RequiresPython becomes METADATA's Requires-Python.
	RequiresPython string
	// Requires become Requires-Dist lines (PEP 508 strings, copied verbatim).
	Requires []string
	// ProvidesExtra become Provides-Extra lines.
	ProvidesExtra []string
	Summary       string
	// HomePage and ProjectURLs ("Label, URL") become Home-page and
	// Project-URL lines, which the JSON API serves as home_page and
	// project_urls.
	HomePage    string
	ProjectURLs []string
	// Files maps a path inside the wheel to its content. When empty the wheel
	// holds one module, <name>/__init__.py, that sets __version__.
	Files map[string]string
	// DistInfo adds files to the .dist-info directory, by name
	// ("entry_points.txt"); METADATA, WHEEL and RECORD are generated.
	DistInfo map[string]string
	// Modes gives a file of Files (by its path in the wheel) a Unix mode
	// other than 0o644, e.g. 0o755 for an executable.
	Modes map[string]os.FileMode
	// Broken leaves the .dist-info/WHEEL file out, which pip rejects at
	// install time ("has an invalid wheel"), while METADATA stays readable so
	// resolution and PEP 658 metadata still work.
	Broken bool
}

// zipTime is fixed so that the same spec always yields the same bytes, and
// therefore the same sha256, across runs.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var runOfSeparators = regexp.MustCompile(`[-_.]+`)

// normalize is PEP 503 name normalisation. It is duplicated from package
// pypi on purpose (see the package comment).
func normalize(name string) string {
	return strings.ToLower(runOfSeparators.ReplaceAllString(name, "-"))
}

// fileNamePart is the escaped project name used in wheel and sdist file
// names and in the .dist-info directory name.
func fileNamePart(name string) string {
	return strings.ToLower(runOfSeparators.ReplaceAllString(name, "_"))
}

// BuildWheel builds a valid, deterministic wheel: METADATA (version 2.1),
// WHEEL and a RECORD with urlsafe-base64 sha256 hashes.
func BuildWheel(spec WheelSpec) (filename string, data []byte, err error) {
	if spec.Name == "" || spec.Version == "" {
		return "", nil, fmt.Errorf("build wheel: name and version are required")
	}
	tag := spec.Tag
	if tag == "" {
		tag = "py3-none-any"
	}
	tags, err := expandTag(tag)
	if err != nil {
		return "", nil, fmt.Errorf("build wheel %s %s: %w", spec.Name, spec.Version, err)
	}
	if spec.Build != "" && (spec.Build[0] < '0' || spec.Build[0] > '9' || strings.Contains(spec.Build, "-")) {
		return "", nil, fmt.Errorf("build wheel %s %s: build tag %q must start with a digit and contain no '-'", spec.Name, spec.Version, spec.Build)
	}
	base := fileNamePart(spec.Name)
	version := strings.ReplaceAll(spec.Version, "-", "_")
	distInfo := base + "-" + version + ".dist-info"

	filename = base + "-" + version
	if spec.Build != "" {
		filename += "-" + spec.Build
	}
	filename += "-" + tag + ".whl"

	files := spec.Files
	if len(files) == 0 {
		files = map[string]string{
			base + "/__init__.py": fmt.Sprintf("__version__ = %q\n", spec.Version),
		}
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		if strings.HasPrefix(p, distInfo+"/") {
			return "", nil, fmt.Errorf("build wheel %s %s: file %q collides with the generated .dist-info", spec.Name, spec.Version, p)
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record bytes.Buffer
	rw := csv.NewWriter(&record)
	add := func(name, content string) error {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
		mode, ok := spec.Modes[name]
		if !ok {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(content)); err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(content))
		return rw.Write([]string{name, "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]), fmt.Sprint(len(content))})
	}
	for _, p := range paths {
		if err := add(p, files[p]); err != nil {
			return "", nil, fmt.Errorf("build wheel %s: %w", filename, err)
		}
	}
	extra := make([]string, 0, len(spec.DistInfo))
	for name := range spec.DistInfo {
		switch name {
		case "METADATA", "WHEEL", "RECORD":
			return "", nil, fmt.Errorf("build wheel %s %s: DistInfo file %q is generated", spec.Name, spec.Version, name)
		}
		extra = append(extra, name)
	}
	sort.Strings(extra)
	for _, name := range extra {
		if err := add(distInfo+"/"+name, spec.DistInfo[name]); err != nil {
			return "", nil, fmt.Errorf("build wheel %s: %w", filename, err)
		}
	}
	if err := add(distInfo+"/METADATA", string(metadataFile(spec))); err != nil {
		return "", nil, fmt.Errorf("build wheel %s: %w", filename, err)
	}
	if !spec.Broken {
		if err := add(distInfo+"/WHEEL", wheelFile(tags, spec.Build)); err != nil {
			return "", nil, fmt.Errorf("build wheel %s: %w", filename, err)
		}
	}
	if err := rw.Write([]string{distInfo + "/RECORD", "", ""}); err != nil {
		return "", nil, fmt.Errorf("build wheel %s: %w", filename, err)
	}
	rw.Flush()
	h := &zip.FileHeader{Name: distInfo + "/RECORD", Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o644)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(record.Bytes())
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return "", nil, fmt.Errorf("build wheel %s: %w", filename, err)
	}
	return filename, buf.Bytes(), nil
}

// WriteWheel builds the wheel and writes it into dir under its file name.
func WriteWheel(dir string, spec WheelSpec) (path string, err error) {
	name, data, err := BuildWheel(spec)
	if err != nil {
		return "", err
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("write wheel: %w", err)
	}
	return path, nil
}

// BuildSdist returns a deterministic .tar.gz holding only PKG-INFO. It is
// meant for listing tests; pip cannot build it.
func BuildSdist(name, version string) (filename string, data []byte) {
	root := fileNamePart(name) + "-" + version
	pkgInfo := metadataFile(WheelSpec{Name: name, Version: version})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // header has no ModTime: deterministic
	tw := tar.NewWriter(zw)
	// Writes into a bytes.Buffer cannot fail, so the errors are not checked.
	_ = tw.WriteHeader(&tar.Header{
		Name: root + "/PKG-INFO", Mode: 0o644, Size: int64(len(pkgInfo)),
		ModTime: zipTime, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR,
	})
	_, _ = tw.Write(pkgInfo)
	_ = tw.Close()
	_ = zw.Close()
	return root + ".tar.gz", buf.Bytes()
}

func metadataFile(spec WheelSpec) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", spec.Name, spec.Version)
	if spec.Summary != "" {
		fmt.Fprintf(&b, "Summary: %s\n", spec.Summary)
	}
	if spec.HomePage != "" {
		fmt.Fprintf(&b, "Home-page: %s\n", spec.HomePage)
	}
	for _, u := range spec.ProjectURLs {
		fmt.Fprintf(&b, "Project-URL: %s\n", u)
	}
	if spec.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", spec.RequiresPython)
	}
	for _, x := range spec.ProvidesExtra {
		fmt.Fprintf(&b, "Provides-Extra: %s\n", x)
	}
	for _, r := range spec.Requires {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	return b.Bytes()
}

func wheelFile(tags []string, build string) string {
	var b strings.Builder
	b.WriteString("Wheel-Version: 1.0\nGenerator: pipup-pypitest\n")
	purelib := true
	for _, t := range tags {
		if !strings.HasSuffix(t, "-any") {
			purelib = false
		}
	}
	fmt.Fprintf(&b, "Root-Is-Purelib: %t\n", purelib)
	for _, t := range tags {
		fmt.Fprintf(&b, "Tag: %s\n", t)
	}
	if build != "" {
		fmt.Fprintf(&b, "Build: %s\n", build)
	}
	return b.String()
}

// expandTag turns a possibly compressed tag set ("py2.py3-none-any") into
// its individual tags.
func expandTag(tag string) ([]string, error) {
	parts := strings.Split(tag, "-")
	if len(parts) != 3 {
		return nil, fmt.Errorf("tag %q is not interpreter-abi-platform", tag)
	}
	var out []string
	for _, i := range strings.Split(parts[0], ".") {
		for _, a := range strings.Split(parts[1], ".") {
			for _, p := range strings.Split(parts[2], ".") {
				if i == "" || a == "" || p == "" {
					return nil, fmt.Errorf("tag %q has an empty part", tag)
				}
				out = append(out, i+"-"+a+"-"+p)
			}
		}
	}
	return out, nil
}

// wheelMetadata returns the METADATA file of a wheel, if it has one.
func wheelMetadata(data []byte) ([]byte, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	for _, f := range zr.File {
		dir, base, ok := strings.Cut(f.Name, "/")
		if !ok || base != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, false
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(rc)
		rc.Close()
		if err != nil {
			return nil, false
		}
		return b.Bytes(), true
	}
	return nil, false
}
