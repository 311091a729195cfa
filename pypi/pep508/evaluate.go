package pep508

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pipup/pipup/pypi/pep440"
)

// Evaluate reports whether the marker holds for the target interpreter whose
// PEP 508 environment is env (os_name, sys_platform, platform_machine,
// platform_python_implementation, platform_release, platform_system,
// platform_version, python_version, python_full_version,
// implementation_name, implementation_version: the values of packaging's
// default_environment() in that interpreter).
//
// With extras, it holds when it holds for one of them, as pip decides
// whether a requirement applies when those extras were requested; without,
// "extra" is env["extra"], or "" when env has none. A nil Marker always
// holds. A marker that packaging cannot evaluate (see EvaluateErr) does not
// hold.
func (m *Marker) Evaluate(env map[string]string, extras ...string) bool {
	ok, err := m.EvaluateErr(env, extras...)
	return ok && err == nil
}

// EvaluateErr is Evaluate, with an error where packaging's Marker.evaluate
// raises (ErrUndefinedEnvironmentName, ErrUndefinedComparison or
// pep440.ErrInvalidVersion). Like packaging, it evaluates every comparison,
// so an error anywhere is reported even when the result would not depend on
// it, and like pip it stops at the first extra for which the marker holds.
func (m *Marker) EvaluateErr(env map[string]string, extras ...string) (bool, error) {
	if m == nil {
		return true, nil
	}
	if len(extras) == 0 {
		return m.root.eval(environment{env: env, extra: env["extra"]})
	}
	for _, x := range extras {
		ok, err := m.root.eval(environment{env: env, extra: x})
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

type environment struct {
	env   map[string]string
	extra string
}

func (e environment) get(key string) (string, error) {
	if key == "extra" {
		return e.extra, nil
	}
	v, ok := e.env[key]
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUndefinedEnvironmentName, key)
	}
	// packaging's workaround for interpreters built from an untagged
	// checkout, whose platform.python_version() ends in "+".
	if key == "python_full_version" && strings.HasSuffix(v, "+") {
		v += "local"
	}
	return v, nil
}

// eval is packaging's _evaluate_markers: "and" binds tighter than "or".
func (e *expr) eval(env environment) (bool, error) {
	result, group := false, true
	for i := range e.terms {
		if i > 0 && e.ops[i-1] == "or" {
			result, group = result || group, true
		}
		ok, err := e.terms[i].eval(env)
		if err != nil {
			return false, err
		}
		group = group && ok
	}
	return result || group, nil
}

func (t *term) eval(env environment) (bool, error) {
	if t.sub != nil {
		return t.sub.eval(env)
	}
	// As in packaging, a variable on the left is looked up and the right
	// side taken as written, even when it is a variable too; otherwise the
	// right side's text, value or variable name, is the key looked up.
	var key, lhs, rhs string
	var err error
	if t.lhs.isVar {
		key, rhs = t.lhs.text, t.rhs.text
		lhs, err = env.get(key)
	} else {
		key, lhs = t.rhs.text, t.lhs.text
		rhs, err = env.get(key)
	}
	if err != nil {
		return false, err
	}
	if key == "extra" {
		lhs, rhs = normalizeName(lhs), normalizeName(rhs)
	}
	return compare(lhs, t.op, rhs)
}

// compare is packaging's _eval_op: when the operator and the right side
// make a valid version specifier, the left side must be a version and is
// matched with pre-releases allowed; otherwise Python string comparison.
func compare(lhs, op, rhs string) (bool, error) {
	if spec, err := pep440.ParseSpecifier(op + rhs); err == nil {
		v, err := pep440.Parse(lhs)
		if err != nil {
			return false, fmt.Errorf("marker compares %q with %s%s: %w", lhs, op, rhs, err)
		}
		return spec.ContainsPre(v, true), nil
	}
	switch op {
	case "in":
		return strings.Contains(rhs, lhs), nil
	case "not in":
		return !strings.Contains(rhs, lhs), nil
	case "<":
		return lhs < rhs, nil
	case "<=":
		return lhs <= rhs, nil
	case "==":
		return lhs == rhs, nil
	case "!=":
		return lhs != rhs, nil
	case ">=":
		return lhs >= rhs, nil
	case ">":
		return lhs > rhs, nil
	}
	return false, fmt.Errorf("%w: %q %s %q", ErrUndefinedComparison, lhs, op, rhs)
}

// normalizeName is packaging's canonicalize_name (PEP 503, which PEP 685
// applies to extras): runs of "-", "_" and "." become "-", then lower case.
// Non-ASCII text is lower-cased with Go's tables, which differ from
// Python's str.lower() in rare cases (a final capital sigma).
func normalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	for _, r := range s {
		switch {
		case r == '-' || r == '_' || r == '.':
			if !sep {
				b.WriteByte('-')
			}
			sep = true
			continue
		case r < utf8.RuneSelf:
			b.WriteByte(byte(unicode.ToLower(r)))
		case r == '\u0130':
			b.WriteString("i\u0307") // Python's full lower-case mapping of İ
		default:
			b.WriteRune(unicode.ToLower(r))
		}
		sep = false
	}
	return b.String()
}
