package pep440

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
)

// ErrInvalidSpecifier is wrapped by every error ParseSpecifier and
// ParseSpecifierSet return.
var ErrInvalidSpecifier = errors.New("invalid specifier")

type operator uint8

const (
	opNone operator = iota
	opCompatible
	opEqual
	opNotEqual
	opLessEqual
	opGreaterEqual
	opLess
	opGreater
	opArbitrary
)

var operators = [...]string{
	opCompatible: "~=", opEqual: "==", opNotEqual: "!=", opLessEqual: "<=",
	opGreaterEqual: ">=", opLess: "<", opGreater: ">", opArbitrary: "===",
}

// Specifier is one clause of a version specifier, such as ">=1.0",
// "==2.*" or "~=1.4.5a4". The zero Specifier contains nothing.
type Specifier struct {
	op   operator
	text string  // the version as written, trimmed: String() keeps it
	v    Version // the parsed version; for "==X.*" it is X
	// prefix is packaging's split form of the prefix that "==X.*", "!=X.*"
	// and "~=" match against, and prefixRel the length of its leading run
	// of numbers (see prefixMatch).
	prefix    []string
	prefixRel int
	wildcard  bool
	// pre is packaging's Specifier.prereleases; preErr marks an "==="
	// clause whose version is not valid, where packaging raises instead.
	// broken marks a wildcard clause with a number over CPython's int()
	// limit, where packaging raises on every match.
	pre    bool
	preErr bool
	broken bool
	key    string // packaging's _canonical_spec, which SpecifierSet dedups on
}

// ParseSpecifier parses one clause, as packaging.specifiers.Specifier does.
func ParseSpecifier(s string) (Specifier, error) {
	if !utf8.ValidString(s) {
		return Specifier{}, specErr(s, "not valid UTF-8")
	}
	t := pyport.Strip(s)
	var sp Specifier
	switch {
	case strings.HasPrefix(t, "==="):
		// "==" followed by a version can never start with "=", so the
		// arbitrary-equality operator is unambiguous.
		sp.op = opArbitrary
	case strings.HasPrefix(t, "~="):
		sp.op = opCompatible
	case strings.HasPrefix(t, "=="):
		sp.op = opEqual
	case strings.HasPrefix(t, "!="):
		sp.op = opNotEqual
	case strings.HasPrefix(t, "<="):
		sp.op = opLessEqual
	case strings.HasPrefix(t, ">="):
		sp.op = opGreaterEqual
	case strings.HasPrefix(t, "<"):
		sp.op = opLess
	case strings.HasPrefix(t, ">"):
		sp.op = opGreater
	default:
		return Specifier{}, specErr(s, "no operator (one of ~= == != <= >= < > ===)")
	}
	sp.text = pyport.Strip(t[len(operators[sp.op]):])
	if err := sp.parseVersion(); err != nil {
		return Specifier{}, specErr(s, err.Error())
	}
	sp.key = operators[sp.op] + " " + canonicalize(sp.text, sp.op != opCompatible)
	return sp, nil
}

func specErr(s, why string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidSpecifier, clip(s, 80), why)
}

// parseVersion checks sp.text against the version pattern packaging allows
// for sp.op and precomputes what matching needs.
func (sp *Specifier) parseVersion() error {
	if sp.op == opArbitrary {
		// Anything without whitespace, ";" or ")" (they end a requirement).
		for _, r := range sp.text {
			if pyport.IsSpace(r) || r == ';' || r == ')' {
				return fmt.Errorf("unexpected %q in arbitrary version", r)
			}
		}
		// packaging canonicalises the text to hash the clause: a valid
		// version with an over-long number raises there, anything else
		// invalid is kept as it is.
		var p parts
		if _, why := p.scan(pyport.Strip(sp.text)); why == whyDigits {
			return errors.New(why)
		}
		v, err := Parse(sp.text)
		sp.v, sp.pre, sp.preErr = v, v.IsPrerelease(), err != nil
		return nil
	}
	text := sp.text
	if (sp.op == opEqual || sp.op == opNotEqual) && strings.HasSuffix(text, ".*") {
		sp.wildcard = true
		text = text[:len(text)-2]
	}
	var p parts
	if pos, why := p.scan(text); why != "" {
		if why == whyDigits && sp.wildcard {
			// packaging accepts the clause (its text is not a version, so
			// hashing it does not convert the number) but raises on every
			// use: it matches nothing.
			sp.broken, sp.preErr = true, true
			return nil
		}
		if why == whyUnexpected && pos < len(text) {
			return fmt.Errorf("unexpected %q in version", clip(text[pos:], 8))
		}
		return errors.New(why)
	}
	switch {
	case sp.wildcard && (p.preKind != preNone || p.post || p.dev || p.local != ""):
		return errors.New(".* may only follow a release segment")
	case p.local != "" && sp.op != opEqual && sp.op != opNotEqual:
		return fmt.Errorf("a local version is not allowed with %s", operators[sp.op])
	case sp.op == opCompatible && !strings.Contains(p.release, "."):
		return errors.New("~= needs a release with at least two numbers")
	}
	var buf [64]byte
	b, v := p.build(buf[:0])
	v.s = string(b)
	sp.v = v
	switch sp.op {
	case opEqual, opGreaterEqual, opLessEqual, opCompatible:
		sp.pre = v.IsPrerelease()
	}
	switch {
	case sp.wildcard:
		sp.prefix = versionSplit(v.String())
	case sp.op == opCompatible:
		sp.prefix = compatiblePrefix(sp.text)
	}
	for sp.prefixRel < len(sp.prefix) && allDigits(sp.prefix[sp.prefixRel]) {
		sp.prefixRel++
	}
	return nil
}

