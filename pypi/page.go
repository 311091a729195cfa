package pypi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
	"golang.org/x/net/html"
)

// AcceptHeader is the Accept header pip sends for index pages: JSON
// preferred, HTML accepted.
const AcceptHeader = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

// PageKind is the format of an index page.
type PageKind int

const (
	PageHTML PageKind = iota + 1 // PEP 503 HTML
	PageJSON                     // PEP 691 JSON
)

func (k PageKind) String() string {
	switch k {
	case PageHTML:
		return "html"
	case PageJSON:
		return "json"
	}
	return "PageKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseContentType decides how to read a page from its Content-Type header
// the way pip does: a case-insensitive prefix match, anything else refused.
func ParseContentType(ct string) (PageKind, error) {
	l := strings.ToLower(ct)
	switch {
	case strings.HasPrefix(l, "application/vnd.pypi.simple.v1+json"):
		return PageJSON, nil
	case strings.HasPrefix(l, "application/vnd.pypi.simple.v1+html"), strings.HasPrefix(l, "text/html"):
		return PageHTML, nil
	}
	if ct == "" {
		ct = "none"
	}
	return 0, fmt.Errorf("unsupported Content-Type %q: want application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html or text/html", ct)
}

// ParsePage calls ParseHTML or ParseJSON according to kind.
func ParsePage(kind PageKind, r io.Reader, pageURL *url.URL, fn func(File) error) error {
	switch kind {
	case PageHTML:
		return ParseHTML(r, pageURL, fn)
	case PageJSON:
		return ParseJSON(r, pageURL, fn)
	}
	return fmt.Errorf("parse page %s: unknown page kind %v", redactPage(pageURL), kind)
}

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

// ParseJSON reads a PEP 691 page and calls fn for each file that has a URL,
// in page order, decoding one file object at a time. As in pip, the file
// name comes from the URL (the "filename" key is ignored). A meta.api-version
// whose major version is not 1 is an error, as PEP 691 requires (pip 23.2
// does not check it); when "meta" follows "files" (PyPI sorts its keys),
// fn has already seen the files when that error is returned. An error from
// fn stops parsing and is returned as is.
func ParseJSON(r io.Reader, pageURL *url.URL, fn func(File) error) error {
	page := ""
	if pageURL != nil {
		page = pageURL.String()
	}
	wrap := func(err error) error {
		return fmt.Errorf("parse JSON page %s: %w", RedactURL(page), redactedError{err})
	}
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		br.Discard(3) // json.loads accepts a UTF-8 BOM; encoding/json does not
	}
	dec := json.NewDecoder(br)
	if err := expectDelim(dec, '{', "a JSON object"); err != nil {
		return wrap(err)
	}
	seenFiles := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return wrap(err)
		}
		switch tok {
		case "files":
			if seenFiles {
				return wrap(errors.New(`duplicate "files" key`))
			}
			seenFiles = true
			if err := parseJSONFiles(dec, pyport.NewBase(page), fn); err != nil {
				if cb, ok := err.(callbackError); ok {
					return cb.err
				}
				return wrap(err)
			}
		case "meta":
			var meta json.RawMessage
			if err := dec.Decode(&meta); err != nil {
				return wrap(err)
			}
			if err := checkAPIVersion(meta); err != nil {
				return wrap(err)
			}
		default:
			if err := skipJSONValue(dec); err != nil {
				return wrap(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return wrap(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return wrap(errors.New("data after the JSON object"))
	}
	return nil
}

// callbackError carries an error from the caller's fn out unwrapped.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %s, found %v", what, tok)
	}
	return nil
}

// skipJSONValue reads past one value token by token, so that a large
// "versions" list is never held in memory at once.
func skipJSONValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func checkAPIVersion(meta json.RawMessage) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(meta, &m) != nil || m == nil {
		return errors.New(`"meta" is not an object`)
	}
	raw, ok := m["api-version"]
	if !ok {
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("api-version %s is not a string", raw)
	}
	if major, _, _ := strings.Cut(v, "."); major != "1" {
		return fmt.Errorf("unsupported api-version %q: only 1.x is understood", v)
	}
	return nil
}

func parseJSONFiles(dec *json.Decoder, base *pyport.Base, fn func(File) error) error {
	if err := expectDelim(dec, '[', `"files" as a list`); err != nil {
		return err
	}
	var raw json.RawMessage // reused: one file object at a time
	for n := 0; dec.More(); n++ {
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("files[%d]: %w", n, err)
		}
		f, ok, err := jsonFile(raw, base)
		if err != nil {
			return fmt.Errorf("files[%d]: %w", n, err)
		}
		if !ok {
			continue
		}
		if err := fn(f); err != nil {
			return callbackError{err}
		}
	}
	return expectDelim(dec, ']', "end of files")
}

