package pep440

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// trickyVersions are hand-picked inputs around every rule of the grammar,
// normalisation and ordering. TestOracle checks each against packaging.
var trickyVersions = []string{
	"0", "0.0", "00", "1", "1.0", "1.0.0", "1.0.0.0", "01.002.0003", "v1.0", "V1.0", " 1.0 ", "\t1.0\n",
	"\u00a01.0\u3000", "\x1c1.0\x1f", "1.0\u200b", "1.0 a1", "1.0\x00",
	"1!0.1", "2024.1", "0!1.0", "00!1.0", "1!1.0+local", "!1.0", "1!", "1!!1", "v1!1.0", "1!v1.0",
	"1.0a1", "1.0A1", "1.0alpha1", "1.0ALPHA", "1.0a", "1.0.a1", "1.0-a1", "1.0_a_1", "1.0a-1", "1.0a.1",
	"1.0a-", "1.0a.", "1.0a_", "1.0b2", "1.0beta2", "1.0c3", "1.0rc3", "1.0pre3", "1.0preview3", "1.0PREVIEW",
	"1.0prev1", "1.0alph1", "1.0rc", "1.0r", "1.0re1", "1.0c", "1.0a1b1", "1.0a1.a1",
	"1.0.post1", "1.0post1", "1.0-post1", "1.0_post_1", "1.0.post", "1.0-1", "1.0-01", "1.0-", "1.0--1",
	"1.0rev1", "1.0.rev", "1.0r1", "1.0-r1", "1.0.post1.post2", "1.0-1-1", "1.0a-1", "1.0a--1", "1.0a.-1",
	"1.0a..post1", "1.0a.post1", "1.0a1.post1", "1.0a1-1", "1.0a1.dev1", "1.0a1.post1.dev1",
	"1.0.dev1", "1.0dev1", "1.0-dev1", "1.0.dev", "1.0.dev.", "1.0dev-", "1.0.DEV01", "1.0.post1.dev2",
	"1.0.dev1.post1", "1.0.dev1.dev2", "1.0.post.dev", "1.0-1.dev1", "1.0-1dev1",
	"1.0+local", "1.0+LOCAL", "1.0+ubuntu-1", "1.0+ubuntu.1", "1.0+ubuntu_1", "1.0+Ubuntu-01",
	"1.0+abc.5", "1.0+abc.10", "1.0+5", "1.0+abc", "1.0+abc.def", "1.0+1a", "1.0+a1", "1.0+0", "1.0+000",
	"1.0+", "1.0+.", "1.0+a.", "1.0+a..b", "1.0+a+b", "1.0+a-", "1.0+_a", "1.0+cpu", "1.0+cu118",
	"1.0.post1+local", "1.0a1+local.7", "1.0.dev0+x",
	"18446744073709551616", "1.18446744073709551616", "1.99999999999999999999999999999",
	"1.000000000000000000000000000001", "99999999999999999999!1", "1.0a99999999999999999999",
	"1.0+00000000000000000000000000000000007", strings.Repeat("1", 4300), "1." + strings.Repeat("9", 4300),
	strings.Repeat("1", 4301), "1." + strings.Repeat("0", 4301), "1.0+" + strings.Repeat("7", 4301),
	"1.0+a" + strings.Repeat("7", 4301), strings.Repeat("1", 4301) + "x", "1.0+" + strings.Repeat("7", 4301) + "-",
	"", " ", "v", "a", "1.", ".1", "1..0", "1.0.", "1.*", "1.0.*", "1,0", "1.0.x", "1.0 .dev", "1.0dev 1",
	"1.0.0-beta.1", "2.0.0-rc.1+build.5", "1.0.0-SNAPSHOT", "2024.01.02", "0.0.0.0.0.1", "1.2.3.4.5.6.7.8.9",
	"1.0j", "1.0.post1a1", "1.0+local.dev1", "français", "1.0é", "1.0+é",
}

