package pep440

import "strings"

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w, in
// packaging's order: epoch, release (trailing zeros ignored), then
// dev-only < pre-release < release < post-release, dev releases before the
// version they precede, and a local label after the same public version.
func (v Version) Compare(w Version) int {
	if v.s == w.s {
		return 0
	}
	if v.s == "" {
		return -1
	}
	if w.s == "" {
		return 1
	}
	if c := cmpNum(v.Epoch(), w.Epoch()); c != 0 {
		return c
	}
	if c := cmpRelease(v.s[v.relStart:v.relEnd], w.s[w.relStart:w.relEnd]); c != 0 {
		return c
	}
	if c := cmpInt(v.preRank(), w.preRank()); c != 0 {
		return c
	}
	if v.preKind != preNone {
		_, a, _ := v.Pre()
		_, b, _ := w.Pre()
		if c := cmpNum(a, b); c != 0 {
			return c
		}
	}
	a, va := v.Post()
	b, wa := w.Post()
	if va != wa {
		return boolCmp(va)
	}
	if c := cmpNum(a, b); va && c != 0 {
		return c
	}
	a, va = v.Dev()
	b, wa = w.Dev()
	if va != wa {
		return -boolCmp(va) // no dev segment sorts after one
	}
	if c := cmpNum(a, b); va && c != 0 {
		return c
	}
	return cmpLocal(v.Local(), w.Local())
}

// preRank orders the pre-release slot of packaging's sort key: a bare
// development release (1.0.dev1) before any pre-release, a, b, rc, and no
// pre-release last.
func (v Version) preRank() int {
	switch {
	case v.preKind != preNone:
		return int(v.preKind)
	case v.hasDev() && !v.IsPostrelease():
		return 0
	}
	return 4
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// boolCmp returns +1 when only the receiver side has a segment.
func boolCmp(has bool) int {
	if has {
		return 1
	}
	return -1
}

// cmpNum compares decimal numbers without leading zeros.
func cmpNum(a, b string) int {
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// nextPart splits s at its first dot; an empty s yields "0", the padding
// that makes 1.0 equal 1.
func nextPart(s string) (head, rest string) {
	for i := 0; i < len(s); i++ { // versions are short: faster than IndexByte
		if s[i] == '.' {
			return s[:i], s[i+1:]
		}
	}
	if s == "" {
		return "0", ""
	}
	return s, ""
}

func cmpRelease(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a = nextPart(a)
		y, b = nextPart(b)
		if c := cmpNum(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// cmpLocal orders normalised local labels: no label first, then segment by
// segment with numbers above words, numbers numerically, words as strings,
// and a label before any longer label it is a prefix of.
func cmpLocal(a, b string) int {
	for {
		switch {
		case a == "" && b == "":
			return 0
		case a == "":
			return -1
		case b == "":
			return 1
		}
		var x, y string
		x, a = nextPart(a)
		y, b = nextPart(b)
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			c = cmpNum(x, y)
		case xn:
			return 1
		case yn:
			return -1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
