package pypi

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
	"golang.org/x/net/html"
)

// maxTokenBytes bounds the memory one HTML token (a tag, or the text between
// tags) may take, so a hostile page cannot make the tokenizer buffer it all.
const maxTokenBytes = 8 << 20

// ParseHTML reads a PEP 503 page and calls fn for each anchor with a
// non-empty href, in page order, as pip's parse_links yields them (callers
// filter by file type). It streams: memory does not grow with the page.
// An error from fn stops parsing and is returned as is.
//
// Attributes are read with Python's HTMLParser rules (the last duplicate
// wins, a value-less attribute counts as absent, so a bare data-yanked does
// not yank), while tag boundaries follow the HTML5 tokenizer. Divergences
// from pip, both deliberate: a relative <base href> is resolved against the
// page URL (pip would produce relative, unusable links), and a <base> only
// affects the anchors after it (pip applies it to the whole page, which
// would need the page in memory). Anchors whose URL has no file name at all
// (href="file:///") are skipped.
func ParseHTML(r io.Reader, pageURL *url.URL, fn func(File) error) error {
	page := ""
	if pageURL != nil {
		page = pageURL.String()
	}
	base, baseSeen := pyport.NewBase(page), false
	z := html.NewTokenizer(r)
	z.SetMaxBuf(maxTokenBytes)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return fmt.Errorf("read HTML page %s: %w", RedactURL(page), redactedError{err})
			}
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		raw := z.Raw()
		name := rawTagName(raw)
		// Python's HTMLParser treats only script and style content as raw
		// text; the HTML5 tokenizer would also hide anchors inside title,
		// textarea, noscript and others.
		if tt == html.SelfClosingTagToken || !(asciiEqualFold(name, "script") || asciiEqualFold(name, "style")) {
			z.NextIsNotRawText()
		}
		switch {
		case asciiEqualFold(name, "a"):
			var a anchorAttrs
			if !parsePyAttrs(raw, a.set) {
				continue
			}
			f, ok, err := anchorFile(&a, base)
			if err != nil {
				return fmt.Errorf("parse HTML page %s: %w", RedactURL(page), err)
			}
			if !ok {
				continue
			}
			if err := fn(f); err != nil {
				return err
			}
		case asciiEqualFold(name, "base") && !baseSeen:
			var href optString
			if !parsePyAttrs(raw, func(k, v []byte, hasVal bool) {
				if !href.seen && pyport.LowerEqual(k, "href") {
					href = optString{seen: true, ok: hasVal, v: attrValue(v)}
				}
			}) || !href.ok {
				continue
			}
			baseSeen = true
			if href.v == "" {
				continue // pip: base_url "" falls back to the page URL
			}
			base = resolveBase(page, href.v)
		}
	}
}

// resolveBase resolves a <base href> against the page URL when it is
// relative; an absolute one is used verbatim, as pip does. A malformed one
// fails the page only when a link is resolved against it, as in pip.
func resolveBase(page, href string) *pyport.Base {
	p, err := pyport.URLSplit(href, "")
	if err == nil && p.Scheme == "" {
		href, err = pyport.NewBase(page).Join(href)
	}
	if err != nil {
		return pyport.FailedBase(href, fmt.Errorf("base href %s: %w", RedactURL(href), err))
	}
	return pyport.NewBase(href)
}

type optString struct {
	seen bool // attribute occurred
	ok   bool // it had a value (Python: not None)
	v    string
}

type anchorAttrs struct {
	href, requiresPython, yanked, coreMetadata, distInfoMetadata optString
}

func (a *anchorAttrs) set(k, v []byte, hasVal bool) {
	var dst *optString
	switch {
	case pyport.LowerEqual(k, "href"):
		dst = &a.href
	case pyport.LowerEqual(k, "data-requires-python"):
		dst = &a.requiresPython
	case pyport.LowerEqual(k, "data-yanked"):
		dst = &a.yanked
	case pyport.LowerEqual(k, "data-core-metadata"):
		dst = &a.coreMetadata
	case pyport.LowerEqual(k, "data-dist-info-metadata"):
		dst = &a.distInfoMetadata
	default:
		return
	}
	*dst = optString{seen: true, ok: hasVal, v: attrValue(v)}
}

// attrValue is the string HTMLParser makes of a raw attribute value: HTML
// character references are replaced (html.unescape).
func attrValue(v []byte) string {
	if bytes.IndexByte(v, '&') >= 0 {
		return html.UnescapeString(string(v))
	}
	return string(v)
}

