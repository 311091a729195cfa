package pyport

import (
	"testing"
	"unicode/utf8"
)

// TestIsSpaceMatchesPython compares every code point Python can hold in a
// str (surrogates excluded: Go has no rune for them in a string).
func TestIsSpaceMatchesPython(t *testing.T) {
	var want []int
	runPython(t, `json.load(sys.stdin)
print(json.dumps([c for c in range(0x110000) if chr(c).isspace()]))`, nil, &want)
	py := map[rune]bool{}
	for _, c := range want {
		py[rune(c)] = true
	}
	if len(py) == 0 {
		t.Fatal("Python reported no space characters")
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if got := IsSpace(r); got != py[r] {
			t.Errorf("IsSpace(%U) = %v; Python %v", r, got, py[r])
		}
	}
}

var strInputs = []string{
	"", "abc", "  a b  ", "\t\n\v\f\r x \x1c\x1d\x1e\x1f", "\u00a0x\u3000", "\u0085x\u2028", "\u200bx\u200b", "\u180ex",
	"HREF", "Href", "data-Requires-Python", "İstanbul", "DATA-YANKED", "ß", "ẞ", "Ǆ", "ΑΒΓ", "K", "Å", "ＡＢＣ",
	"index_URL", "--Index-Url", "x\x1c", "ΟΔΟΣ", "ΑΣ Β", "Σ", "ΑΣΑ", "Α.Σ", "Α'Σ", "ΑΣ'Β", "ΑΣ.", "1Σ", "ΑΣ\u0301", "ΑΣ\u0301Β", "İΣ", "ΣΣ",
	"ᾼΣ", "ªΣ",
}

func TestStripMatchesPython(t *testing.T) {
	var want [][3]string
	runPython(t, `print(json.dumps([[s.strip(), s.rstrip(), s.lower()] for s in json.load(sys.stdin)]))`, strInputs, &want)
	for i, s := range strInputs {
		if got := Strip(s); got != want[i][0] {
			t.Errorf("Strip(%q) = %q; Python %q", s, got, want[i][0])
		}
		if got := Rstrip(s); got != want[i][1] {
			t.Errorf("Rstrip(%q) = %q; Python %q", s, got, want[i][1])
		}
		if got := Lower(s); got != want[i][2] {
			t.Errorf("Lower(%q) = %q; Python %q", s, got, want[i][2])
		}
	}
}

func TestLowerEqualMatchesPython(t *testing.T) {
	targets := []string{"href", "data-requires-python", "data-yanked"}
	names := []string{
		"href", "HREF", "HrEf", "hre", "hreff", "data-requires-python", "DATA-REQUIRES-PYTHON", "data-requİres-python",
		"data-requıres-python", "data-yanKed", "data-yanked", "data-yan\u212aed", "h\u0280ef", "",
	}
	var in [][2]string
	for _, n := range names {
		for _, s := range targets {
			in = append(in, [2]string{n, s})
		}
	}
	var want []bool
	runPython(t, `print(json.dumps([n.lower() == s for n, s in json.load(sys.stdin)]))`, in, &want)
	for i, c := range in {
		if got := LowerEqual([]byte(c[0]), c[1]); got != want[i] {
			t.Errorf("LowerEqual(%q, %q) = %v; Python %v", c[0], c[1], got, want[i])
		}
	}
}

func TestPosixpathMatchesPython(t *testing.T) {
	paths := []string{
		"", "foo.tar.gz", "foo", ".bashrc", "..x", "a/.b", "a.b/c", "a.b/c.d", "dir/", "x.", "/a/b.c.d", "...",
		"a/..", "pkg-1.0.zip", "a/b/.c.d",
	}
	joins := [][2]string{{"a", "b"}, {"a/", "b"}, {"", "b"}, {"a", "/b"}, {"/etc", "pip.conf"}, {"a", ""}, {"", ""}, {"a//", "b"}}
	var want struct {
		Splitext [][2]string
		Join     []string
	}
	runPython(t, `import posixpath
d = json.load(sys.stdin)
print(json.dumps({"Splitext": [posixpath.splitext(p) for p in d[0]], "Join": [posixpath.join(a, b) for a, b in d[1]]}))`,
		[]any{paths, joins}, &want)
	for i, p := range paths {
		if r, e := Splitext(p); [2]string{r, e} != want.Splitext[i] {
			t.Errorf("Splitext(%q) = %q, %q; Python %q", p, r, e, want.Splitext[i])
		}
	}
	for i, j := range joins {
		if got := Join(j[0], j[1]); got != want.Join[i] {
			t.Errorf("Join(%q, %q) = %q; Python %q", j[0], j[1], got, want.Join[i])
		}
	}
}

// TestExpandUserMatchesPython sets HOME per case in Python. An empty home
// is not compared: ExpandUser takes it as "HOME unset" (the password
// database), where Python would use the empty value.
func TestExpandUserMatchesPython(t *testing.T) {
	cases := [][2]string{ // path, home
		{"~", "/home/u"}, {"~/", "/home/u"}, {"~/x/y", "/home/u"}, {"~/x", "/home/u/"}, {"~/x", "/"},
		{"x/~", "/home/u"}, {"", "/home/u"}, {"~root/x", "/home/u"}, {"~root", "/home/u"},
		{"~no-such-user-pipup/x", "/home/u"}, {"~x", "/"}, {"/abs", "/h"},
	}
	var want []string
	runPython(t, `import os, posixpath
out = []
for p, h in json.load(sys.stdin):
    os.environ["HOME"] = h
    out.append(posixpath.expanduser(p))
print(json.dumps(out))`, cases, &want)
	for i, c := range cases {
		if got := ExpandUser(c[0], c[1]); got != want[i] {
			t.Errorf("ExpandUser(%q, home %q) = %q; Python %q", c[0], c[1], got, want[i])
		}
	}
}
