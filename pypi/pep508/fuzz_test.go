package pep508

import (
	"strings"
	"testing"
)

// FuzzParseRequirement checks that ParseRequirement never panics, that
// Evaluate on its marker never panics, and that String parses back to the
// same String: exactly where packaging's str() does (see stableString).
func FuzzParseRequirement(f *testing.F) {
	for _, s := range trickyRequirements {
		f.Add(s)
	}
	for _, s := range requiresDist(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			return
		}
		for _, env := range testEnvs {
			r.Marker.EvaluateErr(env, "test")
		}
		if r.Marker != nil && !printable(r.Marker) {
			return
		}
		stableString(t, s, r.String(), r.Marker != nil && r.Marker.root.terms[0].sub != nil,
			func(s string) (string, error) {
				r, err := ParseRequirement(s)
				return r.String(), err
			})
	})
}

// FuzzParseMarker is FuzzParseRequirement for markers.
func FuzzParseMarker(f *testing.F) {
	for _, s := range trickyMarkers {
		f.Add(s)
	}
	for _, s := range markersOf(requiresDist(f)) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			return
		}
		for _, env := range testEnvs {
			m.EvaluateErr(env)
			m.EvaluateErr(env, "test", "Doc")
		}
		if !printable(m) {
			return
		}
		stableString(t, s, m.String(), m.root.terms[0].sub != nil, func(s string) (string, error) {
			m, err := ParseMarker(s)
			return m.String(), err
		})
	})
}

// stableString checks that printed parses back and prints the same. The
// one exception is packaging's: when the first comparison was in
// parentheses its extra was not normalised, and String drops those
// parentheses, so the next parse normalises it; the second print is stable.
func stableString(t *testing.T, in, printed string, firstParenthesised bool, reparse func(string) (string, error)) {
	again, err := reparse(printed)
	if err != nil {
		t.Fatalf("%q prints as %q, which does not parse: %v", in, printed, err)
	}
	if again == printed {
		return
	}
	if !firstParenthesised {
		t.Fatalf("%q prints as %q, which prints as %q", in, printed, again)
	}
	third, err := reparse(again)
	if err != nil || third != again {
		t.Fatalf("%q prints as %q, then %q, then %q (%v)", in, printed, again, third, err)
	}
}

// printable reports whether every value in m can be printed between double
// quotes and read back: packaging escapes nothing, so a value holding a
// double quote, a backslash, a line break or a NUL cannot.
func printable(m *Marker) bool {
	var ok func(e *expr) bool
	ok = func(e *expr) bool {
		for _, t := range e.terms {
			if t.sub != nil {
				if !ok(t.sub) {
					return false
				}
				continue
			}
			for _, o := range [...]operand{t.lhs, t.rhs} {
				if !o.isVar && strings.ContainsAny(o.text, "\"\\\n\r\x00") {
					return false
				}
			}
		}
		return true
	}
	return ok(&m.root)
}
