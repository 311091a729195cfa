package pep508

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidMarker is wrapped by every error ParseMarker returns.
var ErrInvalidMarker = errors.New("invalid marker")

// Evaluation errors, where packaging's Marker.evaluate raises: a marker
// compares a variable the environment lacks (KeyError), uses an operator
// that is neither a valid version specifier nor a string comparison
// (UndefinedComparison, e.g. os_name ~= "x"), or compares a value that is
// not a version with a version specifier (InvalidVersion, e.g.
// platform_release >= "5" where platform_release is "6.1.0-18-amd64"; such
// errors wrap pep440.ErrInvalidVersion).
var (
	ErrUndefinedEnvironmentName = errors.New("marker variable not in the environment")
	ErrUndefinedComparison      = errors.New("undefined comparison")
)

// maxDepth bounds parenthesis nesting. packaging itself stops with a
// RecursionError at about 450 levels; this keeps pathological input from
// exhausting the stack.
const maxDepth = 1000

// Marker is a parsed environment marker, such as
// `python_version < "3.8" and sys_platform == "win32"`.
type Marker struct {
	root expr
}

// expr is packaging's marker list: terms joined by "and"/"or", without
// precedence until evaluation. Keeping packaging's shape matters because
// its String output depends on it.
type expr struct {
	terms []term
	ops   []string // ops[i] joins terms[i] and terms[i+1]
}

// term is a parenthesised expression (sub) or one comparison.
type term struct {
	sub      *expr
	lhs, rhs operand
	op       string
}

// operand is a marker variable or a quoted value.
type operand struct {
	text  string
	isVar bool
}

func (o operand) serialize() string {
	if o.isVar {
		return o.text
	}
	// packaging writes the value between double quotes without escaping
	// anything, so a value holding `"` or `\` does not parse back.
	return `"` + o.text + `"`
}

// ParseMarker parses an environment marker as packaging.markers.Marker does.
func ParseMarker(s string) (*Marker, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w %q: not valid UTF-8", ErrInvalidMarker, s)
	}
	sc := &scanner{src: s}
	e, err := parseMarker(sc, 0)
	if err == nil && !sc.atEnd() {
		err = sc.fail("expected end of marker expression")
	}
	if err != nil {
		return nil, markerError(s, err)
	}
	return newMarker(e), nil
}

func markerError(s string, err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w %q: %s at offset %d", ErrInvalidMarker, s, se.msg, se.pos)
	}
	return fmt.Errorf("%w %q: %v", ErrInvalidMarker, s, err)
}

// newMarker applies packaging's _normalize_extra_values, which normalises
// the value compared with "extra" in the first comparison only, and only
// when that comparison is not parenthesised; it turns a variable on the
// other side into a value ("extra == os_name" becomes extra == "os-name").
func newMarker(e expr) *Marker {
	if t := &e.terms[0]; t.sub == nil {
		switch {
		case t.lhs.isVar && t.lhs.text == "extra":
			t.rhs = operand{text: normalizeName(t.rhs.text)}
		case t.rhs.isVar && t.rhs.text == "extra":
			t.lhs = operand{text: normalizeName(t.lhs.text)}
		}
	}
	return &Marker{root: e}
}

// parseMarker is marker = marker_atom (BOOLOP marker_atom)*.
func parseMarker(sc *scanner, depth int) (expr, error) {
	var e expr
	for {
		t, err := parseAtom(sc, depth)
		if err != nil {
			return expr{}, err
		}
		e.terms = append(e.terms, t)
		switch {
		case sc.word("or"):
			e.ops = append(e.ops, "or")
		case sc.word("and"):
			e.ops = append(e.ops, "and")
		default:
			return e, nil
		}
	}
}

// parseAtom is marker_atom = WS? "(" WS? marker WS? ")" WS? | WS? marker_item WS?.
func parseAtom(sc *scanner, depth int) (term, error) {
	sc.ws()
	var t term
	if open := sc.pos; sc.take("(") {
		if depth >= maxDepth {
			return term{}, sc.fail("parentheses nested too deeply")
		}
		sc.ws()
		e, err := parseMarker(sc, depth+1)
		if err != nil {
			return term{}, err
		}
		sc.ws()
		if !sc.take(")") {
			return term{}, &syntaxError{msg: "expected matching ) for (, after marker expression", pos: open}
		}
		t.sub = &e
	} else {
		var err error
		if t.lhs, err = parseOperand(sc); err != nil {
			return term{}, err
		}
		sc.ws()
		if t.op, err = parseOp(sc); err != nil {
			return term{}, err
		}
		sc.ws()
		if t.rhs, err = parseOperand(sc); err != nil {
			return term{}, err
		}
	}
	sc.ws()
	return t, nil
}

func parseOperand(sc *scanner) (operand, error) {
	if v, ok := sc.variable(); ok {
		return operand{text: v, isVar: true}, nil
	}
	start := sc.pos
	if tok, ok := sc.quoted(); ok {
		v, err := pyString(tok)
		if err != nil {
			return operand{}, &syntaxError{msg: err.Error(), pos: start}
		}
		return operand{text: v}, nil
	}
	return operand{}, sc.fail("expected a marker variable or quoted string")
}

// parseOp is marker_op = IN | NOT WS IN | OP.
func parseOp(sc *scanner) (string, error) {
	switch {
	case sc.word("in"):
		return "in", nil
	case sc.word("not"):
		before := sc.pos
		if sc.ws(); sc.pos == before {
			return "", sc.fail("expected whitespace after 'not'")
		}
		if !sc.word("in") {
			return "", sc.fail("expected 'in' after 'not'")
		}
		return "not in", nil
	}
	if op, ok := sc.markerOp(); ok {
		return op, nil
	}
	return "", sc.fail("expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
}

// String returns the marker as packaging prints it: single spaces, values
// in double quotes, and parentheses only around a parenthesised group of
// more than one comparison. Like packaging, it drops the parentheses of a
// doubly parenthesised group, so `((a or b)) and c` prints as
// `a or b and c`. A nil Marker prints as "".
func (m *Marker) String() string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	m.root.format(&b, true)
	return b.String()
}

// format is packaging's _format_marker.
func (e *expr) format(b *strings.Builder, first bool) {
	if len(e.terms) == 1 {
		e.terms[0].format(b, true)
		return
	}
	if !first {
		b.WriteByte('(')
	}
	for i := range e.terms {
		if i > 0 {
			b.WriteString(" " + e.ops[i-1] + " ")
		}
		e.terms[i].format(b, false)
	}
	if !first {
		b.WriteByte(')')
	}
}

func (t *term) format(b *strings.Builder, first bool) {
	if t.sub != nil {
		t.sub.format(b, first)
		return
	}
	b.WriteString(t.lhs.serialize() + " " + t.op + " " + t.rhs.serialize())
}
