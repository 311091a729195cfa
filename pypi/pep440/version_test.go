package pep440

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseNormalises(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{" v1.0\n", "1.0"},
		{"V01.002", "1.2"},
		{"1!0.1", "1!0.1"},
		{"0!1.0", "1.0"},
		{"1.0ALPHA1", "1.0a1"},
		{"1.0-beta_2", "1.0b2"},
		{"1.0c1", "1.0rc1"},
		{"1.0pre1", "1.0rc1"},
		{"1.0preview", "1.0rc0"},
		{"1.0a", "1.0a0"},
		{"1.0a-", "1.0a0"},
		{"1.0a-1", "1.0a1"},
		{"1.0a--1", "1.0a0.post1"},
		{"1.0a..post1", "1.0a0.post1"},
		{"1.0-1", "1.0.post1"},
		{"1.0rev", "1.0.post0"},
		{"1.0-r-2", "1.0.post2"},
		{"1.0.post1.dev2", "1.0.post1.dev2"},
		{"1.0dev", "1.0.dev0"},
		{"1.0.dev.", "1.0.dev0"},
		{"1.0+Ubuntu-01", "1.0+ubuntu.1"},
		{"1.0+ubuntu_1", "1.0+ubuntu.1"},
		{"1.0+abc.007x", "1.0+abc.007x"},
		{"18446744073709551616.00018446744073709551616", "18446744073709551616.18446744073709551616"},
		{"\u00a01.0\u3000", "1.0"},
		{strings.Repeat("9", 4300), strings.Repeat("9", 4300)},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if v.String() != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, v, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "v", "1.", ".1", "1..0", "1.0.", "1.*", "!1", "1!", "1!v1", "1.0-", "1.0+", "1.0+a..b",
		"1.0+a-", "1.0re1", "1.0prev1", "1.0 a1", "1.0\u200b", "1.0é", "1.0+\u212a", "1.0\xff",
		strings.Repeat("1", 4301), "1.0.post" + strings.Repeat("0", 4301),
	} {
		v, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, v)
			continue
		}
		if !errors.Is(err, ErrInvalidVersion) || strings.Contains(err.Error(), "\n") ||
			!strings.HasPrefix(err.Error(), "invalid version ") {
			t.Errorf("Parse(%q) error %q is not one clear line wrapping ErrInvalidVersion", in, err)
		}
	}
	if _, err := Parse("1.0x"); err == nil || !strings.Contains(err.Error(), `unexpected "x" at offset 3`) {
		t.Errorf(`Parse("1.0x") error = %v, want it to name the offending "x"`, err)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0.0", 0},
		{"1.0", "1.0.0.1", -1},
		{"1!0.1", "2024.1", 1},
		{"1.0.dev1", "1.0a1", -1},
		{"1.0a1.dev1", "1.0a1", -1},
		{"1.0a1", "1.0b1", -1},
		{"1.0b1", "1.0rc1", -1},
		{"1.0rc1", "1.0", -1},
		{"1.0", "1.0.post1", -1},
		{"1.0.post1.dev2", "1.0.post1", -1},
		{"1.0.post1.dev2", "1.0", 1},
		{"1.0a1.post1", "1.0a2.dev0", -1},
		{"1.0.dev1", "1.0.post1.dev1", -1},
		{"1.0", "1.0+cpu", -1},
		{"1.0+cpu", "1.0.post1", -1},
		{"1.0+abc.5", "1.0+abc.10", -1},
		{"1.0+5", "1.0+abc", 1},
		{"1.0+abc", "1.0+abc.0", -1},
		{"1.0+ubuntu-1", "1.0+ubuntu.1", 0},
		{"1.0+a10", "1.0+a9", -1},
		{"1.0+007", "1.0+7", 0},
		{"1.18446744073709551616", "1.18446744073709551615", 1},
		{"1.18446744073709551616", "1.9", 1},
		{"99999999999999999999999!0", "1!99", 1},
	}
	for _, tt := range tests {
		a, b := MustParse(tt.a), MustParse(tt.b)
		if got := a.Compare(b); got != tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := b.Compare(a); got != -tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
		if a.Equal(b) != (tt.want == 0) || a.Less(b) != (tt.want < 0) {
			t.Errorf("Equal/Less(%q, %q) disagree with Compare", tt.a, tt.b)
		}
	}
}

func TestAccessors(t *testing.T) {
	v := MustParse("v2!01.002.0rc03.post4.dev05+Ubuntu-1")
	if v.String() != "2!1.2.0rc3.post4.dev5+ubuntu.1" {
		t.Fatalf("String() = %q", v)
	}
	if v.Epoch() != "2" || !slices.Equal(v.Release(), []string{"1", "2", "0"}) || v.Local() != "ubuntu.1" {
		t.Errorf("Epoch/Release/Local = %q %q %q", v.Epoch(), v.Release(), v.Local())
	}
	if l, n, ok := v.Pre(); l != "rc" || n != "3" || !ok {
		t.Errorf("Pre() = %q %q %v", l, n, ok)
	}
	if n, ok := v.Post(); n != "4" || !ok {
		t.Errorf("Post() = %q %v", n, ok)
	}
	if n, ok := v.Dev(); n != "5" || !ok {
		t.Errorf("Dev() = %q %v", n, ok)
	}
	if !v.IsPrerelease() || !v.IsPostrelease() || !v.IsDevrelease() {
		t.Error("Is*release should all hold")
	}
	if got := v.Public().String(); got != "2!1.2.0rc3.post4.dev5" {
		t.Errorf("Public() = %q", got)
	}
	b := v.BaseVersion()
	if b.String() != "2!1.2.0" || b.IsPrerelease() || b.IsPostrelease() || b.Local() != "" {
		t.Errorf("BaseVersion() = %q", b)
	}
	if !b.Equal(MustParse("2!1.2")) {
		t.Error("BaseVersion() should equal 2!1.2")
	}
	w := MustParse("1.0")
	if w.Epoch() != "0" || w.Local() != "" || w.IsPrerelease() || w.IsPostrelease() || w.IsDevrelease() {
		t.Error("1.0 has no epoch, local, pre, post or dev")
	}
	if _, _, ok := w.Pre(); ok {
		t.Error("1.0 has no pre-release")
	}
	if !MustParse("1.0.post1.dev0").IsPrerelease() {
		t.Error("a dev release is a pre-release")
	}
}

func TestZeroVersion(t *testing.T) {
	var z Version
	if !z.IsZero() || z.String() != "" || z.Release() != nil {
		t.Error("zero Version should be empty")
	}
	if z.Compare(MustParse("0")) != -1 || MustParse("0").Compare(z) != 1 || z.Compare(z) != 0 {
		t.Error("zero Version should sort before every version")
	}
	if MustParse("0").IsZero() {
		t.Error("Parse never returns the zero Version")
	}
	if all, _ := ParseSpecifierSet(""); all.Contains(z) {
		t.Error("no set contains the zero Version")
	}
}

func TestParseKeepsNormalisedInput(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _, _ = Parse("1.26.4") })
	if allocs != 0 {
		t.Errorf("Parse of a normalised version allocates %v times, want 0", allocs)
	}
}