// knownDivergent are inputs packaging accepts through Python's Unicode
// case folding and Parse deliberately rejects (see the package comment).
var knownDivergent = []string{"1.0+\u212a", "1.0.po\u017ft1", "1.0prev\u0131ew", "1.0+\u0130"}

// versionBases seed the generated specifiers and the versions tested
// against them.
var versionBases = []string{
	"0", "0.1", "1", "1.0", "1.0.0", "1.1", "1.7", "1.7.1", "2.0", "2.2", "2.2.0", "2.3", "3",
	"1.4.5", "1.4.6", "1.5", "1!1.0", "1!2.0", "2024.1", "1.0a1", "1.0b2", "1.0rc1", "1.0.post1",
	"1.0.dev1", "1.0a1.dev1", "1.0.post1.dev1", "1.7.post1", "1.7a1", "1.7.0.post1", "1.4.5a4", "2.0rc1",
	"18446744073709551616.1",
}

// oracleVersions returns the versions that specifiers are checked against:
// the bases and their neighbours with pre, post, dev and local segments.
func oracleVersions() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if v, err := Parse(s); err == nil && !seen[v.String()] {
			seen[v.String()] = true
			out = append(out, s)
		}
	}
	for _, b := range versionBases {
		for _, suf := range []string{"", ".0", ".1", "a1", "rc1", ".post1", ".dev0", "a1.dev1", "+local", "+1", ".post1+x", ".0.1"} {
			add(b + suf)
		}
	}
	for _, s := range []string{"0.0.1", "1.0.0.1", "1.1a1", "1.8", "1.6", "2.1", "2.10", "3.0.dev0", "1!0.5", "2!1.0", "0!1.0", "1.4.5a5", "1.4.5b1", "1.4.4", "1.4.99", "1.5a1"} {
		add(s)
	}
	return out
}

// oracleSpecs returns hand-written specifier sets and generated clauses for
// every operator against every base; with r, also random combinations.
func oracleSpecs(r *rand.Rand) []string {
	specs := []string{
		"", " ", ",", ">=1.0,", " >= 1.0 , < 2.0 ", "==1.0.*", "!=1.*", "==1.0.0.*", "== 1.0.*", "==v1.0.*",
		"~=2.2", "~=2.2.0", "~=1.4.5a4", "~=1.4.5", "~=1.4.5c1", "~=1.4.5.c1", "~=1.4.5rc1", "~=1.4.5.RC1",
		"~=1.4.5pre1", "~=1.4.5.pre1", "~=1.4.5-1", "~=1.4post1", "~=1.4.post1", "~=1.4.dev1", "~=v1.4.5",
		"~=1!1.4", "~=1.4.5.c1.r1", "~=01.04.5", "~=1", "~=1.0+local", "~= 2.2 ",
		"===1.0", "===1.0.0", "===1.0+local", "===foo", "===", "=== 1.0", "===1.0a1", "===V1.0", "====1.0",
		"===1.0,>=0.5", "===foo,>=1.0a1", "===1.0;", "===1.0)",
		">1.7", ">1.7.post1", ">1.7a1", ">=1.7", "<1.7", "<1.7a1", "<1.7.post1", "<=1.7", ">1.7.0", "<1.7.0",
		"==1.0", "==1.0+local", "==1.0.0", "!=1.0", "!=1.0+local", "==1.0a1", "==1.0.*,!=1.0.1",
		">=1.0,<2.0", ">=1.0a1,<2.0", ">=1.0,>=1.0.0", ">=1.0.0,>=1.0", "==1.0,==1.0.0", "~=1.0,~=1.0.0",
		"==1.0.*,==1.0.0.*", ">=1.0,!=1.5,<2", ">=1!1.0", "<1!0", ">=2024.1",
		">=1.0+local", "<1.0.*", "~=1.0.*", "==1.0a1.*", "==1.0.*+x", "=>1.0", "= =1.0", "< =1.0", "1.0",
		">=", ">=1.0 1.1", ">=1.0;", "==1.*.*", "==*", ">=1.0, ,<2", ">=1.0,,<2", "\u00a0>=1.0\u3000",
		">=1." + strings.Repeat("0", 30) + "1", "==18446744073709551616.*", "===1." + strings.Repeat("7", 4301),
		"===1." + strings.Repeat("7", 4301) + "x", ">=1." + strings.Repeat("7", 4301), "==1." + strings.Repeat("7", 4301) + ".*",
	}
	ops := []string{"~=", "==", "!=", "<=", ">=", "<", ">", "==="}
	for _, b := range versionBases {
		for _, op := range ops {
			specs = append(specs, op+b)
		}
		if v, err := Parse(b); err == nil && !v.IsPrerelease() && !v.IsPostrelease() {
			specs = append(specs, "=="+b+".*", "!="+b+".*")
		}
	}
	n := len(specs)
	for i := 0; r != nil && i < 100; i++ {
		k := 2 + r.IntN(2)
		parts := make([]string, k)
		for j := range parts {
			parts[j] = specs[r.IntN(n)]
		}
		specs = append(specs, strings.Join(parts, ","))
	}
	return specs
}

