package pypi

import (
	"net/url"
	"strings"
)

// RedactURL replaces the user information of every URL in s ("scheme://
// user:pass@host") with "****", so that s can go into an error, a log or a
// display of pip's configuration; it is pipup's one credential redactor.
// The authority is read as pip's redact_auth_from_url reads it (urllib's
// urlsplit, then split_auth_from_netloc): it runs to the first "/", "?"
// or "#", and the user information to the last "@" in it, whatever other
// characters (quotes, backslashes) it holds. In free text whitespace ends
// a URL too. Unlike pip, a user name before a password is masked as well:
// user names are often tokens.
func RedactURL(s string) string {
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		auth := rest[i+3:]
		end := strings.IndexAny(auth, "/?#"+textSpace)
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

// textSpace ends a URL in free text (a space between words, a line break).
const textSpace = " \t\r\n"

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
