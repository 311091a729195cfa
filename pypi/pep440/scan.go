package pep440

// The scanner below accepts exactly the language of packaging's
// VERSION_PATTERN (re.VERBOSE | re.IGNORECASE, anchored with \s* on both
// sides). A hand-written scanner is several times faster than regexp, and the
// pattern needs no real backtracking: every optional part starts with a
// character no later part can start with, so taking the longest match of each
// part in turn finds the same parse as Python's backtracking engine. In
// particular a separator after a label is consumed even when no number
// follows ("1.0a-" is 1.0a0), exactly as the regex does.

// maxDigits is CPython's default limit for int() of a decimal string
// (sys.get_int_max_str_digits); packaging fails on longer numbers.
const maxDigits = 4300

const (
	whyUnexpected = "unexpected character"
	whyEmpty      = "empty"
	whyDigits     = "a number has more than 4300 digits"
)

// parts holds the raw pieces of a version as written, before normalisation.
type parts struct {
	epoch   string // digits, "" when absent
	release string // digits and dots, as written
	preKind uint8
	preNum  string // digits, possibly "" (meaning 0)
	postNum string
	devNum  string
	local   string // as written, without "+"
	post    bool
	dev     bool
	// tooLong: the grammar matched but a number is over maxDigits, where
	// packaging's int() raises ValueError rather than InvalidVersion.
	tooLong bool
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSep(c byte) bool   { return c == '.' || c == '-' || c == '_' }
func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }

// digits returns the end of the run of ASCII digits starting at i.
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// hasFold reports whether s starts with the lower-case ASCII word w, in any case.
func hasFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if s[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// preLabel matches alpha|a|beta|b|preview|pre|c|rc at s[i:].
func preLabel(s string, i int) (kind uint8, n int) {
	if i >= len(s) {
		return preNone, 0
	}
	t := s[i:]
	switch t[0] | 0x20 {
	case 'a':
		if hasFold(t, "alpha") {
			return preA, 5
		}
		return preA, 1
	case 'b':
		if hasFold(t, "beta") {
			return preB, 4
		}
		return preB, 1
	case 'c':
		return preRC, 1
	case 'p':
		if hasFold(t, "preview") {
			return preRC, 7
		}
		if hasFold(t, "pre") {
			return preRC, 3
		}
	case 'r':
		if hasFold(t, "rc") {
			return preRC, 2
		}
	}
	return preNone, 0
}

// postLabel matches post|rev|r at s[i:] and returns its length, or 0.
func postLabel(s string, i int) int {
	t := s[i:]
	switch {
	case hasFold(t, "post"):
		return 4
	case hasFold(t, "rev"):
		return 3
	case hasFold(t, "r"):
		return 1
	}
	return 0
}

// labelNumber scans the optional separator and digits after a label at i.
func labelNumber(s string, i int) (num string, end int) {
	if i < len(s) && isSep(s[i]) {
		i++
	}
	e := digits(s, i)
	return s[i:e], e
}

// scan fills p from the whitespace-trimmed s. On failure it returns the
// offset and a reason.
func (p *parts) scan(s string) (int, string) {
	if s == "" {
		return 0, whyEmpty
	}
	i := 0
	if s[0]|0x20 == 'v' {
		i++
	}
	j := digits(s, i)
	if j == i {
		return i, whyUnexpected
	}
	if j < len(s) && s[j] == '!' {
		p.tooLong = j-i > maxDigits
		p.epoch = s[i:j]
		i = j + 1
		if j = digits(s, i); j == i {
			return i, whyUnexpected
		}
	}
	start := i
	for {
		p.tooLong = p.tooLong || j-i > maxDigits
		i = j
		if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
			j = digits(s, i+1)
			i++
			continue
		}
		break
	}
	p.release = s[start:i]

	k := i
	if k < len(s) && isSep(s[k]) {
		k++
	}
	if kind, n := preLabel(s, k); kind != preNone {
		p.preKind = kind
		p.preNum, i = labelNumber(s, k+n)
	}

	if i+1 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
		p.post = true
		j = digits(s, i+1)
		p.postNum, i = s[i+1:j], j
	} else {
		k = i
		if k < len(s) && isSep(s[k]) {
			k++
		}
		if n := postLabel(s, k); n > 0 {
			p.post = true
			p.postNum, i = labelNumber(s, k+n)
		}
	}

	k = i
	if k < len(s) && isSep(s[k]) {
		k++
	}
	if hasFold(s[k:], "dev") {
		p.dev = true
		p.devNum, i = labelNumber(s, k+3)
	}
	p.tooLong = p.tooLong || len(p.preNum) > maxDigits || len(p.postNum) > maxDigits || len(p.devNum) > maxDigits

	if i < len(s) && s[i] == '+' {
		k = i + 1
		for {
			seg := k
			for k < len(s) && isAlnum(s[k]) {
				k++
			}
			if k == seg {
				return k, whyUnexpected
			}
			p.tooLong = p.tooLong || k-seg > maxDigits && digits(s, seg) == k
			if k < len(s) && isSep(s[k]) {
				k++
				continue
			}
			break
		}
		p.local = s[i+1 : k]
		i = k
	}
	if i != len(s) {
		return i, whyUnexpected
	}
	if p.tooLong {
		return 0, whyDigits
	}
	return 0, ""
}

// appendNum appends the decimal digits d without leading zeros.
func appendNum(b []byte, d string) []byte {
	for len(d) > 1 && d[0] == '0' {
		d = d[1:]
	}
	if d == "" {
		d = "0"
	}
	return append(b, d...)
}

// build appends the normalised form of p to b and returns the offsets of its
// segments in a Version whose string field the caller sets.
func (p *parts) build(b []byte) ([]byte, Version) {
	var v Version
	e := appendNum(b, p.epoch)
	if len(e) == 1 && e[0] == '0' {
		b = e[:0]
	} else {
		b = append(e, '!')
		v.relStart = uint32(len(b))
	}
	r := p.release
	for {
		n := 0
		for n < len(r) && r[n] != '.' {
			n++
		}
		b = appendNum(b, r[:n])
		if n == len(r) {
			break
		}
		b = append(b, '.')
		r = r[n+1:]
	}
	v.relEnd = uint32(len(b))
	if p.preKind != preNone {
		v.preKind = p.preKind
		b = append(b, preLabels[p.preKind]...)
		b = appendNum(b, p.preNum)
	}
	v.preEnd = uint32(len(b))
	if p.post {
		b = append(b, ".post"...)
		b = appendNum(b, p.postNum)
	}
	v.postEnd = uint32(len(b))
	if p.dev {
		b = append(b, ".dev"...)
		b = appendNum(b, p.devNum)
	}
	v.devEnd = uint32(len(b))
	if p.local != "" {
		b = append(b, '+')
		b = appendLocal(b, p.local)
	}
	return b, v
}

// appendLocal normalises a local label: separators become ".", numeric
// segments lose leading zeros, letters are lower-cased.
func appendLocal(b []byte, l string) []byte {
	for {
		n, numeric := 0, true
		for n < len(l) && !isSep(l[n]) {
			numeric = numeric && isDigit(l[n])
			n++
		}
		if numeric {
			b = appendNum(b, l[:n])
		} else {
			for i := 0; i < n; i++ {
				c := l[i]
				if 'A' <= c && c <= 'Z' {
					c |= 0x20
				}
				b = append(b, c)
			}
		}
		if n == len(l) {
			return b
		}
		b = append(b, '.')
		l = l[n+1:]
	}
}