// String returns the clause as packaging prints it: the operator followed by
// the version exactly as written.
func (sp Specifier) String() string {
	if sp.op == opNone {
		return ""
	}
	return operators[sp.op] + sp.text
}

// Operator returns the operator, such as ">=" or "~=".
func (sp Specifier) Operator() string { return operators[sp.op] }

// Version returns the version text as written in the clause.
func (sp Specifier) Version() string { return sp.text }

// Prereleases reports whether the clause admits pre-releases by default:
// packaging's Specifier.prereleases, true when an inclusive operator names
// a pre-release.
func (sp Specifier) Prereleases() bool { return sp.pre }

// Contains reports whether v satisfies the clause with packaging's default
// pre-release handling: Specifier(s).contains(v).
func (sp Specifier) Contains(v Version) bool {
	if sp.preErr {
		return false // packaging raises InvalidVersion here
	}
	return sp.ContainsPre(v, sp.pre)
}

// ContainsPre is Specifier(s).contains(v, prereleases=pre).
func (sp Specifier) ContainsPre(v Version, pre bool) bool {
	if v.IsZero() || sp.op == opNone || sp.broken || (!pre && v.IsPrerelease()) {
		return false
	}
	switch sp.op {
	case opCompatible:
		return v.Public().Compare(sp.v) >= 0 && prefixMatch(v, sp.prefix, sp.prefixRel)
	case opEqual:
		return sp.equal(v)
	case opNotEqual:
		return !sp.equal(v)
	case opLessEqual:
		return v.Public().Compare(sp.v) <= 0
	case opGreaterEqual:
		return v.Public().Compare(sp.v) >= 0
	case opLess:
		// <3.1 excludes 3.1.dev0 unless the clause itself names a pre-release.
		return v.Compare(sp.v) < 0 &&
			(sp.v.IsPrerelease() || !v.IsPrerelease() || !sameBase(v, sp.v))
	case opGreater:
		// >3.1 excludes 3.1.post1 and 3.1+local.
		return v.Compare(sp.v) > 0 &&
			(sp.v.IsPostrelease() || !v.IsPostrelease() || !sameBase(v, sp.v)) &&
			(!v.hasLocal() || !sameBase(v, sp.v))
	case opArbitrary:
		return lowerEqual(v.String(), sp.text)
	}
	return false
}

func sameBase(v, w Version) bool { return v.BaseVersion().Compare(w.BaseVersion()) == 0 }

func (sp Specifier) equal(v Version) bool {
	if sp.wildcard {
		return prefixMatch(v, sp.prefix, sp.prefixRel)
	}
	if !sp.v.hasLocal() {
		v = v.Public()
	}
	return v.Compare(sp.v) == 0
}

// lowerEqual reports whether the ASCII string norm equals text.lower() in
// Python. The only non-ASCII character whose lower() is ASCII is the Kelvin
// sign, which lowers to "k".
func lowerEqual(norm, text string) bool {
	i := 0
	for _, r := range text {
		switch {
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r == '\u212a':
			r = 'k'
		case r >= utf8.RuneSelf:
			return false
		}
		if i >= len(norm) || norm[i] != byte(r) {
			return false
		}
		i++
	}
	return i == len(norm)
}

// Canonicalize is packaging.utils.canonicalize_version(text): the
// normalised form without trailing ".0"s of the release ("2.0.0" and "2"
// are one version), or text itself when it is not a valid version. It
// makes keys under which equal versions meet.
func Canonicalize(text string) string { return canonicalize(text, true) }

// canonicalize is packaging.utils.canonicalize_version: the normalised form,
// with trailing ".0"s of the release removed when strip is set, or the text
// itself when it is not a valid version.
func canonicalize(text string, strip bool) string {
	v, err := Parse(text)
	if err != nil {
		return text
	}
	if !strip {
		return v.String()
	}
	rel := v.s[v.relStart:v.relEnd]
	for strings.HasSuffix(rel, ".0") {
		rel = rel[:len(rel)-2]
	}
	return v.s[:v.relStart] + rel + v.s[v.relEnd:]
}
