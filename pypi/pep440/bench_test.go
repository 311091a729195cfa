package pep440

import "testing"

var benchVersions = []string{"1.26.4", "2.31.0", "v1.0.0rc1", "3.0.0.post1.dev2+local", "2024.1", "1!2.0a1"}

func BenchmarkParse(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseNormalised(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("1.26.4"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	vs = append(vs, MustParse("1.26.5"), MustParse("2.31"))
	n := 0
	for i := 0; b.Loop(); i++ {
		n += vs[i%len(vs)].Compare(vs[(i+1)%len(vs)])
	}
	_ = n
}

func BenchmarkSpecifierSetContains(b *testing.B) {
	set, err := ParseSpecifierSet(">=3.8,!=3.9.0,<4,~=3.10")
	if err != nil {
		b.Fatal(err)
	}
	v := MustParse("3.11.4")
	for b.Loop() {
		if !set.Contains(v) {
			b.Fatal("should contain")
		}
	}
}
