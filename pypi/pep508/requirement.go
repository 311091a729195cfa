// Package pep508 parses dependency specifiers (PEP 508: the Requires-Dist
// lines of a distribution's metadata) and evaluates environment markers,
// with the semantics of the `packaging` library vendored in pip 24.2:
// the same strings are accepted, String prints what str() prints, and
// markers evaluate as Marker.evaluate does inside pip, quirks included
// (see Marker.String and Marker.EvaluateErr).
//
// Known, deliberate differences: letters are matched case-insensitively in
// ASCII only (Python also folds "ſ", "ı", "İ" and the Kelvin sign); a quoted
// marker value may not use a "\N{name}" escape or produce a lone surrogate;
// input must be valid UTF-8; non-ASCII extra names are lower-cased with
// Go's Unicode tables (Python's differ for a final capital sigma); and
// parentheses nest at most 1000 deep (Python gives up at about 450 with a
// RecursionError).
package pep508

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/pypi/pep440"
)

// ErrInvalidRequirement is wrapped by every error ParseRequirement returns.
var ErrInvalidRequirement = errors.New("invalid requirement")

// Requirement is one parsed dependency specifier, such as
// `requests[socks]>=2.8.1,==2.8.*; python_version < "3.8"`.
type Requirement struct {
	Name string // as written
	// Extras are the requested extras normalised (PEP 685: lower case, runs
	// of "-", "_", "." as one "-"), sorted and without duplicates: the form
	// pip compares them in.
	Extras    []string
	Specifier pep440.SpecifierSet // the zero set when there is none
	URL       string              // for `name @ url`, as written
	Marker    *Marker             // nil when there is none

	// written are the extras as written, sorted and deduplicated, which is
	// what packaging prints.
	written []string
}

// ParseRequirement parses s as packaging.requirements.Requirement does.
func ParseRequirement(s string) (Requirement, error) {
	if !utf8.ValidString(s) {
		return Requirement{}, fmt.Errorf("%w %s: not valid UTF-8", ErrInvalidRequirement, quote(s))
	}
	sc := &scanner{src: s}
	r, err := parseRequirement(sc)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return Requirement{}, fmt.Errorf("%w %s: %s at offset %d", ErrInvalidRequirement, quote(s), se.msg, se.pos)
		}
		return Requirement{}, fmt.Errorf("%w %s: %v", ErrInvalidRequirement, quote(s), err)
	}
	return r, nil
}

// parseRequirement is
// requirement = WS? IDENTIFIER WS? extras WS? requirement_details END.
func parseRequirement(sc *scanner) (Requirement, error) {
	var r Requirement
	sc.ws()
	name, ok := sc.identifier()
	if !ok {
		return r, sc.fail("expected package name at the start of dependency specifier")
	}
	r.Name = name
	sc.ws()
	extras, err := parseExtras(sc)
	if err != nil {
		return r, err
	}
	for _, x := range extras {
		r.Extras = append(r.Extras, normalizeName(x))
	}
	slices.Sort(extras)
	slices.Sort(r.Extras)
	r.written, r.Extras = slices.Compact(extras), slices.Compact(r.Extras)
	sc.ws()

	var marker *expr
	var spec string
	if sc.take("@") {
		sc.ws()
		if r.URL, ok = sc.url(); !ok {
			return r, sc.fail("expected URL after @")
		}
		// The URL runs to the next blank, so a marker needs one before ";".
		if sc.ws(); !sc.atEnd() {
			if marker, err = parseRequirementMarker(sc, "URL and whitespace"); err != nil {
				return r, err
			}
		}
	} else {
		if spec, err = parseSpecifier(sc); err != nil {
			return r, err
		}
		sc.ws()
		if !sc.atEnd() {
			after := "name and no valid version specifier"
			if spec != "" {
				after = "version specifier"
			}
			if marker, err = parseRequirementMarker(sc, after); err != nil {
				return r, err
			}
		}
	}
	if !sc.atEnd() {
		return r, sc.fail("expected end of dependency specifier")
	}
	// Like packaging, validate the specifiers once the syntax is known good.
	if r.Specifier, err = pep440.ParseSpecifierSet(spec); err != nil {
		return r, err
	}
	if marker != nil {
		r.Marker = newMarker(*marker)
	}
	return r, nil
}

