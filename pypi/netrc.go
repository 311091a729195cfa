package pypi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// A .netrc parser of our own: Go's standard library has none (cmd/go's is
// internal) and the public Go ones are unmaintained. It follows Python's
// netrc module, which is what pip (through requests) reads: tokens are
// separated by white space, may be double-quoted with backslash escapes,
// "#" starts a comment, and a macdef body runs to the next blank line.

// netrcEntry is one machine (or the default) of a .netrc file.
type netrcEntry struct {
	login, password string
}

type netrc struct {
	machines map[string]netrcEntry // by host name
	def      *netrcEntry
}

// lookup returns the credentials for host (the URL's host without port,
// matched exactly as Python's netrc does), falling back to the default entry.
func (n *netrc) lookup(host string) (netrcEntry, bool) {
	if n == nil {
		return netrcEntry{}, false
	}
	if e, ok := n.machines[host]; ok {
		return e, true
	}
	if n.def != nil {
		return *n.def, true
	}
	return netrcEntry{}, false
}

// readNetrc reads path; a missing file is an empty netrc, not an error.
func readNetrc(path string) (*netrc, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netrc: %w", err)
	}
	n, err := parseNetrc(string(b))
	if err != nil {
		return nil, fmt.Errorf("netrc %s: %w", path, err)
	}
	return n, nil
}

// netrcLexer is Python's netrc._netrclex. Error messages name lines and
// keywords only: any token may be a password.
type netrcLexer struct {
	s    string
	i    int
	line int
	back []string // pushed-back tokens
}

func isNetrcSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// char returns the next byte, counting lines; ok is false at the end.
func (l *netrcLexer) char() (byte, bool) {
	if l.i >= len(l.s) {
		return 0, false
	}
	c := l.s[l.i]
	l.i++
	if c == '\n' {
		l.line++
	}
	return c, true
}

// token returns the next token, "" at the end of the input. Like Python it
// consumes the white space character that ends an unquoted token.
func (l *netrcLexer) token() string {
	if n := len(l.back); n > 0 {
		t := l.back[n-1]
		l.back = l.back[:n-1]
		return t
	}
	var b strings.Builder
	for {
		c, ok := l.char()
		if !ok {
			return b.String()
		}
		if isNetrcSpace(c) {
			continue
		}
		if c == '"' {
			for {
				c, ok := l.char()
				if !ok || c == '"' {
					return b.String()
				}
				if c == '\\' {
					c, _ = l.char()
				}
				b.WriteByte(c)
			}
		}
		for {
			if c == '\\' {
				c, _ = l.char()
			}
			b.WriteByte(c)
			c, ok = l.char()
			if !ok || isNetrcSpace(c) {
				return b.String()
			}
		}
	}
}

// restOfLine skips to the end of the current line and returns what it skipped.
func (l *netrcLexer) restOfLine() string {
	start := l.i
	for l.i < len(l.s) {
		c, _ := l.char()
		if c == '\n' {
			break
		}
	}
	return l.s[start:l.i]
}

// parseNetrc follows Python's netrc._parse: a later entry for the same
// machine replaces an earlier one, and a token starting with "#" where a
// keyword is expected comments out the rest of its line.
func parseNetrc(s string) (*netrc, error) {
	n := &netrc{machines: map[string]netrcEntry{}}
	l := &netrcLexer{s: s, line: 1}
	for {
		saved := l.line
		tt := l.token()
		var name string
		switch {
		case tt == "":
			return n, nil
		case tt[0] == '#':
			if l.line == saved && len(tt) == 1 {
				l.restOfLine()
			}
			continue
		case tt == "machine":
			if name = l.token(); name == "" {
				return nil, fmt.Errorf("line %d: machine without a name", l.line)
			}
		case tt == "default":
		case tt == "macdef":
			if l.token() == "" {
				return nil, fmt.Errorf("line %d: macdef without a name", l.line)
			}
			for {
				if l.i >= len(l.s) {
					return nil, fmt.Errorf("line %d: macdef not ended by an empty line", l.line)
				}
				if l.restOfLine() == "\n" {
					break
				}
			}
			continue
		default:
			return nil, fmt.Errorf("line %d: unexpected token at top level", l.line)
		}
		var login, account, password string
	entry:
		for {
			prev := l.line
			tt := l.token()
			switch {
			case strings.HasPrefix(tt, "#"):
				if l.line == prev {
					l.restOfLine()
				}
			case tt == "" || tt == "machine" || tt == "default" || tt == "macdef":
				l.back = append(l.back, tt)
				break entry
			case tt == "login" || tt == "user":
				login = l.token()
			case tt == "account":
				account = l.token()
			case tt == "password":
				password = l.token()
			default:
				return nil, fmt.Errorf("line %d: unexpected token in an entry", l.line)
			}
		}
		if login == "" {
			login = account // requests' get_netrc_auth does this
		}
		e := netrcEntry{login: login, password: password}
		if tt == "default" {
			n.def = &e
		} else {
			n.machines[name] = e
		}
	}
}
