package pypi

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// AcceptHeader is the Accept header pip sends for index pages: JSON
// preferred, HTML accepted. PEP 691's media types name only the major API
// version, so "v1" is also how a client asks for 1.1 and later: PEP 700
// (1.1) adds "upload-time", "size" and "versions" to the same
// application/vnd.pypi.simple.v1+json, and pip 26, which reads
// "upload-time" for --uploaded-prior-to, sends exactly this header.
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