// parseExtras is extras = ("[" WS? (IDENTIFIER (WS? "," WS? IDENTIFIER)*)? WS? "]")?.
func parseExtras(sc *scanner) ([]string, error) {
	open := sc.pos
	if !sc.take("[") {
		return nil, nil
	}
	sc.ws()
	var extras []string
	if x, ok := sc.identifier(); ok {
		extras = append(extras, x)
		for {
			sc.ws()
			if _, ok := (&scanner{src: sc.src, pos: sc.pos}).identifier(); ok {
				return nil, sc.fail("expected comma between extra names")
			}
			if !sc.take(",") {
				break
			}
			sc.ws()
			x, ok := sc.identifier()
			if !ok {
				return nil, sc.fail("expected extra name after comma")
			}
			extras = append(extras, x)
		}
	}
	sc.ws()
	if !sc.take("]") {
		return nil, &syntaxError{msg: "expected matching ] for [, after extras", pos: open}
	}
	return extras, nil
}

// parseSpecifier is specifier = "(" WS? version_many WS? ")" | WS? version_many WS?,
// with version_many = (SPECIFIER (WS? "," WS? SPECIFIER)*)?, and returns
// the specifiers' text joined by commas, as packaging passes it to
// SpecifierSet.
func parseSpecifier(sc *scanner) (string, error) {
	open := sc.pos
	paren := sc.take("(")
	sc.ws()
	var b strings.Builder
	for {
		start := sc.pos
		end, ok := specifierToken(sc.src, start)
		if !ok {
			break
		}
		b.WriteString(sc.src[start:end])
		sc.pos = end
		if strings.HasPrefix(sc.rest(), ".*") {
			return "", &syntaxError{msg: ".* suffix can only be used with `==` or `!=` operators", pos: start}
		}
		if localTrail(sc.src, sc.pos) {
			return "", &syntaxError{msg: "local version label can only be used with `==` or `!=` operators", pos: start}
		}
		sc.ws()
		if !sc.take(",") {
			break
		}
		b.WriteByte(',')
		sc.ws()
	}
	sc.ws()
	if paren && !sc.take(")") {
		return "", &syntaxError{msg: "expected matching ) for (, after version specifier", pos: open}
	}
	return b.String(), nil
}

// parseRequirementMarker is requirement_marker = ";" marker WS?.
func parseRequirementMarker(sc *scanner, after string) (*expr, error) {
	if !sc.take(";") {
		return nil, sc.fail("expected end or semicolon (after " + after + ")")
	}
	e, err := parseMarker(sc, 0)
	if err != nil {
		return nil, err
	}
	sc.ws()
	return &e, nil
}

// String returns the requirement as packaging prints it: the name as
// written, the extras sorted, the specifiers sorted and joined by commas,
// and "@ url" or "; marker" as written:
// `name[Extra_2,extra1]<2,>=1.0; python_version < "3.8"`. A URL is printed
// in full, credentials included. The extras are those of the parsed text;
// for a Requirement built by hand, Extras.
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	extras := r.written
	if extras == nil {
		extras = r.Extras
	}
	if len(extras) > 0 {
		b.WriteString("[" + strings.Join(extras, ",") + "]")
	}
	if r.Specifier.Len() > 0 {
		b.WriteString(r.Specifier.String())
	}
	if r.URL != "" {
		b.WriteString("@ " + r.URL)
		if r.Marker != nil {
			b.WriteByte(' ')
		}
	}
	if r.Marker != nil {
		b.WriteString("; " + r.Marker.String())
	}
	return b.String()
}

// quote quotes a requirement for an error message, with any credentials in
// a URL ("https://user:secret@host/...") replaced by "****".
func quote(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			break
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		host := s
		if j := strings.IndexAny(host, "/?# \t"); j >= 0 {
			host = host[:j]
		}
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			b.WriteString("****")
			s = s[at:]
		}
	}
	b.WriteString(s)
	return fmt.Sprintf("%q", b.String())
}
