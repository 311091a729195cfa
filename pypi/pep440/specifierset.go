package pep440

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
)

// SpecifierSet is a comma-separated list of clauses that must all hold, such
// as ">=3.8,!=3.9.0". The zero SpecifierSet is the empty set "", which
// contains every final release and, by packaging's rule, no pre-release.
type SpecifierSet struct {
	specs []Specifier
	pre   bool // packaging's SpecifierSet.prereleases when there are clauses
	// preErr: computing prereleases raises in packaging (an "===" clause
	// whose version is invalid), so `v in SpecifierSet(s)` fails.
	preErr bool
}

// ParseSpecifierSet parses s as packaging.specifiers.SpecifierSet does: it
// splits on commas, ignores empty and blank items, and drops a clause equal
// to an earlier one (">=1.0,>=1.0.0" keeps ">=1.0").
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	var set SpecifierSet
	if !utf8.ValidString(s) {
		return set, specErr(s, "not valid UTF-8")
	}
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		if pyport.Strip(item) == "" {
			continue
		}
		sp, err := ParseSpecifier(item)
		if err != nil {
			return SpecifierSet{}, err
		}
		if seen[sp.key] {
			continue
		}
		seen[sp.key] = true
		set.specs = append(set.specs, sp)
		set.pre = set.pre || sp.pre
		set.preErr = set.preErr || sp.preErr
	}
	return set, nil
}

// String returns the clauses sorted and joined with commas, as
// str(SpecifierSet(s)).
func (s SpecifierSet) String() string {
	strs := make([]string, len(s.specs))
	for i, sp := range s.specs {
		strs[i] = sp.String()
	}
	sort.Strings(strs)
	return strings.Join(strs, ",")
}

// Specifiers returns the clauses in the order they were written.
func (s SpecifierSet) Specifiers() []Specifier {
	return append([]Specifier(nil), s.specs...)
}

// Len returns the number of distinct clauses.
func (s SpecifierSet) Len() int { return len(s.specs) }

// Contains reports `v in SpecifierSet(s)`: pre-releases are accepted only
// when some inclusive clause names one (">=1.0a1", "==2.0rc1"), and never by
// the empty set. Where packaging raises (an "===" clause whose version is not
// valid, which could never match anyway) Contains reports false.
func (s SpecifierSet) Contains(v Version) bool {
	if s.preErr {
		return false
	}
	return s.ContainsPre(v, s.pre)
}

// ContainsPre is SpecifierSet(s).contains(v, prereleases=pre).
func (s SpecifierSet) ContainsPre(v Version, pre bool) bool {
	if v.IsZero() || (!pre && v.IsPrerelease()) {
		return false
	}
	for _, sp := range s.specs {
		if !sp.ContainsPre(v, pre) {
			return false
		}
	}
	return true
}

// Filter returns the versions the set admits, in order, as pip's finder
// calls SpecifierSet(s).filter(versions, prereleases=allowPre or None):
// with allowPre every matching version; otherwise pre-releases only when
// some clause names one, except that the empty set falls back to
// pre-releases when vs holds no final release.
func (s SpecifierSet) Filter(vs []Version, allowPre bool) []Version {
	var out []Version
	if len(s.specs) == 0 && !allowPre {
		var pres []Version
		for _, v := range vs {
			if v.IsPrerelease() {
				pres = append(pres, v)
			} else if !v.IsZero() {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			return pres
		}
		return out
	}
	if s.preErr && !allowPre {
		return nil
	}
	pre := allowPre || s.pre
	for _, v := range vs {
		if s.ContainsPre(v, pre) {
			out = append(out, v)
		}
	}
	return out
}
