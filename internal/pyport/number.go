package pyport

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotNumber is what Float, Int and OptparseInt return for a string
// Python would refuse with ValueError. It never quotes the input, so the
// caller decides how (and whether redacted) to show it.
var ErrNotNumber = errors.New("not a number")

// Float is Python's float(str): Unicode digits and spaces allowed,
// underscores only between digits (Python 3.6+), inf/infinity/nan with a
// sign, and overflow gives ±Inf as Python does.
func Float(v string) (float64, error) {
	s := strings.Trim(ASCIIDigits(v), asciiSpace)
	if !floatRE.MatchString(s) {
		return 0, ErrNotNumber
	}
	if t := strings.TrimLeft(s, "+-"); strings.EqualFold(t, "nan") {
		return math.NaN(), nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // Python overflows to inf
		return 0, ErrNotNumber
	}
	return f, nil
}

var floatRE = func() *regexp.Regexp {
	digits := `[0-9](?:_?[0-9])*`
	num := `(?:` + digits + `(?:\.(?:` + digits + `)?)?|\.` + digits + `)(?:[eE][+-]?` + digits + `)?`
	return regexp.MustCompile(`^[+-]?(?:` + num + `|(?i:inf|infinity|nan))$`)
}()

// OptparseInt is optparse's _parse_int: the radix comes from the raw
// value's prefix ("0x", "0b", a leading "0" means octal), then int(s, base)
// does the rest. Values beyond int64 are refused (Python has no limit).
func OptparseInt(v string) (int64, error) {
	switch {
	case len(v) >= 2 && v[0] == '0' && (v[1]|0x20) == 'x':
		return Int(v, 16)
	case len(v) >= 2 && v[0] == '0' && (v[1]|0x20) == 'b':
		rest := v[2:]
		if rest == "" {
			rest = "0"
		}
		return Int(rest, 2)
	case strings.HasPrefix(v, "0"):
		return Int(v, 8)
	}
	return Int(v, 10)
}

// Int is Python's int(str, base) for bases 2, 8, 10 and 16: Unicode digits
// and surrounding spaces allowed, an optional sign, the base's "0x"/"0o"/
// "0b" prefix, underscores between digits (Python 3.6+). Values beyond
// int64 are refused (Python has no limit).
func Int(v string, base int64) (int64, error) {
	s := strings.Trim(ASCIIDigits(v), asciiSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	afterPrefix := false
	if len(s) >= 2 && s[0] == '0' {
		p := s[1] | 0x20
		if base == 16 && p == 'x' || base == 8 && p == 'o' || base == 2 && p == 'b' {
			s, afterPrefix = s[2:], true
		}
	}
	var n int64
	prevDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if !(prevDigit || i == 0 && afterPrefix) || i == len(s)-1 {
				return 0, ErrNotNumber
			}
			prevDigit = false
			continue
		}
		d := int64(36)
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			d = int64(c|0x20-'a') + 10
		}
		if d >= base {
			return 0, ErrNotNumber
		}
		if n > (math.MaxInt64-d)/base {
			return 0, ErrNotNumber
		}
		n = n*base + d
		prevDigit = true
	}
	if !prevDigit {
		return 0, ErrNotNumber
	}
	if neg {
		n = -n
	}
	return n, nil
}

// asciiSpace is what float() and int() strip (Py_ISSPACE), after
// ASCIIDigits turned non-ASCII spaces into ' '; unlike str.strip() it
// leaves 0x1c-0x1f.
const asciiSpace = " \t\n\v\f\r"

// ASCIIDigits is CPython's _PyUnicode_TransformDecimalAndSpaceToASCII,
// which float() and int() apply first: Unicode decimal digits become ASCII
// digits, Unicode spaces ' ', and other non-ASCII '?'.
func ASCIIDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < utf8.RuneSelf:
			return r
		case IsSpace(r):
			return ' '
		case unicode.Is(unicode.Nd, r):
			// Decimal digits come in runs of ten starting at zero.
			start := r
			for unicode.Is(unicode.Nd, start-1) {
				start--
			}
			return '0' + (r-start)%10
		}
		return '?'
	}, s)
}
