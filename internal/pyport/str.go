package pyport

import (
	"os/user"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsSpace is Python's str.isspace for one character, which is also what \s
// means in Python's re module: Unicode White_Space plus the ASCII
// separators 0x1c-0x1f (which Go's unicode.IsSpace leaves out).
func IsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r' || r >= 0x1c && r <= 0x1f
	}
	return unicode.IsSpace(r)
}

// Strip is str.strip() with no argument.
func Strip(s string) string { return strings.TrimFunc(s, IsSpace) }

// Rstrip is str.rstrip() with no argument.
func Rstrip(s string) string { return strings.TrimRightFunc(s, IsSpace) }

// Lower is str.lower: Go maps U+0130 to "i" where Python gives "i̇".
func Lower(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}

// LowerEqual reports whether Python's name.lower() equals the ASCII string
// s, without allocating for ASCII names.
func LowerEqual(name []byte, s string) bool {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return Lower(string(name)) == s
		}
	}
	if len(name) != len(s) {
		return false
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// Splitext is posixpath.splitext: leading dots of the last component do
// not start an extension.
func Splitext(p string) (root, ext string) {
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

// Join is posixpath.join for two parts (no cleaning, so a path shown to
// the user is the one pip would show).
func Join(a, b string) string {
	switch {
	case strings.HasPrefix(b, "/"):
		return b
	case a == "" || strings.HasSuffix(a, "/"):
		return a + b
	}
	return a + "/" + b
}

// ExpandUser is posixpath.expanduser with home standing in for $HOME; "~"
// with an empty home and "~user" look the user up in the password
// database, and an unknown user leaves path as it is.
func ExpandUser(path, home string) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := strings.IndexByte(path[1:], '/') + 1
	if i == 0 {
		i = len(path)
	}
	userhome := home
	if i > 1 || home == "" {
		var u *user.User
		var err error
		if i == 1 {
			u, err = user.Current()
		} else {
			u, err = user.Lookup(path[1:i])
		}
		if err != nil {
			return path
		}
		userhome = u.HomeDir
	}
	if r := strings.TrimRight(userhome, "/") + path[i:]; r != "" {
		return r
	}
	return "/"
}
