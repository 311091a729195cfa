package pypi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
)

// supportedHashes is pip's _SUPPORTED_HASHES, in its order.
var supportedHashes = [...]string{"sha512", "sha384", "sha256", "sha224", "sha1", "md5"}

// urlHash is pip's LinkHash.find_hash_url_fragment, which searches the
// whole URL with [#&](sha512|...|md5)=([^&]*): the first "#name=" or
// "&name=" anywhere counts, so "?x=1&sha256=..." does too.
func urlHash(u string) (name, value string, ok bool) {
	for i := strings.IndexAny(u, "#&"); i >= 0; {
		rest := u[i+1:]
		for _, n := range supportedHashes {
			if len(rest) > len(n) && rest[:len(n)] == n && rest[len(n)] == '=' {
				v := rest[len(n)+1:]
				if j := strings.IndexByte(v, '&'); j >= 0 {
					v = v[:j]
				}
				return n, v, true
			}
		}
		j := strings.IndexAny(rest, "#&")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", "", false
}

func isSupportedHash(name string) bool { return slices.Contains(supportedHashes[:], name) }

// newFile resolves href against base and fills the URL-derived fields the
// way pip's Link does: urljoin, _ensure_quoted_url, the hash found in the
// URL, Link.filename and Link.url_without_fragment. ok is false when the
// URL has no file name.
func newFile(base *pyport.Base, href string) (File, bool, error) {
	joined, err := base.Join(href)
	if err != nil {
		return File{}, false, fmt.Errorf("link %s: %w", RedactURL(href), err)
	}
	link, err := ensureQuotedURL(joined)
	if err != nil {
		return File{}, false, fmt.Errorf("link %s: %w", RedactURL(href), err)
	}
	p, err := pyport.URLSplit(link, "")
	if err != nil {
		return File{}, false, fmt.Errorf("link %s: %w", RedactURL(href), err)
	}
	f := File{Filename: linkFilename(p.Path, p.Netloc), Size: -1}
	if f.Filename == "" {
		return File{}, false, nil
	}
	p.Fragment = ""
	f.URL = p.Unsplit()
	if name, v, ok := urlHash(link); ok {
		f.Hashes = map[string]string{name: v}
	}
	return f, true, nil
}

// ensureQuotedURL is pip's _ensure_quoted_url: the path is percent-decoded
// and re-encoded piecewise, keeping "@" and "%2F" as they are.
func ensureQuotedURL(u string) (string, error) {
	p, params, err := pyport.URLParse(u, "")
	if err != nil {
		return "", err
	}
	// Local paths (no netloc) go through url2pathname/pathname2url in pip,
	// which on POSIX are unquote/quote too.
	path := p.Path
	if reservedIndex(path) < 0 {
		p.Path = pyport.Quote(pyport.Unquote(path))
		return p.Unparse(params), nil
	}
	var b strings.Builder
	for {
		i := reservedIndex(path)
		if i < 0 {
			b.WriteString(pyport.Quote(pyport.Unquote(path)))
			break
		}
		b.WriteString(pyport.Quote(pyport.Unquote(path[:i])))
		if path[i] == '@' {
			b.WriteByte('@')
			path = path[i+1:]
		} else {
			b.WriteString("%2F")
			path = path[i+3:]
		}
	}
	p.Path = b.String()
	return p.Unparse(params), nil
}

// reservedIndex finds the next "@" or case-insensitive "%2F".
func reservedIndex(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			return i
		}
		if s[i] == '%' && i+2 < len(s) && s[i+1] == '2' && (s[i+2] == 'F' || s[i+2] == 'f') {
			return i
		}
	}
	return -1
}

// linkFilename is pip's Link.filename for a URL path: the last segment of
// the percent-decoded path, percent-decoded once more (pip unquotes twice).
// netloc is the fallback pip uses when the path has no last segment; pip
// strips credentials from it.
func linkFilename(path, netloc string) string {
	p := strings.TrimRight(pyport.Unquote(path), "/")
	name := p[strings.LastIndexByte(p, '/')+1:]
	if name == "" {
		if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
			netloc = netloc[i+1:]
		}
		return netloc
	}
	return pyport.Unquote(name)
}
