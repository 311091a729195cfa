package pypi

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
	stem, ext = posixSplitext(filename)
	if n := len(stem); n >= 4 && strings.EqualFold(stem[n-4:], ".tar") {
		ext = stem[n-4:] + ext
		stem = stem[:n-4]
	}
	return stem, ext
}

// posixSplitext is Python's posixpath.splitext: leading dots of the last
// component do not start an extension.
func posixSplitext(p string) (string, string) {
	sep := strings.LastIndexByte(p, '/')
	dot := strings.LastIndexByte(p, '.')
	if dot > sep {
		for i := sep + 1; i < dot; i++ {
			if p[i] != '.' {
				return p[:dot], p[dot:]
			}
		}
	}
	return p, ""
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

// linkFilename is pip's Link.filename for a URL path: the last segment of
// the percent-decoded path, percent-decoded once more (pip unquotes twice).
// netloc is the fallback pip uses when the path has no last segment; pip
// strips credentials from it.
func linkFilename(path, netloc string) string {
	p := strings.TrimRight(pyUnquote(path), "/")
	name := p[strings.LastIndexByte(p, '/')+1:]
	if name == "" {
		if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
			netloc = netloc[i+1:]
		}
		return netloc
	}
	return pyUnquote(name)
}

// pyQuote is urllib.parse.quote(s, safe="/").
func pyQuote(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !quoteSafe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quoteSafe(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func quoteSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '-' || c == '~' || c == '/'
}

// pyUnquote is urllib.parse.unquote: %XX escapes are decoded per run of
// ASCII characters and the resulting bytes are decoded as UTF-8 with
// Python's "replace" error handler; malformed escapes stay as they are.
func pyUnquote(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var out strings.Builder
	out.Grow(len(s))
	var run []byte
	flush := func() {
		writeUTF8Replace(&out, run)
		run = run[:0]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			flush()
			out.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			run = append(run, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			run = append(run, c)
		}
	}
	flush()
	return out.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// writeUTF8Replace decodes b as CPython's UTF-8 codec with errors="replace"
// does: each maximal ill-formed subpart becomes one U+FFFD. Go's decoder
// replaces byte by byte, which would give different file names.
func writeUTF8Replace(out *strings.Builder, b []byte) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			out.WriteByte(c)
			i++
			continue
		}
		need, lo, hi := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c == 0xE0:
			need, lo = 2, 0xA0
		case c == 0xED:
			need, hi = 2, 0x9F
		case c >= 0xE1 && c <= 0xEF:
			need = 2
		case c == 0xF0:
			need, lo = 3, 0x90
		case c == 0xF4:
			need, hi = 3, 0x8F
		case c >= 0xF1 && c <= 0xF3:
			need = 3
		default:
			out.WriteRune(utf8.RuneError)
			i++
			continue
		}
		j := i + 1
		for k := 0; k < need && j < len(b); k++ {
			if cb := b[j]; (k == 0 && (cb < lo || cb > hi)) || (k > 0 && (cb < 0x80 || cb > 0xBF)) {
				break
			}
			j++
		}
		if j-i == need+1 {
			out.Write(b[i:j])
		} else {
			out.WriteRune(utf8.RuneError)
		}
		i = j
	}
}

// The functions below port the parts of Python 3.11's urllib.parse that pip
// runs on every link (urlsplit, urlparse, urlunsplit, urlunparse, urljoin).
// Go's net/url resolves and re-escapes URLs differently, which would change
// file URLs and names compared with what pip sees.

type pyURL struct{ scheme, netloc, path, query, fragment string }

// pyUsesRelative, pyUsesNetloc and pyUsesParams are urllib.parse's
// uses_relative, uses_netloc and uses_params.
func pyUsesRelative(s string) bool {
	switch s {
	case "", "ftp", "http", "gopher", "nntp", "imap", "wais", "file", "https", "shttp", "mms",
		"prospero", "rtsp", "rtsps", "rtspu", "sftp", "svn", "svn+ssh", "ws", "wss":
		return true
	}
	return false
}

func pyUsesNetloc(s string) bool {
	switch s {
	case "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
		"snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh",
		"ws", "wss":
		return true
	}
	return false
}

func pyUsesParams(s string) bool {
	switch s {
	case "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu", "sip",
		"sips", "mms", "sftp", "tel":
		return true
	}
	return false
}

