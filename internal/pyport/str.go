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

// Strip is str.strip() with no argument. It looks at bytes and decodes a
// rune only where one starts above ASCII: version and specifier parsing
// strip every string they read, and strings.TrimFunc's call per rune cost
// pep440.Parse a fifth of its time.
func Strip(s string) string {
	for s != "" {
		r, n := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s)
		}
		if !IsSpace(r) {
			break
		}
		s = s[n:]
	}
	for s != "" {
		r, n := rune(s[len(s)-1]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeLastRuneInString(s)
		}
		if !IsSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// Rstrip is str.rstrip() with no argument.
func Rstrip(s string) string { return strings.TrimRightFunc(s, IsSpace) }

// Lower is str.lower. Go's strings.ToLower differs in the two places
// Python applies Unicode's SpecialCasing for lower(): U+0130 becomes "i̇"
// (Go gives "i"), and a capital sigma in the Final_Sigma context becomes
// "ς" (Go always gives "σ"). Go's and Python's Unicode versions may differ
// for characters added recently.
func Lower(s string) string {
	if !strings.ContainsRune(s, 'Σ') {
		return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == 'Σ' && finalSigma(s, i):
			b.WriteRune('ς')
		case r == '\u0130':
			b.WriteString("i\u0307")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether the capital sigma at s[i] is in Unicode's
// Final_Sigma context, as CPython's handle_capital_sigma decides it: a
// cased letter before it and none after it, skipping case-ignorables.
func finalSigma(s string, i int) bool {
	before := s[:i]
	for before != "" {
		r, n := utf8.DecodeLastRuneInString(before)
		if !caseIgnorable(r) {
			if !cased(r) {
				return false
			}
			break
		}
		before = before[:len(before)-n]
	}
	if before == "" {
		return false
	}
	for _, r := range s[i+len("Σ"):] {
		if !caseIgnorable(r) {
			return !cased(r)
		}
	}
	return true
}

// cased is Unicode's Cased property (Lowercase, Uppercase or Lt).
func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// caseIgnorable is Unicode's Case_Ignorable property: Mn, Me, Cf, Lm, Sk,
// and the Word_Break classes MidLetter, MidNumLet and Single_Quote (listed
// here, as Go has no Word_Break table).
func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '\u00b7', '\u0387', '\u055f', '\u05f4', '\u2018', '\u2019', '\u2024', '\u2027',
		'\ufe13', '\ufe52', '\ufe55', '\uff07', '\uff0e', '\uff1a':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
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