// anchorFile is pip's Link.from_element.
func anchorFile(a *anchorAttrs, base *pyport.Base) (File, bool, error) {
	if !a.href.ok || a.href.v == "" {
		return File{}, false, nil
	}
	f, ok, err := newFile(base, a.href.v)
	if err != nil || !ok {
		return f, ok, err
	}
	if a.requiresPython.ok {
		f.RequiresPython = a.requiresPython.v
	}
	if a.yanked.ok {
		f.Yanked, f.YankedReason = true, a.yanked.v
	}
	meta := a.coreMetadata
	if !meta.ok {
		meta = a.distInfoMetadata
	}
	if meta.ok {
		// "true", "name=value", or anything else: pip treats any present
		// value (even "false") as "the metadata file exists".
		f.CoreMetadata = true
		if name, val, found := strings.Cut(meta.v, "="); found && isSupportedHash(name) {
			f.CoreMetadataHashes = map[string]string{name: val}
		}
	}
	return f, true, nil
}

// rawTagName is the tag name of a raw start tag, as the HTML5 tokenizer
// delimits it.
func rawTagName(raw []byte) []byte {
	i := 1
	for ; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return raw[1:i]
		}
	}
	return raw[1:i]
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// parsePyAttrs reads the attributes of a raw start tag with the rules of
// Python's HTMLParser.parse_starttag (attrfind_tolerant), calling set for
// each in order with the name (to be lower-cased), the unquoted value (to be
// unescaped with attrValue) and whether a value was given. It reports false when Python would not
// treat the text as a start tag at all.
func parsePyAttrs(raw []byte, set func(k, v []byte, hasVal bool)) bool {
	s := raw
	// tagfind_tolerant: [a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*
	k := 2
tagName:
	for ; k < len(s); k++ {
		switch s[k] {
		case '\t', '\n', '\r', '\f', ' ', '/', '>', 0:
			break tagName
		}
	}
	k = skipSpaceSlash(s, k)
	for k < len(s) {
		// (?<=['"\s/])[^\s/>][^\s/=>]*
		prev, _ := utf8.DecodeLastRune(s[:k])
		if !(prev == '\'' || prev == '"' || prev == '/' || pyport.IsSpace(prev)) {
			break
		}
		r, n := utf8.DecodeRune(s[k:])
		if pyport.IsSpace(r) || r == '/' || r == '>' {
			break
		}
		nameEnd := k + n
		for nameEnd < len(s) {
			r, n := utf8.DecodeRune(s[nameEnd:])
			if pyport.IsSpace(r) || r == '/' || r == '=' || r == '>' {
				break
			}
			nameEnd += n
		}
		name := s[k:nameEnd]
		val, end, hasVal := pyAttrValue(s, nameEnd)
		if hasVal {
			if len(val) >= 2 && (val[0] == '\'' || val[0] == '"') && val[len(val)-1] == val[0] {
				val = val[1 : len(val)-1]
			} else if len(val) == 1 && (val[0] == '\'' || val[0] == '"') {
				val = nil
			}
		}
		set(name, val, hasVal)
		k = skipSpaceSlash(s, end)
	}
	rest := bytes.TrimFunc(s[k:], pyport.IsSpace)
	return string(rest) == ">" || string(rest) == "/>"
}

// pyAttrValue matches the optional (\s*=+\s*(VALUE))? group of
// attrfind_tolerant at i, reproducing the backtracking Python's engine does
// when a quote is left open.
func pyAttrValue(s []byte, i int) (val []byte, end int, ok bool) {
	j := skipPySpace(s, i)
	if j >= len(s) || s[j] != '=' {
		return nil, i, false
	}
	eqEnd := j
	for eqEnd < len(s) && s[eqEnd] == '=' {
		eqEnd++
	}
	q := skipPySpace(s, eqEnd)
	if q < len(s) && (s[q] == '\'' || s[q] == '"') {
		if c := bytes.IndexByte(s[q+1:], s[q]); c >= 0 {
			return s[q : q+c+2], q + c + 2, true
		}
		// Open quote: give back one space (an empty bare value then
		// matches), else one "=" (the bare value then starts with it).
		switch {
		case q > eqEnd:
			_, n := utf8.DecodeLastRune(s[:q])
			return nil, q - n, true
		case eqEnd-j > 1:
			q = eqEnd - 1
		default:
			return nil, i, false
		}
	}
	e := q
	for e < len(s) {
		r, n := utf8.DecodeRune(s[e:])
		if r == '>' || pyport.IsSpace(r) {
			break
		}
		e += n
	}
	return s[q:e], e, true
}

// skipSpaceSlash matches (?:\s|/(?!>))*.
func skipSpaceSlash(s []byte, i int) int {
	for i < len(s) {
		if s[i] == '/' && (i+1 >= len(s) || s[i+1] != '>') {
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if !pyport.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

func skipPySpace(s []byte, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRune(s[i:])
		if !pyport.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}
