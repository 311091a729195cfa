package pypi

import (
	"net/url"
	"strings"
)

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
