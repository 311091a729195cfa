package pypi

import "time"

// File is one distribution file that an index page or a find-links location
// offers for a project.
type File struct {
	// Filename is the last path segment of the URL, percent-decoded.
	Filename string
	// URL is absolute and carries no fragment (the hash moves to Hashes).
	URL string
	// Hashes maps a lower-case algorithm name ("sha256") to a lower-case hex digest.
	Hashes map[string]string
	// RequiresPython is the raw specifier string (already HTML-unescaped), or "".
	RequiresPython string
	// Yanked is set by PEP 592 data-yanked or the PEP 691 "yanked" key.
	Yanked       bool
	YankedReason string
	// CoreMetadata reports that the PEP 658 metadata file exists at URL + ".metadata".
	CoreMetadata bool
	// CoreMetadataHashes holds the hashes of that metadata file, when given.
	CoreMetadataHashes map[string]string
	// Size is the file size in bytes when the index gives it (PEP 700), else -1.
	Size int64
	// UploadTime is PEP 700's "upload-time" from a JSON page (API version
	// 1.1 and later), in UTC; zero when unknown, as it always is for HTML
	// pages and find-links locations, which have no way to say it.
	UploadTime time.Time
}

// Tag is one wheel compatibility tag (PEP 425).
type Tag struct {
	Interpreter string // e.g. "cp311", "py3"
	ABI         string // e.g. "cp311", "abi3", "none"
	Platform    string // e.g. "manylinux_2_17_x86_64", "any"
}

// String renders the tag as "interpreter-abi-platform".
func (t Tag) String() string { return t.Interpreter + "-" + t.ABI + "-" + t.Platform }