var (
	genSeps      = []string{"", ".", "-", "_"}
	genPreLabels = []string{"a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "A", "Alpha", "RC", "Pre", "PREVIEW"}
	genPostLabel = []string{"post", "rev", "r", "POST", "Rev", "R"}
	genSpaces    = []string{" ", "\t", "\n", "\u00a0", "\u2003", "\x1c"}
	genNoise     = []string{"*", ".", "..", "+", "-", "!", "a", "x", " ", "é", "_", "0", "dev", "post", "v"}
)

// genVersions returns n random version-like strings: mostly valid ones in
// every spelling, some damaged.
func genVersions(r *rand.Rand, n int) []string {
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	number := func() string {
		s := ""
		for z := r.IntN(6) - 3; z > 0; z-- {
			s += "0"
		}
		switch r.IntN(10) {
		case 0:
			return s + "184467440737095516160000"
		case 1, 2:
			return s + "0"
		}
		return s + string(rune('0'+r.IntN(10))) + strings.Repeat("7", r.IntN(3))
	}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		if r.IntN(10) == 0 {
			b.WriteString(pick(genSpaces))
		}
		if r.IntN(8) == 0 {
			b.WriteString(pick([]string{"v", "V"}))
		}
		if r.IntN(6) == 0 {
			b.WriteString(number() + "!")
		}
		for i, k := 0, 1+r.IntN(5); i < k; i++ {
			if i > 0 {
				b.WriteString(".")
			}
			b.WriteString(number())
		}
		if r.IntN(3) == 0 {
			b.WriteString(pick(genSeps) + pick(genPreLabels) + pick(genSeps))
			if r.IntN(3) > 0 {
				b.WriteString(number())
			}
		}
		if r.IntN(3) == 0 {
			if r.IntN(3) == 0 {
				b.WriteString("-" + number())
			} else {
				b.WriteString(pick(genSeps) + pick(genPostLabel) + pick(genSeps))
				if r.IntN(3) > 0 {
					b.WriteString(number())
				}
			}
		}
		if r.IntN(3) == 0 {
			b.WriteString(pick(genSeps) + pick([]string{"dev", "DEV", "Dev"}) + pick(genSeps))
			if r.IntN(3) > 0 {
				b.WriteString(number())
			}
		}
		if r.IntN(4) == 0 {
			b.WriteString("+")
			for i, k := 0, 1+r.IntN(4); i < k; i++ {
				if i > 0 {
					b.WriteString(pick(genSeps[1:]))
				}
				b.WriteString(pick([]string{number(), "abc", "Ubuntu", "cpu", "cu118", "x1", "1a", "Z"}))
			}
		}
		if r.IntN(10) == 0 {
			b.WriteString(pick(genSpaces))
		}
		s := b.String()
		if r.IntN(6) == 0 {
			i := r.IntN(len(s) + 1)
			if m := s[:i] + pick(genNoise) + s[i:]; utf8.ValidString(m) {
				s = m
			}
		}
		out = append(out, s)
	}
	return out
}
