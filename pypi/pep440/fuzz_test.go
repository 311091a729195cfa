package pep440

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range trickyVersions {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		w, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, v, err)
		}
		if !w.Equal(v) || w.String() != v.String() || w != v {
			t.Fatalf("Parse(%q) = %q, reparsed as %q", s, v, w)
		}
		pub, base := v.Public(), v.BaseVersion()
		if got := v.Compare(pub); got != boolCmp(v.Local() != "") && !(got == 0 && v.Local() == "") {
			t.Fatalf("Compare(%q, its public version %q) = %d", v, pub, got)
		}
		want := 0
		switch _, _, pre := v.Pre(); {
		case pre:
			want = -1
		case v.IsPostrelease():
			want = 1
		case v.IsDevrelease():
			want = -1
		}
		if got := pub.Compare(base); got != want {
			t.Fatalf("Compare(%q, its base version %q) = %d, want %d", pub, base, got, want)
		}
	})
}

func FuzzSpecifierSet(f *testing.F) {
	for _, s := range oracleSpecs(nil) {
		f.Add(s, "1.0")
	}
	f.Add("~=1.4.5c1", "1.4.5.1")
	f.Fuzz(func(t *testing.T, s, version string) {
		set, err := ParseSpecifierSet(s)
		if err != nil {
			return
		}
		again, err := ParseSpecifierSet(set.String())
		if err != nil {
			t.Fatalf("ParseSpecifierSet(%q).String() = %q, which does not parse: %v", s, set, err)
		}
		if again.String() != set.String() {
			t.Fatalf("ParseSpecifierSet(%q) = %q, reparsed as %q", s, set, again)
		}
		v, err := Parse(version)
		if err != nil {
			return
		}
		for _, pre := range []bool{false, true} {
			if set.ContainsPre(v, pre) != again.ContainsPre(v, pre) {
				t.Fatalf("%q and its String %q disagree on %q", s, set, v)
			}
		}
		if set.Contains(v) != again.Contains(v) {
			t.Fatalf("%q and its String %q disagree on %q", s, set, v)
		}
		_ = set.Filter([]Version{v}, false)
	})
}
