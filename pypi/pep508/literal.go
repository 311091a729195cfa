package pep508

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyString decodes a QUOTED_STRING token as packaging does, with
// ast.literal_eval: the text between the quotes is a Python string literal,
// so backslash escapes apply ("\x41" is "A", an unknown escape such as "\d"
// stays as written, a backslash-newline disappears) and a raw line break,
// a NUL or a trailing lone backslash is a syntax error.
//
// Two deliberate differences: "\N{name}" needs Unicode's name table, and an
// escape that makes a lone surrogate ("\ud800") has no UTF-8 form; both are
// errors here, where Python accepts them.
func pyString(tok string) (string, error) {
	body := tok[1 : len(tok)-1]
	if !strings.ContainsAny(body, "\\\n\r\x00") {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '\n', '\r':
			return "", errors.New("unterminated string literal (line break inside quotes)")
		case 0:
			return "", errors.New("string literal contains a NUL character")
		case '\\':
		default:
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", errors.New("unterminated string literal (ends with a backslash)")
		}
		switch e := body[i]; e {
		case '\n':
		case '\r':
			// Python reads "\r\n" and a lone "\r" as a newline.
			if i+1 < len(body) && body[i+1] == '\n' {
				i++
			}
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n := 1
			for n < 3 && i+n < len(body) && '0' <= body[i+n] && body[i+n] <= '7' {
				n++
			}
			v, _ := strconv.ParseUint(body[i:i+n], 8, 32)
			b.WriteRune(rune(v))
			i += n - 1
		case 'x', 'u', 'U':
			n := 2
			if e == 'u' {
				n = 4
			} else if e == 'U' {
				n = 8
			}
			if i+1+n > len(body) || !isHex(body[i+1:i+1+n]) {
				return "", errors.New(`truncated \` + string(e) + " escape")
			}
			v, _ := strconv.ParseUint(body[i+1:i+1+n], 16, 32)
			if v > utf8.MaxRune {
				return "", errors.New(`illegal Unicode character in \U escape`)
			}
			if 0xd800 <= v && v <= 0xdfff {
				return "", errors.New("escape makes a lone surrogate, which has no UTF-8 form")
			}
			b.WriteRune(rune(v))
			i += n
		case 'N':
			return "", errors.New(`\N{...} escapes are not supported`)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !('a' <= s[i]|0x20 && s[i]|0x20 <= 'f') {
			return false
		}
	}
	return true
}
