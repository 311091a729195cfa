package pypi

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
)

// Normalize returns the PEP 503 canonical form of a project name: runs of
// "-", "_" and "." become one "-", and the result is lower-cased
// (packaging's canonicalize_name).
func Normalize(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	inRun := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			if !inRun {
				b.WriteByte('-')
				inRun = true
			}
			continue
		}
		inRun = false
		b.WriteByte(c)
	}
	return strings.ToLower(b.String())
}

// WheelName is a wheel file name taken apart the way pip's Wheel class does.
type WheelName struct {
	Name    string // "_" replaced by "-", otherwise as written
	Version string // "_" replaced by "-", otherwise as written
	Build   string // build tag, "" when absent
	// Tags is every combination of the file's compressed tag sets
	// (py2.py3-none-any gives two), lower-cased, without duplicates.
	Tags []Tag
}

// pySpaceClass is what Python's re module means by \s in a str pattern
// (Go's \s is ASCII-only and lacks \v).
const pySpaceClass = `\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`

// wheelFileRe is pip's Wheel.wheel_file_re. Go's regexp picks the same
// submatches as Python's backtracking engine (leftmost-first), so only the
// classes need translating: \s to pySpaceClass, \d to \p{Nd}, and Python's
// "$" (which also matches before a final newline) to \n?\z.
var wheelFileRe = regexp.MustCompile(`^(?:(?P<name>[^` + pySpaceClass + `-]+?)-(?P<ver>[^` + pySpaceClass + `-]*?))` +
	`(?:(?:-(?P<build>\p{Nd}[^-]*?))?-(?P<pyver>[^` + pySpaceClass + `-]+?)-(?P<abi>[^` + pySpaceClass + `-]+?)-(?P<plat>[^` + pySpaceClass + `-]+?)\.whl|(?P<distinfo>\.dist-info))\n?\z`)

// ParseWheelFilename parses a wheel file name exactly as pip's Wheel()
// does. It accepts what pip accepts, including oddities such as an empty
// version ("foo--py3-none-any.whl").
func ParseWheelFilename(filename string) (WheelName, error) {
	m := wheelFileRe.FindStringSubmatch(filename)
	if m == nil {
		return WheelName{}, fmt.Errorf("%q is not a valid wheel filename", filename)
	}
	idx := func(name string) string { return m[wheelFileRe.SubexpIndex(name)] }
	if idx("distinfo") != "" {
		// pip's regex admits "name-ver.dist-info" and then crashes on the
		// missing tags; it is not a wheel either way.
		return WheelName{}, fmt.Errorf("%q is not a valid wheel filename", filename)
	}
	w := WheelName{
		Name:    strings.ReplaceAll(idx("name"), "_", "-"),
		Version: strings.ReplaceAll(idx("ver"), "_", "-"),
		Build:   idx("build"),
	}
	pys := strings.Split(strings.ToLower(idx("pyver")), ".")
	abis := strings.Split(strings.ToLower(idx("abi")), ".")
	plats := strings.Split(strings.ToLower(idx("plat")), ".")
	w.Tags = make([]Tag, 0, len(pys)*len(abis)*len(plats))
	for _, py := range pys {
		for _, abi := range abis {
			for _, plat := range plats {
				t := Tag{Interpreter: py, ABI: abi, Platform: plat}
				if !containsTag(w.Tags, t) {
					w.Tags = append(w.Tags, t)
				}
			}
		}
	}
	return w, nil
}

func containsTag(tags []Tag, t Tag) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// SplitArchiveExt splits a file name into stem and extension the way pip's
// splitext does: like posixpath.splitext, but a ".tar" before the last
// extension belongs to the extension ("foo-1.0.tar.gz" -> "foo-1.0", ".tar.gz").
func SplitArchiveExt(filename string) (stem, ext string) {
	stem, ext = pyport.Splitext(filename)
	if n := len(stem); n >= 4 && strings.EqualFold(stem[n-4:], ".tar") {
		ext = stem[n-4:] + ext
		stem = stem[:n-4]
	}
	return stem, ext
}

// IsSupportedArchive reports whether ext (as returned by SplitArchiveExt) is
// one of pip's SUPPORTED_EXTENSIONS. Like pip, the comparison is
// case-sensitive.
func IsSupportedArchive(ext string) bool {
	switch ext {
	case ".zip", ".whl", // ZIP_EXTENSIONS
		".tar.gz", ".tgz", ".tar", // TAR_EXTENSIONS
		".tar.bz2", ".tbz", // BZ2_EXTENSIONS
		".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma": // XZ_EXTENSIONS
		return true
	}
	return false
}

// SdistVersion extracts the version from an sdist stem ("foo_bar-1.0") as
// pip's _extract_version_from_fragment does: the first "-" whose prefix
// normalizes to the project's canonical name separates name and version.
// ok is false when no prefix matches or the version is empty.
func SdistVersion(stem, canonicalName string) (string, bool) {
	canonicalName = Normalize(canonicalName)
	for i := 0; i < len(stem); i++ {
		if stem[i] != '-' || Normalize(stem[:i]) != canonicalName {
			continue
		}
		if v := stem[i+1:]; v != "" {
			return v, true
		}
		return "", false
	}
	return "", false
}
