package pip

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/pipup/pipup/pypi/pep440"
)

// The dependency pre-check decides, before any pip run, which upgrades
// need something that is neither installed nor among the downloaded files.
// Those go to a pip run that may use the indexes; the rest are installed
// with --no-index. Guessing wrong either way is safe (a --no-index run that
// misses a dependency fails before changing anything and is retried with
// the indexes), but a wrong "local" guess costs failed runs, so the check
// answers "needs the index" only when it is sure.

// requirement is the part of a PEP 508 string the pre-check uses.
type requirement struct {
	name      string // canonical
	specifier string // "" = any version
	marker    string // "" = always
}

// parseRequirement splits "name[extra] (>=1,<2) ; marker" or
// "name>=1 ; marker". URL requirements ("name @ url") come back with ok
// false: nothing local can satisfy them.
func parseRequirement(s string) (r requirement, ok bool) {
	s, marker, _ := strings.Cut(s, ";")
	r.marker = strings.TrimSpace(marker)
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		return r, false
	}
	end := 0
	for end < len(s) && (isNameChar(s[end])) {
		end++
	}
	if end == 0 {
		return r, false
	}
	r.name = canonicalName(s[:end])
	rest := strings.TrimSpace(s[end:])
	if strings.HasPrefix(rest, "[") {
		i := strings.IndexByte(rest, ']')
		if i < 0 {
			return r, false
		}
		rest = strings.TrimSpace(rest[i+1:])
	}
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "("), ")")
	r.specifier = strings.TrimSpace(rest)
	return r, true
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// satisfiedBy reports whether version v meets the specifier; ok is false
// when either cannot be parsed.
func (r requirement) satisfiedBy(v string) (yes, ok bool) {
	if r.specifier == "" {
		return true, true
	}
	set, err := pep440.ParseSpecifierSet(r.specifier)
	if err != nil {
		return false, false
	}
	pv, err := pep440.Parse(v)
	if err != nil {
		return false, false
	}
	// An installed pre-release satisfies a requirement, as in pip.
	return set.ContainsPre(pv, true), true
}

// wheelRequires reads Requires-Dist from a wheel's METADATA.
func wheelRequires(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		dir, base, ok := strings.Cut(f.Name, "/")
		if !ok || base != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		md, err := ParseMetadata(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return md.RequiresDist, nil
	}
	return nil, fmt.Errorf("read %s: no METADATA", path)
}

// needsIndex reports whether the new version's requirements name something
// that neither the environment (after this run's upgrades) nor the
// downloaded files provide. installed maps canonical names to versions as
// they will be once the run's targets are in.
func needsIndex(requires []string, markers map[string]string, installed map[string]string) (string, bool) {
	for _, s := range requires {
		r, ok := parseRequirement(s)
		if !ok {
			continue
		}
		if r.marker != "" {
			applies, known := evalMarker(r.marker, markers)
			if !known || !applies {
				continue // not sure it applies: let pip decide locally
			}
		}
		v, have := installed[r.name]
		if !have {
			return r.name, true
		}
		if yes, ok := r.satisfiedBy(v); ok && !yes {
			return r.name + r.specifier, true
		}
	}
	return "", false
}

// evalMarker evaluates a PEP 508 environment marker with the interpreter's
// marker values and no extra. known is false for anything it cannot parse.
// Markers that mention "extra" are false: pipup installs no extras.
func evalMarker(s string, env map[string]string) (result, known bool) {
	p := &markerParser{toks: tokenizeMarker(s), env: env}
	defer func() {
		if recover() != nil {
			result, known = false, false
		}
	}()
	v := p.or()
	if p.pos != len(p.toks) {
		return false, false
	}
	return v, true
}

type markerParser struct {
	toks []string
	pos  int
	env  map[string]string
}

func (p *markerParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *markerParser) next() string {
	t := p.peek()
	if t == "" {
		panic("marker: unexpected end")
	}
	p.pos++
	return t
}

func (p *markerParser) or() bool {
	v := p.and()
	for p.peek() == "or" {
		p.pos++
		w := p.and()
		v = v || w
	}
	return v
}

func (p *markerParser) and() bool {
	v := p.atom()
	for p.peek() == "and" {
		p.pos++
		w := p.atom()
		v = v && w
	}
	return v
}

func (p *markerParser) atom() bool {
	if p.peek() == "(" {
		p.pos++
		v := p.or()
		if p.next() != ")" {
			panic("marker: missing )")
		}
		return v
	}
	lhs := p.next()
	op := p.next()
	if op == "not" {
		if p.next() != "in" {
			panic("marker: bad operator")
		}
		op = "not in"
	}
	rhs := p.next()
	l, lvar := p.value(lhs)
	r, rvar := p.value(rhs)
	if lhs == "extra" || rhs == "extra" {
		return false
	}
	return compareMarker(l, op, r, lvar || rvar)
}

// value resolves a token: a quoted string, or a marker variable.
func (p *markerParser) value(tok string) (string, bool) {
	if len(tok) >= 2 && (tok[0] == '"' || tok[0] == '\'') {
		return tok[1 : len(tok)-1], false
	}
	if tok == "extra" {
		return "", true
	}
	v, ok := p.env[tok]
	if !ok {
		panic("marker: unknown variable " + tok)
	}
	return v, true
}

func compareMarker(l, op, r string, _ bool) bool {
	switch op {
	case "in":
		return strings.Contains(r, l)
	case "not in":
		return !strings.Contains(r, l)
	}
	// Versions compare as PEP 440 specifiers when they can, strings otherwise.
	if lv, err := pep440.Parse(l); err == nil {
		if spec, err := pep440.ParseSpecifier(op + r); err == nil {
			return spec.ContainsPre(lv, true)
		}
	}
	switch op {
	case "==", "===":
		return l == r
	case "!=":
		return l != r
	case "<":
		return l < r
	case "<=":
		return l <= r
	case ">":
		return l > r
	case ">=":
		return l >= r
	}
	panic("marker: bad operator " + op)
}

func tokenizeMarker(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return append(toks, "\x00") // unparseable
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		case strings.ContainsRune("<>=!~", rune(c)):
			j := i
			for j < len(s) && strings.ContainsRune("<>=!~", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && (isNameChar(s[j])) {
				j++
			}
			if j == i {
				return append(toks, "\x00")
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}
