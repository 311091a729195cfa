package pyport

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Quote is urllib.parse.quote(s, safe="/") for a str: every byte outside
// A-Z a-z 0-9 "_.-~/" becomes %XX (upper-case hex). "~" is safe since
// Python 3.7.
func Quote(s string) string {
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

// Unquote is urllib.parse.unquote: %XX escapes are decoded per run of
// ASCII characters and the resulting bytes are decoded as UTF-8 with
// Python's "replace" error handler; malformed escapes stay as they are.
func Unquote(s string) string {
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

// SplitResult is urllib.parse's SplitResult (and ParseResult without its
// params, which URLParse returns separately).
type SplitResult struct{ Scheme, Netloc, Path, Query, Fragment string }

// UsesRelative is urllib.parse.uses_relative (Python 3.11).
func UsesRelative(s string) bool {
	switch s {
	case "", "ftp", "http", "gopher", "nntp", "imap", "wais", "file", "https", "shttp", "mms",
		"prospero", "rtsp", "rtsps", "rtspu", "sftp", "svn", "svn+ssh", "ws", "wss":
		return true
	}
	return false
}

// UsesNetloc is urllib.parse.uses_netloc (Python 3.11).
func UsesNetloc(s string) bool {
	switch s {
	case "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
		"snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh",
		"ws", "wss":
		return true
	}
	return false
}

// UsesParams is urllib.parse.uses_params (Python 3.11).
func UsesParams(s string) bool {
	switch s {
	case "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu", "sip",
		"sips", "mms", "sftp", "tel":
		return true
	}
	return false
}

// URLSplit is urllib.parse.urlsplit(u, scheme) as of Python 3.11: leading
// C0 controls and spaces are stripped, tab/CR/LF removed, and a malformed
// bracketed or NFKC-unsafe netloc is an error (Python's ValueError).
// Python 3.12+ also refuse some bracketed hosts 3.11 accepts.
func URLSplit(u, scheme string) (SplitResult, error) {
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
	p := SplitResult{Scheme: scheme}
	if c := strings.IndexByte(u, ':'); c > 0 && isASCIILetter(u[0]) && isSchemeChars(u[:c]) {
		p.Scheme, u = strings.ToLower(u[:c]), u[c+1:]
	}
	if strings.HasPrefix(u, "//") {
		end := 2
		for end < len(u) && u[end] != '/' && u[end] != '?' && u[end] != '#' {
			end++
		}
		end -= 2
		p.Netloc, u = u[2:2+end], u[2+end:]
		if err := checkNetlocBrackets(p.Netloc); err != nil {
			return SplitResult{}, err
		}
	}
	u, p.Fragment, _ = strings.Cut(u, "#")
	p.Path, p.Query, _ = strings.Cut(u, "?")
	if err := checkNFKCNetloc(p.Netloc); err != nil {
		return SplitResult{}, err
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

// checkNetlocBrackets reproduces urlsplit's ValueErrors for brackets in the netloc.
func checkNetlocBrackets(netloc string) error {
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

// URLParse is urllib.parse.urlparse (Python 3.11): urlsplit plus ";params" split off the
// last path segment for schemes that use them.
func URLParse(u, scheme string) (SplitResult, string, error) {
	p, err := URLSplit(u, scheme)
	if err != nil || !UsesParams(p.Scheme) || !strings.Contains(p.Path, ";") {
		return p, "", err
	}
	i := strings.IndexByte(p.Path[strings.LastIndexByte(p.Path, '/')+1:], ';')
	if i < 0 {
		return p, "", nil
	}
	i += strings.LastIndexByte(p.Path, '/') + 1
	params := p.Path[i+1:]
	p.Path = p.Path[:i]
	return p, params, nil
}

// Unsplit is urllib.parse.urlunsplit (Python 3.11; 3.12+ differ for a
// path starting with "//" and no netloc).
func (p SplitResult) Unsplit() string { return p.Unparse("") }

// Unparse is urllib.parse.urlunparse with params, built in one allocation.
func (p SplitResult) Unparse(params string) string {
	if params != "" {
		p.Path += ";" + params // urlunparse joins them before urlunsplit looks at the path
	}
	var b strings.Builder
	b.Grow(len(p.Scheme) + len(p.Netloc) + len(p.Path) + len(p.Query) + len(p.Fragment) + 6)
	if p.Scheme != "" {
		b.WriteString(p.Scheme)
		b.WriteByte(':')
	}
	if p.Netloc != "" || (p.Scheme != "" && UsesNetloc(p.Scheme) && !strings.HasPrefix(p.Path, "//")) {
		b.WriteString("//")
		b.WriteString(p.Netloc)
		if p.Path != "" && p.Path[0] != '/' {
			b.WriteByte('/')
		}
	}
	b.WriteString(p.Path)
	if p.Query != "" {
		b.WriteByte('?')
		b.WriteString(p.Query)
	}
	if p.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(p.Fragment)
	}
	return b.String()
}

// Base is a base URL for URLJoin, parsed once for all the links of a
// page.
type Base struct {
	raw    string
	parsed bool
	u      SplitResult
	params string
	err    error
}

// NewBase returns raw as a base URL for Join.
func NewBase(raw string) *Base { return &Base{raw: raw} }

// FailedBase is a base URL that fails every Join with err (the base itself
// could not be resolved); a page resolves no link against it without error.
func FailedBase(raw string, err error) *Base { return &Base{raw: raw, parsed: true, err: err} }

// URLJoin is urllib.parse.urljoin(base, ref) (Python 3.11, RFC 3986
// resolution; Python 3.5+).
func URLJoin(base, ref string) (string, error) { return NewBase(base).Join(ref) }

// Join is urllib.parse.urljoin(b, ref) with b the base URL given to
// NewBase; the base is parsed on the first call only.
func (pb *Base) Join(ref string) (string, error) {
	if pb.raw == "" {
		return ref, nil
	}
	if ref == "" {
		return pb.raw, nil
	}
	if !pb.parsed {
		pb.u, pb.params, pb.err = URLParse(pb.raw, "")
		pb.parsed = true
	}
	b, bparams, err := pb.u, pb.params, pb.err
	if err != nil {
		return "", err
	}
	r, params, err := URLParse(ref, b.Scheme)
	if err != nil {
		return "", err
	}
	if r.Scheme != b.Scheme || !UsesRelative(r.Scheme) {
		return ref, nil
	}
	if UsesNetloc(r.Scheme) {
		if r.Netloc != "" {
			return r.Unparse(params), nil
		}
		r.Netloc = b.Netloc
	}
	if r.Path == "" && params == "" {
		r.Path, params = b.Path, bparams
		if r.Query == "" {
			r.Query = b.Query
		}
		return r.Unparse(params), nil
	}
	baseParts := strings.Split(b.Path, "/")
	if baseParts[len(baseParts)-1] != "" {
		baseParts = baseParts[:len(baseParts)-1] // not a directory
	}
	var segs []string
	if strings.HasPrefix(r.Path, "/") {
		segs = strings.Split(r.Path, "/")
	} else {
		segs = append(baseParts, strings.Split(r.Path, "/")...)
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
	r.Path = strings.Join(resolved, "/")
	if r.Path == "" {
		r.Path = "/"
	}
	return r.Unparse(params), nil
}
