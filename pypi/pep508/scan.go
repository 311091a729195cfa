package pep508

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner mirrors packaging's _tokenizer.Tokenizer: the parser asks at each
// position whether one named token matches there, so the grammar decides
// which tokens are possible. Each method below is one of packaging's token
// regexes, written out by hand; where a regex relies on backtracking or on
// Python's Unicode-aware \b and \s, the method says so.
type scanner struct {
	src string
	pos int
}

// syntaxError is packaging's ParserSyntaxError: a message and the byte
// offset it points at.
type syntaxError struct {
	msg string
	pos int
}

func (e *syntaxError) Error() string { return e.msg }

func (s *scanner) fail(msg string) error { return &syntaxError{msg: msg, pos: s.pos} }

func (s *scanner) rest() string { return s.src[s.pos:] }

// ws consumes the WS token, [ \t]+.
func (s *scanner) ws() {
	for s.pos < len(s.src) && (s.src[s.pos] == ' ' || s.src[s.pos] == '\t') {
		s.pos++
	}
}

// atEnd is the END token, Python's "$": the end of the text or just before
// a final newline ("name\n" is a valid requirement).
func (s *scanner) atEnd() bool {
	return s.pos == len(s.src) || (s.pos == len(s.src)-1 && s.src[s.pos] == '\n')
}

// take consumes lit if the text continues with it.
func (s *scanner) take(lit string) bool {
	if strings.HasPrefix(s.rest(), lit) {
		s.pos += len(lit)
		return true
	}
	return false
}

// word consumes \bword\b: "in", "not", "and", "or".
func (s *scanner) word(w string) bool {
	end := s.pos + len(w)
	if !strings.HasPrefix(s.rest(), w) || !boundary(s.src, s.pos) || !boundary(s.src, end) {
		return false
	}
	s.pos = end
	return true
}

// identifier consumes \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b. The regex backtracks
// until the trailing \b holds, so "foo-" yields "foo", and "foo_é" yields
// nothing because "_" and "é" are both word characters.
func (s *scanner) identifier() (string, bool) {
	start := s.pos
	if start >= len(s.src) || !isAlnum(s.src[start]) || !boundary(s.src, start) {
		return "", false
	}
	end := start + 1
	for end < len(s.src) && (isAlnum(s.src[end]) || strings.IndexByte("._-", s.src[end]) >= 0) {
		end++
	}
	for ; end > start; end-- {
		if boundary(s.src, end) {
			s.pos = end
			return s.src[start:end], true
		}
	}
	return "", false
}

// markerVariables are the spellings the VARIABLE token accepts. None is a
// prefix of another, so at most one can match at a position.
var markerVariables = [...]string{
	"python_version", "python_full_version", "os_name", "os.name",
	"sys_platform", "sys.platform", "platform_release", "platform_system",
	"platform_version", "platform.version", "platform_machine",
	"platform.machine", "platform_python_implementation",
	"platform.python_implementation", "python_implementation",
	"implementation_name", "implementation_version", "extra",
}

// variable consumes a VARIABLE token and returns its name as packaging
// stores it: dots become underscores and python_implementation is an alias.
func (s *scanner) variable() (string, bool) {
	if !boundary(s.src, s.pos) {
		return "", false
	}
	for _, v := range markerVariables {
		if s.word(v) {
			v = strings.ReplaceAll(v, ".", "_")
			if v == "python_implementation" {
				v = "platform_python_implementation"
			}
			return v, true
		}
	}
	return "", false
}

// quoted consumes a QUOTED_STRING token, '[^']*' or "[^"]*", and returns
// its text with the quotes.
func (s *scanner) quoted() (string, bool) {
	if s.pos >= len(s.src) || (s.src[s.pos] != '\'' && s.src[s.pos] != '"') {
		return "", false
	}
	n := strings.IndexByte(s.src[s.pos+1:], s.src[s.pos])
	if n < 0 {
		return "", false
	}
	tok := s.src[s.pos : s.pos+n+2]
	s.pos += len(tok)
	return tok, true
}

// markerOp consumes an OP token, (===|==|~=|!=|<=|>=|<|>).
func (s *scanner) markerOp() (string, bool) {
	for _, op := range [...]string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"} {
		if s.take(op) {
			return op, true
		}
	}
	return "", false
}

// url consumes the URL token, [^ \t]+.
func (s *scanner) url() (string, bool) {
	start := s.pos
	for s.pos < len(s.src) && s.src[s.pos] != ' ' && s.src[s.pos] != '\t' {
		s.pos++
	}
	return s.src[start:s.pos], s.pos > start
}

// localTrail matches VERSION_LOCAL_LABEL_TRAIL, \+[a-z0-9]+(?:[-_\.][a-z0-9]+)*,
// which (unlike SPECIFIER) is case-sensitive.
func localTrail(src string, i int) bool {
	return i < len(src) && src[i] == '+' && i+1 < len(src) && isLowerAlnum(src[i+1])
}

// boundary is Python's \b at byte offset i: a word character on exactly one
// side, with Unicode word characters (str.isalnum() or "_").
func boundary(src string, i int) bool {
	before, after := false, false
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(src[:i])
		before = isWord(r)
	}
	if i < len(src) {
		r, _ := utf8.DecodeRuneInString(src[i:])
		after = isWord(r)
	}
	return before != after
}

func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || isAlnum(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isLowerAlnum(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
