// Package pep440 parses, orders and matches Python package versions and
// version specifiers (PEP 440) with the exact semantics of the `packaging`
// library (version 22 and later, as vendored in pip 24): what it accepts, how
// it normalises, how it orders, and how `SpecifierSet.contains` treats
// pre-releases, post-releases and local versions, quirks included.
//
// Release numbers are kept as decimal digit strings, so numbers beyond 2^64
// work. Like CPython's int(), a single number may have at most 4300 digits.
//
// Where packaging raises while matching (an "===" clause whose text is not a
// version, under default pre-release handling), the methods here report
// false, which is what the match would give if it did not raise.
//
// Known, deliberate differences: packaging matches letters with Python's
// case-insensitive Unicode regex, so it also accepts the four non-ASCII letters
// that fold to ASCII ones (U+0130, U+0131, U+017F, U+212A) and then produces
// normalised forms that are not ASCII or do not parse again; Parse rejects
// them. ParseSpecifier rejects a clause with a number over the digit limit,
// which packaging's Specifier() accepts but cannot use (SpecifierSet rejects
// it too).
package pep440

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
)

// ErrInvalidVersion is wrapped by every error Parse returns.
var ErrInvalidVersion = errors.New("invalid version")

// Version is a parsed PEP 440 version. It is a small value, safe to copy and
// usable as a map key; == on two Versions compares their normalised forms, so
// 1.0 and 1.0.0 are different keys although Equal reports them equal. The
// zero Version is not a valid version: it sorts before every other.
type Version struct {
	s        string // normalised form, as str(packaging.version.Version)
	relStart uint32 // release starts here; the epoch digits are s[:relStart-1]
	relEnd   uint32 // end of the release segment
	preEnd   uint32 // s[relEnd:preEnd] is the pre-release ("a1", "rc0"), or empty
	postEnd  uint32 // s[preEnd:postEnd] is ".postN", or empty
	devEnd   uint32 // s[postEnd:devEnd] is ".devN"; a local label follows after "+"
	preKind  uint8  // preNone, preA, preB or preRC
}

const (
	preNone uint8 = iota
	preA
	preB
	preRC
)

var preLabels = [...]string{preNone: "", preA: "a", preB: "b", preRC: "rc"}

// Parse parses s as packaging.version.Version does: surrounding whitespace, a
// leading "v", any letter case, the alternate spellings (alpha, beta, c, pre,
// preview, rev, r), the implicit post-release "1.0-1" and the separators
// ".", "_" and "-" are accepted; anything else is an error.
func Parse(s string) (Version, error) {
	t := pyport.Strip(s)
	if len(t) > math.MaxUint32 {
		return Version{}, invalid(s, "too long")
	}
	var p parts
	if pos, why := p.scan(t); why != "" {
		if pos < len(t) && why == whyUnexpected {
			return Version{}, invalid(s, fmt.Sprintf("unexpected %q at offset %d", clip(t[pos:], 8), pos))
		}
		return Version{}, invalid(s, why)
	}
	var buf [64]byte
	b, v := p.build(buf[:0])
	if string(b) == t {
		// Most inputs are already normalised: keep the caller's string
		// instead of allocating a copy.
		v.s = t
	} else {
		v.s = string(b)
	}
	return v, nil
}

// MustParse is Parse for constants and tests: it panics on an invalid version.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func invalid(s, why string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidVersion, clip(s, 80), why)
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// String returns the normalised form, exactly str(packaging.version.Version(s)).
func (v Version) String() string { return v.s }

// IsZero reports whether v is the zero Version (never returned by Parse).
func (v Version) IsZero() bool { return v.s == "" }

// Equal reports whether v and w are the same version (1.0 equals 1.0.0).
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// Less reports whether v sorts before w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// IsPrerelease reports a pre-release or development release, as packaging's
// is_prerelease does (1.0.dev1 and 1.0a1.post1 are pre-releases).
func (v Version) IsPrerelease() bool { return v.preKind != preNone || v.hasDev() }

// IsPostrelease reports a post-release segment.
func (v Version) IsPostrelease() bool { return v.postEnd > v.preEnd }

// IsDevrelease reports a development release segment.
func (v Version) IsDevrelease() bool { return v.hasDev() }

func (v Version) hasDev() bool   { return v.devEnd > v.postEnd }
func (v Version) hasLocal() bool { return int(v.devEnd) < len(v.s) }

// Epoch returns the epoch in decimal, "0" when there is none.
func (v Version) Epoch() string {
	if v.relStart == 0 {
		return "0"
	}
	return v.s[:v.relStart-1]
}

// Release returns the release numbers in decimal without leading zeros,
// trailing zeros included (1.0 gives ["1", "0"]).
func (v Version) Release() []string {
	if v.s == "" {
		return nil
	}
	return strings.Split(v.s[v.relStart:v.relEnd], ".")
}

// Pre returns the normalised pre-release label ("a", "b" or "rc") and number.
func (v Version) Pre() (label, n string, ok bool) {
	if v.preKind == preNone {
		return "", "", false
	}
	l := preLabels[v.preKind]
	return l, v.s[int(v.relEnd)+len(l) : v.preEnd], true
}

// Post returns the post-release number.
func (v Version) Post() (n string, ok bool) {
	if !v.IsPostrelease() {
		return "", false
	}
	return v.s[int(v.preEnd)+len(".post") : v.postEnd], true
}

// Dev returns the development release number.
func (v Version) Dev() (n string, ok bool) {
	if !v.hasDev() {
		return "", false
	}
	return v.s[int(v.postEnd)+len(".dev") : v.devEnd], true
}

// Local returns the normalised local label ("ubuntu.1" for "+Ubuntu-01"),
// or "" when there is none.
func (v Version) Local() string {
	if !v.hasLocal() {
		return ""
	}
	return v.s[v.devEnd+1:]
}

// Public returns v without its local label.
func (v Version) Public() Version {
	v.s = v.s[:v.devEnd]
	return v
}

// BaseVersion returns the epoch and release of v only.
func (v Version) BaseVersion() Version {
	v.s = v.s[:v.relEnd]
	v.preEnd, v.postEnd, v.devEnd, v.preKind = v.relEnd, v.relEnd, v.relEnd, preNone
	return v
}