// pyURLSplit is urllib.parse.urlsplit(u, scheme).
func pyURLSplit(u, scheme string) (pyURL, error) {
	i := 0
	for i < len(u) && u[i] <= ' ' {
		i++
	}
	u = u[i:]
	for i := 0; i < len(u); i++ {
		if c := u[i]; c == '\t' || c == '\r' || c == '\n' {
			u = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(u)
			break
		}
	}
	p := pyURL{scheme: scheme}
	if c := strings.IndexByte(u, ':'); c > 0 && isASCIILetter(u[0]) && isSchemeChars(u[:c]) {
		p.scheme, u = strings.ToLower(u[:c]), u[c+1:]
	}
	if strings.HasPrefix(u, "//") {
		end := 2
		for end < len(u) && u[end] != '/' && u[end] != '?' && u[end] != '#' {
			end++
		}
		end -= 2
		p.netloc, u = u[2:2+end], u[2+end:]
		if err := checkPyNetloc(p.netloc); err != nil {
			return pyURL{}, err
		}
	}
	u, p.fragment, _ = strings.Cut(u, "#")
	p.path, p.query, _ = strings.Cut(u, "?")
	if err := checkNFKCNetloc(p.netloc); err != nil {
		return pyURL{}, err
	}
	return p, nil
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// checkPyNetloc reproduces urlsplit's ValueErrors for brackets in the netloc.
func checkPyNetloc(netloc string) error {
	open, closed := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
	if open != closed {
		return errors.New("invalid IPv6 URL")
	}
	if !open {
		return nil
	}
	_, after, _ := strings.Cut(netloc, "[")
	host, _, _ := strings.Cut(after, "]")
	if strings.HasPrefix(host, "v") {
		if !ipvFutureRe.MatchString(host) {
			return errors.New("invalid IPvFuture address")
		}
		return nil
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("invalid IPv6 address %q", host)
	}
	if addr.Is4() {
		return errors.New("an IPv4 address cannot be in brackets")
	}
	return nil
}

var ipvFutureRe = regexp.MustCompile(`\Av[a-fA-F0-9]+\.[^\n]+\z`)

// checkNFKCNetloc is urlsplit's _checknetloc: characters that NFKC
// normalization turns into URL delimiters are refused.
func checkNFKCNetloc(netloc string) error {
	ascii := true
	for i := 0; i < len(netloc); i++ {
		if netloc[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return nil
	}
	n := strings.NewReplacer("@", "", ":", "", "#", "", "?", "").Replace(netloc)
	n2 := norm.NFKC.String(n)
	if n == n2 {
		return nil
	}
	if strings.ContainsAny(n2, "/?#@:") {
		return errors.New("netloc contains invalid characters under NFKC normalization")
	}
	return nil
}

// pyURLParse is urllib.parse.urlparse: urlsplit plus ";params" split off the
// last path segment for schemes that use them.
func pyURLParse(u, scheme string) (pyURL, string, error) {
	p, err := pyURLSplit(u, scheme)
	if err != nil || !pyUsesParams(p.scheme) || !strings.Contains(p.path, ";") {
		return p, "", err
	}
	i := strings.IndexByte(p.path[strings.LastIndexByte(p.path, '/')+1:], ';')
	if i < 0 {
		return p, "", nil
	}
	i += strings.LastIndexByte(p.path, '/') + 1
	params := p.path[i+1:]
	p.path = p.path[:i]
	return p, params, nil
}

// unsplit is urllib.parse.urlunsplit.
func (p pyURL) unsplit() string { return p.unparse("") }

// unparse is urllib.parse.urlunparse, built in one allocation.
func (p pyURL) unparse(params string) string {
	if params != "" {
		p.path += ";" + params // urlunparse joins them before urlunsplit looks at the path
	}
	var b strings.Builder
	b.Grow(len(p.scheme) + len(p.netloc) + len(p.path) + len(p.query) + len(p.fragment) + 6)
	if p.scheme != "" {
		b.WriteString(p.scheme)
		b.WriteByte(':')
	}
	if p.netloc != "" || (p.scheme != "" && pyUsesNetloc(p.scheme) && !strings.HasPrefix(p.path, "//")) {
		b.WriteString("//")
		b.WriteString(p.netloc)
		if p.path != "" && p.path[0] != '/' {
			b.WriteByte('/')
		}
	}
	b.WriteString(p.path)
	if p.query != "" {
		b.WriteByte('?')
		b.WriteString(p.query)
	}
	if p.fragment != "" {
		b.WriteByte('#')
		b.WriteString(p.fragment)
	}
	return b.String()
}

// pyBase is a base URL for pyURLJoin, parsed once for all the links of a
// page.
type pyBase struct {
	raw    string
	parsed bool
	u      pyURL
	params string
	err    error
}

func newPyBase(raw string) *pyBase { return &pyBase{raw: raw} }

// pyURLJoin is urllib.parse.urljoin(base, ref).
func pyURLJoin(base, ref string) (string, error) { return newPyBase(base).join(ref) }

func (pb *pyBase) join(ref string) (string, error) {
	if pb.raw == "" {
		return ref, nil
	}
	if ref == "" {
		return pb.raw, nil
	}
	if !pb.parsed {
		pb.u, pb.params, pb.err = pyURLParse(pb.raw, "")
		pb.parsed = true
	}
	b, bparams, err := pb.u, pb.params, pb.err
	if err != nil {
		return "", err
	}
	r, params, err := pyURLParse(ref, b.scheme)
	if err != nil {
		return "", err
	}
	if r.scheme != b.scheme || !pyUsesRelative(r.scheme) {
		return ref, nil
	}
	if pyUsesNetloc(r.scheme) {
		if r.netloc != "" {
			return r.unparse(params), nil
		}
		r.netloc = b.netloc
	}
	if r.path == "" && params == "" {
		r.path, params = b.path, bparams
		if r.query == "" {
			r.query = b.query
		}
		return r.unparse(params), nil
	}
	baseParts := strings.Split(b.path, "/")
	if baseParts[len(baseParts)-1] != "" {
		baseParts = baseParts[:len(baseParts)-1] // not a directory
	}
	var segs []string
	if strings.HasPrefix(r.path, "/") {
		segs = strings.Split(r.path, "/")
	} else {
		segs = append(baseParts, strings.Split(r.path, "/")...)
		if len(segs) > 2 {
			// Drop empty inner segments, as urljoin does to avoid "//".
			kept := segs[:1]
			for _, s := range segs[1 : len(segs)-1] {
				if s != "" {
					kept = append(kept, s)
				}
			}
			segs = append(kept, segs[len(segs)-1])
		}
	}
	resolved := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "..":
			if len(resolved) > 0 {
				resolved = resolved[:len(resolved)-1]
			}
		case ".":
		default:
			resolved = append(resolved, s)
		}
	}
	if last := segs[len(segs)-1]; last == "." || last == ".." {
		resolved = append(resolved, "")
	}
	r.path = strings.Join(resolved, "/")
	if r.path == "" {
		r.path = "/"
	}
	return r.unparse(params), nil
}