// jsonFile is pip's Link.from_json on one file object. Keys match exactly
// and the last duplicate wins, as in the dict json.loads builds.
func jsonFile(raw []byte, base *pyport.Base) (File, bool, error) {
	var url, hashes, requiresPython, yanked, coreMeta, distInfoMeta, size []byte
	err := jsonMembers(raw, func(k, v []byte) {
		switch string(k) {
		case "url":
			url = v
		case "hashes":
			hashes = v
		case "requires-python":
			requiresPython = v
		case "yanked":
			yanked = v
		case "core-metadata":
			coreMeta = v
		case "dist-info-metadata":
			distInfoMeta = v
		case "size":
			size = v
		}
	})
	if err != nil {
		return File{}, false, err
	}
	if url == nil || isJSONNull(url) {
		return File{}, false, nil
	}
	href, isStr := jsonString(url)
	if !isStr {
		return File{}, false, errors.New("url is not a string")
	}
	f, ok, err := newFile(base, href)
	if err != nil || !ok {
		return f, ok, err
	}
	if hashes != nil && !isJSONNull(hashes) { // pip: None means no hashes
		if hashes[0] != '{' {
			return File{}, false, errors.New("hashes is not an object")
		}
		// pip keeps every algorithm the index lists; a hash in the URL wins.
		fromURL := f.Hashes
		f.Hashes = nil
		if err := jsonStringMembers(hashes, func(k, v string) {
			if f.Hashes == nil {
				f.Hashes = map[string]string{}
			}
			f.Hashes[k] = v
		}); err != nil {
			return File{}, false, err
		}
		for k, v := range fromURL {
			if f.Hashes == nil {
				f.Hashes = map[string]string{}
			}
			f.Hashes[k] = v
		}
	}
	if requiresPython != nil {
		if s, isStr := jsonString(requiresPython); isStr {
			f.RequiresPython = s
		} else if jsonTruthy(requiresPython) {
			return File{}, false, errors.New("requires-python is not a string")
		}
	}
	if yanked != nil && jsonTruthy(yanked) {
		f.Yanked = true
		f.YankedReason, _ = jsonString(yanked)
	}
	meta := coreMeta
	if meta == nil || isJSONNull(meta) {
		meta = distInfoMeta
	}
	if meta != nil && meta[0] == '{' {
		f.CoreMetadata = true
		if err := jsonStringMembers(meta, func(k, v string) {
			if isSupportedHash(k) {
				if f.CoreMetadataHashes == nil {
					f.CoreMetadataHashes = map[string]string{}
				}
				f.CoreMetadataHashes[k] = v
			}
		}); err != nil {
			return File{}, false, err
		}
	} else if meta != nil && jsonTruthy(meta) {
		f.CoreMetadata = true
	}
	if size != nil {
		if n, err := strconv.ParseInt(string(size), 10, 64); err == nil && n >= 0 {
			f.Size = n
		}
	}
	return f, true, nil
}

// The helpers below read values inside a file object that the decoder has
// already checked to be valid JSON, without unmarshalling it into maps.

// jsonMembers calls fn with each key (decoded) and raw value of an object.
func jsonMembers(raw []byte, fn func(k, v []byte)) error {
	i := skipJSONSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return errors.New("not an object")
	}
	i = skipJSONSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return nil
	}
	for i < len(raw) {
		end := jsonValueEnd(raw, i)
		key := raw[i:end]
		if len(key) < 2 || key[0] != '"' {
			return errors.New("malformed object")
		}
		if bytes.IndexByte(key, '\\') < 0 {
			key = key[1 : len(key)-1]
		} else if k, ok := jsonString(key); ok {
			key = []byte(k)
		} else {
			return errors.New("malformed object")
		}
		i = skipJSONSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return errors.New("malformed object")
		}
		i = skipJSONSpace(raw, i+1)
		end = jsonValueEnd(raw, i)
		fn(key, raw[i:end])
		i = skipJSONSpace(raw, end)
		if i < len(raw) && raw[i] == '}' {
			return nil
		}
		if i >= len(raw) || raw[i] != ',' {
			return errors.New("malformed object")
		}
		i = skipJSONSpace(raw, i+1)
	}
	return errors.New("malformed object")
}

// jsonStringMembers calls fn for each member of an object whose value is a
// string; other members are skipped.
func jsonStringMembers(raw []byte, fn func(k, v string)) error {
	return jsonMembers(raw, func(k, v []byte) {
		if s, ok := jsonString(v); ok {
			fn(string(k), s)
		}
	})
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonValueEnd returns the index just past the value starting at i.
func jsonValueEnd(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return min(i+1, len(b))
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // end of a literal that closes its container
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// jsonString decodes a JSON string value; ok is false for other types.
func jsonString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

func isJSONNull(v []byte) bool { return string(v) == "null" }

// jsonTruthy is Python's bool() of a JSON value.
func jsonTruthy(v []byte) bool {
	switch v[0] {
	case 'n', 'f':
		return false
	case 't':
		return true
	case '"':
		return len(v) > 2
	case '[', '{':
		i := skipJSONSpace(v, 1)
		return i < len(v) && v[i] != v[0]+2 // "]" and "}" follow "[" and "{" by 2
	}
	f, _ := strconv.ParseFloat(string(v), 64)
	return f != 0
}

// RedactURL replaces the user information of every URL in s ("scheme://
// user:pass@host") with "****", so that s can go into an error or a log.
func RedactURL(s string) string {
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		auth := rest[i+3:]
		end := strings.IndexAny(auth, "/?#\\ \t\r\n\"'<>")
		if end < 0 {
			end = len(auth)
		}
		at := strings.LastIndexByte(auth[:end], '@')
		if at < 0 {
			b.WriteString(rest[:i+3+end])
			rest = rest[i+3+end:]
			continue
		}
		b.WriteString(rest[:i+3])
		b.WriteString("****")
		b.WriteString(auth[at:end])
		rest = auth[end:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// redactedError hides credentials in the message of an error that comes
// from elsewhere (a reader's error may quote the URL it was fetching).
type redactedError struct{ err error }

func (e redactedError) Error() string { return RedactURL(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

func redactPage(u *url.URL) string {
	if u == nil {
		return ""
	}
	return RedactURL(u.String())
}
