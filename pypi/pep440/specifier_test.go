package pep440

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// The expectations below were checked against packaging 24.1; TestOracle
// rechecks them with many more cases.
func TestSpecifierSetContains(t *testing.T) {
	tests := []struct {
		spec, version string
		in, withPre   bool // `v in SpecifierSet(spec)`, .contains(v, prereleases=True)
	}{
		{"==1.0.*", "1.0.5", true, true},
		{"==1.0.*", "1.1", false, false},
		{"==1.0.*", "1.0rc1", false, true},
		{"==1.0.*", "1.0+local", true, true},
		{"==1.0.0.*", "1.0rc1", false, true},
		{"==1.0.0.*", "1", true, true},
		{"==1.0.*", "1.0.post1", true, true},
		{"!=1.*", "1.5", false, false},
		{"!=1.*", "2.0", true, true},
		{"!=1.*", "1!1.0", true, true},
		{"~=2.2", "2.3", true, true},
		{"~=2.2", "3.0", false, false},
		{"~=2.2", "2.1", false, false},
		{"~=2.2.0", "2.3", false, false},
		{"~=2.2.0", "2.2.9", true, true},
		{"~=1.4.5a4", "1.4.5", true, true},
		{"~=1.4.5a4", "1.4.5a3", false, false},
		{"~=1.4.5a4", "1.4.9", true, true},
		{"~=1.4.5a4", "1.5", false, false},
		{"~=1.4.5a4", "1.4.6a1", true, true},
		// packaging's suffix test does not know "c": ~=1.4.5c1 means ==1.4.5.*.
		{"~=1.4.5c1", "1.4.6", false, false},
		{"~=1.4.5rc1", "1.4.6", true, true},
		{"~=v1.4.5", "1.4.6", false, false},
		{"===1.0", "1.0", true, true},
		{"===1.0", "1.0.0", false, false},
		{"===1.0+local", "1.0+LOCAL", true, true},
		{"===foo", "1.0", false, false}, // packaging raises for `in`
		{">1.7", "1.7.post1", false, false},
		{">1.7", "1.7.1", true, true},
		{">1.7.post1", "1.7.post2", true, true},
		{">1.7", "1.7+local", false, false},
		{">1.7a1", "1.7+local", false, false},
		{">1.7", "1.8a1", false, true},
		{"<1.7", "1.7a1", false, false},
		{"<1.7", "1.6a1", false, true},
		{"<1.7a2", "1.7a1", false, true},
		{"<1.7", "1.7.dev0", false, false},
		{"<1.7", "1.7+local", false, false},
		{"<1.7", "1.6+local", true, true},
		{"<1.7.post1", "1.7", true, true},
		{"<=1.7", "1.7+local", true, true},
		{">=1.7", "1.7+local", true, true},
		{"==1.0", "1.0+local", true, true},
		{"==1.0+local", "1.0", false, false},
		{"==1.0+local", "1.0+LOCAL", true, true},
		{"!=1.0", "1.0+x", false, false},
		{"==1.0", "1.0.0", true, true},
		{">=1.0a1", "1.5a1", true, true},
		{">=1.0", "1.5a1", false, true},
		{"", "1.5a1", false, true},
		{"", "1.5", true, true},
		{">=1.0,>=0.1a1", "1.5a1", true, true},
		{"!=1.0a1", "1.5a1", false, true},
		{"==1.0.*,!=1.0.1", "1.0.1", false, false},
		{"==18446744073709551616.*", "18446744073709551616.5", true, true},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.spec)
		if err != nil {
			t.Errorf("ParseSpecifierSet(%q): %v", tt.spec, err)
			continue
		}
		v := MustParse(tt.version)
		if got := set.Contains(v); got != tt.in {
			t.Errorf("%q Contains(%q) = %v, want %v", tt.spec, tt.version, got, tt.in)
		}
		if got := set.ContainsPre(v, true); got != tt.withPre {
			t.Errorf("%q ContainsPre(%q, true) = %v, want %v", tt.spec, tt.version, got, tt.withPre)
		}
		if got := set.ContainsPre(v, false); got != (tt.withPre && !v.IsPrerelease()) {
			t.Errorf("%q ContainsPre(%q, false) = %v", tt.spec, tt.version, got)
		}
		if !strings.Contains(tt.spec, ",") && tt.spec != "" {
			sp, err := ParseSpecifier(tt.spec)
			if err != nil {
				t.Errorf("ParseSpecifier(%q): %v", tt.spec, err)
			} else if got := sp.Contains(v); got != tt.in {
				t.Errorf("Specifier %q Contains(%q) = %v, want %v", tt.spec, tt.version, got, tt.in)
			}
		}
	}
}

func TestSpecifierSetString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" , ", ""},
		{">=1.0,>=1.0.0", ">=1.0"},
		{" >= 1.0 , < 2.0 ", "<2.0,>=1.0"},
		{"~=1.0,~=1.0.0", "~=1.0,~=1.0.0"},
		{"===1.0,===1.0.0", "===1.0"},
		{"==1.0.*,==1.0.0.*", "==1.0.*,==1.0.0.*"},
		{">=V1.0RC1", ">=V1.0RC1"},
		{"!=2.0,<3,>=1", "!=2.0,<3,>=1"},
		{"===", "==="},
		{"====1.0", "====1.0"},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.in)
		if err != nil {
			t.Errorf("ParseSpecifierSet(%q): %v", tt.in, err)
			continue
		}
		if set.String() != tt.want {
			t.Errorf("ParseSpecifierSet(%q).String() = %q, want %q", tt.in, set, tt.want)
		}
	}
}

