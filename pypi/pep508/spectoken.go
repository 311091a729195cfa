package pep508

import (
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
)

// The SPECIFIER token is packaging's Specifier regex (operator followed by
// version, case-insensitive, unanchored). The version part has one branch
// per operator family, chosen by lookbehind on the operator just matched,
// and every piece after the release number is optional, so the regex's
// first match is found by taking each optional piece greedily in turn;
// that is what specifierToken does. The matched text is then handed to
// pep440.ParseSpecifierSet, which applies packaging's own validation.

// specifierToken returns the end of the SPECIFIER token starting at p.
func specifierToken(src string, p int) (int, bool) {
	// The regex's operator alternation, in its order: "==" is tried before
	// "===", and "===1.0" only matches once "==" followed by "=1.0" fails.
	for _, op := range [...]string{"~=", "==", "!=", "<=", ">=", "<", ">", "==="} {
		if !strings.HasPrefix(src[p:], op) {
			continue
		}
		if end, ok := specifierVersion(src, p+len(op)); ok {
			return end, true
		}
	}
	return 0, false
}

// specifierVersion matches the version branch that the lookbehind on
// src[:q] selects.
func specifierVersion(src string, q int) (int, bool) {
	before := src[:q]
	i := skipSpace(src, q)
	if strings.HasSuffix(before, "===") {
		// (?<====)\s*[^\s;)]*: anything up to whitespace, ";" or ")".
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if pyport.IsSpace(r) || r == ';' || r == ')' {
				break
			}
			i += n
		}
		return i, true
	}
	equal := strings.HasSuffix(before, "==") || strings.HasSuffix(before, "!=")
	compatible := strings.HasSuffix(before, "~=")

	if i < len(src) && (src[i] == 'v' || src[i] == 'V') {
		i++
	}
	// (?:[0-9]+!)?[0-9]+: the epoch only counts when a digit follows "!".
	j := digitsEnd(src, i)
	if j == i {
		return 0, false
	}
	if j+1 < len(src) && src[j] == '!' && isDigit(src[j+1]) {
		j = digitsEnd(src, j+1)
	}
	i = j
	dots := 0
	for i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
		i = digitsEnd(src, i+1)
		dots++
	}
	if compatible && dots == 0 {
		return 0, false // ~= needs two release numbers
	}
	if equal && strings.HasPrefix(src[i:], ".*") {
		return i + 2, true
	}
	i = optionalLabel(src, i, []string{"alpha", "beta", "preview", "pre", "a", "b", "c", "rc"})
	if i+1 < len(src) && src[i] == '-' && isDigit(src[i+1]) {
		i = digitsEnd(src, i+1) // the implicit post-release "-1"
	} else {
		i = optionalLabel(src, i, []string{"post", "rev", "r"})
	}
	i = optionalLabel(src, i, []string{"dev"})
	if equal && i+1 < len(src) && src[i] == '+' && isAlnum(src[i+1]) {
		// \+[a-z0-9]+(?:[-_\.][a-z0-9]+)*, case-insensitive.
		i = alnumEnd(src, i+1)
		for i+1 < len(src) && isSep(src[i]) && isAlnum(src[i+1]) {
			i = alnumEnd(src, i+1)
		}
	}
	return i, true
}

// optionalLabel matches (?:[-_\.]?(label1|label2|...)[-_\.]?[0-9]*)? at i,
// trying the labels in order, case-insensitively, and returns where the
// match ends (i when there is none).
func optionalLabel(src string, i int, labels []string) int {
	for _, start := range [...]int{i + 1, i} {
		if start == i+1 && (i >= len(src) || !isSep(src[i])) {
			continue
		}
		for _, l := range labels {
			if hasPrefixFold(src[start:], l) {
				j := start + len(l)
				if j < len(src) && isSep(src[j]) {
					j++
				}
				return digitsEnd(src, j)
			}
		}
	}
	return i
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

func digitsEnd(src string, i int) int {
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	return i
}

func alnumEnd(src string, i int) int {
	for i < len(src) && isAlnum(src[i]) {
		i++
	}
	return i
}

func skipSpace(src string, i int) int {
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		if !pyport.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

// hasPrefixFold reports whether s starts with the lower-case ASCII word w
// in any letter case. It folds ASCII only: see the package comment.
func hasPrefixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if s[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}