func TestSpecifierSetRejects(t *testing.T) {
	for _, in := range []string{
		"~=1", "~=1.0+local", "<1.0.*", "==1.0a1.*", "=>1.0", "= =1.0", "1.0", ">=1.0 1.1",
		"===1.0;", "==*", ">=1.0+l", "==1.*.*", ">=1.0,bogus", ">=1.0\xff",
		// packaging's SpecifierSet hashes clauses by their canonical
		// version, and int() fails over 4300 digits.
		">=1." + strings.Repeat("7", 4301), "===1." + strings.Repeat("7", 4301),
	} {
		set, err := ParseSpecifierSet(in)
		if err == nil {
			t.Errorf("ParseSpecifierSet(%q) = %q, want an error", in, set)
			continue
		}
		if !errors.Is(err, ErrInvalidSpecifier) || !strings.HasPrefix(err.Error(), "invalid specifier ") {
			t.Errorf("ParseSpecifierSet(%q) error %q does not wrap ErrInvalidSpecifier", in, err)
		}
	}
}

func TestSpecifierAccessors(t *testing.T) {
	sp, err := ParseSpecifier(" ~= 1.4.5a4 ")
	if err != nil {
		t.Fatal(err)
	}
	if sp.Operator() != "~=" || sp.Version() != "1.4.5a4" || sp.String() != "~=1.4.5a4" || !sp.Prereleases() {
		t.Errorf("got %q %q %q %v", sp.Operator(), sp.Version(), sp.String(), sp.Prereleases())
	}
	set, _ := ParseSpecifierSet(">=1.0, !=1.5")
	if set.Len() != 2 || len(set.Specifiers()) != 2 || set.Specifiers()[1].String() != "!=1.5" {
		t.Errorf("Specifiers() = %v", set.Specifiers())
	}
	var zero Specifier
	if zero.Contains(MustParse("1.0")) || zero.String() != "" {
		t.Error("the zero Specifier contains nothing")
	}
}

func TestFilter(t *testing.T) {
	vs := func(ss ...string) []Version {
		out := make([]Version, len(ss))
		for i, s := range ss {
			out[i] = MustParse(s)
		}
		return out
	}
	tests := []struct {
		spec     string
		in       []string
		allowPre bool
		want     []string
	}{
		{">=1.2.3", []string{"1.2", "1.3", "1.5a1"}, false, []string{"1.3"}},
		{">=1.2.3", []string{"1.2", "1.5a1"}, false, nil},
		{">=1.2.3", []string{"1.3", "1.5a1"}, true, []string{"1.3", "1.5a1"}},
		{"", []string{"1.3", "1.5a1"}, false, []string{"1.3"}},
		{"", []string{"1.5a1", "1.6b1"}, false, []string{"1.5a1", "1.6b1"}},
		{"", []string{"1.3", "1.5a1"}, true, []string{"1.3", "1.5a1"}},
		{">=1.0a1", []string{"0.9", "1.5a1", "1.5"}, false, []string{"1.5a1", "1.5"}},
		{"===foo", []string{"1.0"}, false, nil},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		got := set.Filter(vs(tt.in...), tt.allowPre)
		if !slices.Equal(got, vs(tt.want...)) {
			t.Errorf("%q Filter(%q, %v) = %v, want %q", tt.spec, tt.in, tt.allowPre, got, tt.want)
		}
	}
}

func TestHugeWildcardMatchesNothing(t *testing.T) {
	// packaging accepts the clause but raises ValueError whenever it is used.
	for _, op := range []string{"==", "!="} {
		in := op + "1." + strings.Repeat("7", 4301) + ".*"
		set, err := ParseSpecifierSet(in)
		if err != nil {
			t.Fatalf("ParseSpecifierSet(%q...): %v", in[:10], err)
		}
		v := MustParse("1.0")
		if set.Contains(v) || set.ContainsPre(v, true) || len(set.Filter([]Version{v}, true)) != 0 {
			t.Errorf("%s1.<4301 digits>.* should match nothing", op)
		}
	}
	if set, err := ParseSpecifierSet("===1." + strings.Repeat("7", 4301) + "x"); err != nil || set.Contains(MustParse("1.0")) {
		t.Errorf("an invalid arbitrary version is accepted and matches nothing: %v", err)
	}
}

func TestCanonicalize(t *testing.T) {
	for in, want := range map[string]string{
		"2.0": "2", "2.0.0": "2", "2": "2", "10.0": "10", "1.10.0": "1.10", "0.0": "0",
		"1.0.dev0": "1.dev0", "1.0rc1": "1rc1", "1!2.0.post1": "1!2.post1", "1.0+local.0": "1+local.0",
		"V1.0": "1", "not a version": "not a version",
	} {
		if got := Canonicalize(in); got != want {
			t.Errorf("Canonicalize(%q) = %q, want %q", in, got, want)
		}
	}
}
