package pep508

import (
	"bufio"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// trickyRequirements are hand-written requirement strings, valid and
// invalid, that exercise each corner of packaging's grammar.
var trickyRequirements = []string{
	`name[extra1, Extra_2] (>=1.0, <2) ; python_version < "3.8" and extra == "test"`,
	`pkg @ https://x/y.whl ; os_name=="nt"`,
	`pkg @ https://x/y.whl; os_name=="nt"`, // the ";" belongs to the URL
	`pkg@https://x/y.whl`, `pkg @https://x/y.whl`, `pkg @ https://x/y.whl `,
	`pkg @ https://x/y.whl ;`, `pkg @`, `pkg @ `, `pkg[a] @ file:///tmp/x`,
	`pkg @ https://user:secret@host/p.whl ; extra == "Dev"`,
	`pkg @ https://x/y.whl ; os_name=="nt" and extra=="A.B"`,
	"pkg @ url\n", "pkg @ url\t;\tos_name=='nt'",
	"name", "name\n", "name\n\n", " name", "\tname\t", "name ", "na me", "-name", "name-", "name.", "name_",
	"_name", "1name", "n", "N.A-M_E", "name@", "name;", "name ;", "name; ", "",
	" ", "name\r", "name\x0c", "nämé", "name\u00a0", "name\u00e9", "name_\u00e9",
	"name[]", "name[ ]", "name[a]", "name[a,b]", "name[ a , b ]", "name[a b]",
	"name[a,]", "name[,a]", "name[a", "name[a]]", "name [a]", "name[A_B.c-d]",
	"name[a,A,a]", "name[b,a,B]", "name[a-]", "name[a.]", "name[\u00e9]",
	"name>=1.0", "name >= 1.0", "name>=  1.0", "name(>=1.0)", "name (>=1.0)",
	"name ( >=1.0 , <2 )", "name(>=1.0", "name>=1.0)", "name()", "name ( )",
	"name>=1.0,", "name>=1.0,,<2", "name,>=1.0", "name>=1.0 <2", "name>=1.0,<2,!=1.5.*",
	"name==1.*", "name>=1.*", "name<1.0.*", "name!=1.0.*", "name==1.0+local",
	"name<1.0+local", "name<1.0+LOCAL", "name>1.0+l.o-c_a.l", "name==1.0+l.o-c_a.l",
	"name===1.0", "name===foo", "name===", "name === foo bar", "name===foo,>=1",
	"name (===foo)", "name===foo)", "name===foo;os_name=='a'", "name===a,b",
	"name~=1", "name~=1.0", "name~=1.0.*", "name~=v1.0", "name~=1.0.post1.dev2",
	"name==v1.0", "name==V1.0", "name==1.0RC1", "name==1.0.Post1", "name==1!2.0",
	"name==1!x", "name>=1.0a", "name>=1.0a.", "name>=1.0-1", "name>=1.0-r",
	"name>=1.0alp", "name>=1.0preview1", "name>=1.0pre1", "name>=1.0.dev", "name>1.0_c_1",
	"name==1.0.*+local", "name==1.0a1.*", "name>=\n1.0", "name>=\u20031.0",
	"name =1.0", "name=1.0", "name==", "name>=", "name>=a", "name<>1",
	"name>=1.0; python_version < '3.8'", "name>=1.0;python_version<'3.8'",
	"name>=1.0 ;python_version<'3.8'", "name ; os_name == 'nt'",
	"name; os_name == 'nt' ", "name; os_name == 'nt'\n", "name; os_name == 'nt' \n",
	"name; os_name == \"nt\" and", "name; (os_name == 'nt'", "name; os_name == 'nt')",
	"name; os_name", "name; 'a'", "name; os_name == nt", "name; os_name = 'nt'",
	"name ; extra == 'A_B' or extra == 'C.D'", "name ; (extra == 'A_B') or extra == 'C.D'",
	"name ; extra == os_name", "name ; os_name == extra", "name; 'Dev' == extra",
	"name ; python_version >= \"3\" and (os_name == 'nt' or (sys_platform == 'linux'))",
	"name; platform.python_implementation == 'CPython'", "name; python_implementation == 'PyPy'",
	"name; os.name == 'nt'", "name; sys.platform == 'win32'", "name; platform.version == 'x'",
	"name; platform.release == 'x'", "name; platform.machine == 'x'",
	"name [a] >= 1.0 ; extra == 'a'", "name[a]>=1.0;extra=='a'",
	"zope.interface>=5", "backports.zoneinfo; python_version<'3.9'",
	"name>=1.0; python_version < '3.8' # comment",
}

// trickyMarkers are hand-written markers for parsing and evaluation.
var trickyMarkers = []string{
	`python_version < "3.8"`, `python_version<"3.8"`, `python_version < '3.8'`,
	`python_version >= "3.8" and python_version < "3.12"`,
	`python_version == "3.11"`, `python_version == "3.11.*"`, `python_version == "3.1"`,
	`python_version != "3.8"`, `python_version ~= "3.8"`, `python_version ~= "3"`,
	`python_version === "3.11"`, `python_version === "3.11.0"`, `python_version > "3.10"`,
	`python_version in "2.6 2.7 3.2 3.3"`, `python_version not in "3.8 3.9"`,
	`python_version in "3.11"`, `"3.11" in python_version`, `"3" in python_version`,
	`python_full_version >= "3.11.7"`, `python_full_version < "3.8.1"`, `python_full_version == "3.13.0"`,
	`python_full_version >= "3.13.0+local"`, `python_full_version == "3.13.0+local"`,
	`implementation_version >= "3.8"`, `implementation_version == "7.3.15"`,
	`implementation_name == "cpython"`, `implementation_name == "pypy"`, `implementation_name != "PyPy"`,
	`platform_python_implementation == "CPython"`, `platform_python_implementation != 'PyPy'`,
	`python_implementation == "PyPy"`, `platform.python_implementation == "CPython"`,
	`os_name == "nt"`, `os_name == "posix"`, `os.name == "nt"`, `os_name != "nt"`,
	`sys_platform == "win32"`, `sys_platform == "linux"`, `sys_platform == "darwin"`,
	`sys_platform != "win32"`, `sys.platform == "darwin"`, `sys_platform < "linux"`,
	`"linux" in sys_platform`, `"win" in sys_platform`, `"lin" not in sys_platform`,
	`platform_system == "Windows"`, `platform_system == "Linux"`, `platform_system == "Darwin"`,
	`platform_machine == "x86_64"`, `platform_machine == "arm64"`, `platform_machine == "AMD64"`,
	`platform_machine in "x86_64 X86_64 aarch64 AMD64"`, `platform.machine == "aarch64"`,
	`platform_release >= "5"`, `platform_release == "10"`, `platform_release < "20.0"`,
	`platform_release > "a"`, `platform_version == "10.0.19045"`, `platform_version >= "10"`,
	`"Debian" in platform_version`, `platform.version < "z"`,
	`os_name ~= "nt"`, `os_name ~= "1.0"`, `os_name == "1.0"`, `os_name === "posix"`,
	`os_name < "nt"`, `os_name <= "posix"`, `os_name > "nt"`, `os_name >= "posix"`,
	`os_name === "foo bar"`, `os_name == "posix "`, `os_name == " posix"`,
	`python_version == " 3.11 "`, `python_version < "=3.9"`, `python_version == "=3.11"`,
	`extra == "test"`, `extra == "Test"`, `extra == "TEST_"`, `extra == "test-extra"`,
	`extra == "Test.Extra"`, `extra == "test__extra"`, `extra != "test"`, `extra == ""`,
	`extra == "doc"`, `extra == "DOC"`, `"test" == extra`, `"Test_Extra" == extra`,
	`extra in "test doc"`, `"test" in extra`, `extra == "1.0"`, `extra >= "a"`,
	`extra ~= "1.0"`, `extra == os_name`, `os_name == extra`, `extra == extra`,
	`os_name == sys_platform`, `"posix" == "os_name"`, `"nt" == "os_name"`, `"a" == "b"`,
	`"a" == "extra"`, `"3.11" == "python_version"`, `"posix" in "os_name"`,
	`os_name == "nt" or os_name == "posix"`, `os_name == "nt" and os_name == "posix"`,
	`os_name == "nt" or os_name == "posix" and sys_platform == "linux"`,
	`(os_name == "nt" or os_name == "posix") and sys_platform == "linux"`,
	`os_name == "nt" and (sys_platform == "win32" or extra == "test")`,
	`((os_name == "posix"))`, `((os_name == "nt" or os_name == "posix")) and sys_platform == "darwin"`,
	`(extra == "Test") and os_name == "posix"`, `( extra == "Test" )`,
	`(((python_version < "3.8") or (extra == "doc")))`,
	`python_version < "3.8" or platform_release >= "5"`, `platform_release >= "5" or python_version >= "3"`,
	`os_name == "nt" or extra ~= "x"`, `os_name ~= "x" or os_name == "posix"`,
	`python_version=="3.11"and os_name=="posix"`, `python_version=="3.11"andos_name=="posix"`,
	`os_name=="posix"or(extra=="test")`, `"a"in"abc"`, `"a" in"abc"`, `"a"not in"abc"`,
	`"a" not  in "abc"`, "\"a\" not\tin \"abc\"", `"a" notin "abc"`, `"a" not"in" "abc"`,
	`os_name == "a\x41b"`, `os_name == "\101"`, `os_name == "\u00e9"`, `os_name == "\U0001F600"`,
	`os_name == "a\\b"`, `os_name == "\d"`, `os_name == "\'"`, `os_name == '\"'`, `os_name == "\"`,
	`os_name == "\x4"`, `os_name == "\u12"`, `os_name == "\U00110000"`, `os_name == "\0"`,
	"os_name == \"a\\\nb\"", "os_name == \"a\\\r\nb\"", "os_name == \"a\nb\"", "os_name == \"a\rb\"",
	"os_name == \"a\x00b\"", `os_name == 'it"s'`, `os_name == "it's"`, `os_name == ''`,
	`os_name == ""`, `os_name == "`, `os_name == 'posix"`, `os_name == "posix" "x"`,
	`os_name`, `"nt"`, `os_name ==`, `== "nt"`, `os_name == nt`, `os_names == "nt"`,
	`Os_name == "nt"`, `OS_NAME == "nt"`, `os_name = "nt"`, `os_name <> "nt"`, `os_name => "nt"`,
	`os_name !== "nt"`, `os_name ==== "nt"`, `os_name is "nt"`, `not os_name == "nt"`,
	`os_name == "nt" and`, `and os_name == "nt"`, `os_name == "nt" AND os_name == "x"`,
	`()`, `(os_name == "nt"`, `os_name == "nt")`, `(os_name == "nt"))`, "",
	" os_name == 'nt' ", "\tos_name\t==\t'nt'\t", "os_name == 'nt'\n", "os_name == 'nt'\n\n",
	"os_name\n== 'nt'", `os_name == "nt";`, `os_name == "nt" # c`, `extras == "a"`,
	`python_version < "3.8" and extra == "test"`, `extra == "test" and python_version >= "3.8"`,
	`extra == "test" or extra == "doc"`, `extra != "test" and extra != "doc"`,
	`python_version >= "3.8" and (extra == "test" or extra == "Test_Extra")`,
	`python_version >= "3.11.0a1"`, `python_version < "3.12.0rc1"`, `python_full_version >= "3.11.0rc1"`,
	`python_full_version <= "3.8.10.post1"`, `python_full_version != "3.8.10+local"`,
	`python_version == "3.11.*.*"`, `python_version == "3.*"`, `python_version != "3.*"`,
	`python_version >= "3.*"`, `python_version >= "v3.8"`, `python_version >= "3.8 "`,
}

// knownDivergent are inputs packaging accepts and ParseMarker rejects on
// purpose (see the package comment).
var knownDivergent = []string{
	`os_name == "\N{LATIN SMALL LETTER E}"`,
	`os_name == "\ud800"`,
	`os_name == "\U0000DFFF"`,
}

// requiresDist reads testdata/requires-dist.txt: the distinct Requires-Dist
// lines of every distribution installed in this machine's Pythons.
func requiresDist(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/requires-dist.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// markersOf returns the text after the first ";" of each line that has one.
func markersOf(lines []string) []string {
	var ms []string
	for _, l := range lines {
		if _, m, ok := strings.Cut(l, ";"); ok {
			ms = append(ms, m)
		}
	}
	return ms
}

// soupTokens are the pieces random inputs are made of: fragments of valid
// syntax and the characters that most often break it.
var soupTokens = []string{
	"name", "a", "Pkg_1.x", " ", " ", "\t", "\n", "[", "]", "(", ")", ",", ";", "@", "'", `"`, `\`,
	"==", ">=", "<", "~=", "===", "!=", "=", ">", "<=", "1.0", "2", "3.8", "*", ".", "+local", "v",
	"rc1", ".post1", "-", "_", "!", "dev", "python_version", "python_full_version", "os_name",
	"os.name", "sys_platform", "platform_release", "platform_machine", "implementation_name",
	"extra", "'3.8'", `"nt"`, `"test"`, `'Test_Extra'`, `"posix"`, `"3.11.*"`, " and ", " or ",
	"and", "or", " not in ", "not", " in ", "in", "https://x/y.whl", "é", "\u00a0", "\\x41", "\\n",
}

func soup(r *rand.Rand, prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		b.WriteString(prefix)
		for k := 1 + r.IntN(9); k > 0; k-- {
			b.WriteString(soupTokens[r.IntN(len(soupTokens))])
		}
		out[i] = b.String()
	}
	return out
}

// generatedRequirements combines valid pieces with random whitespace, so
// that most results are valid and exercise printing and normalisation.
func generatedRequirements(r *rand.Rand, n int) []string {
	names := []string{"requests", "Zope.Interface", "typing_extensions", "a", "x-1", "A_B.c"}
	extras := []string{"", "[security]", "[Socks, security]", "[ A_b.C ]", "[]", "[dev,Dev,DEV]"}
	specs := []string{"", ">=2.8.1", ">= 2.8.1, == 2.8.*", "(<2,>=1.0)", "( ~=1.4.5 )", "!=1.5.7,>=1.5.6",
		"==1.0+Local.1", "===weird", "<3,>2,>=2", ">=1.0a1", "==2!1.0.post2.dev3", ">=1.0,>=1.0.0"}
	markers := append([]string{""}, trickyMarkers[:40]...)
	ws := []string{"", " ", "  ", "\t"}
	out := make([]string, n)
	for i := range out {
		pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
		s := pick(ws) + pick(names) + pick(ws) + pick(extras) + pick(ws)
		if r.IntN(8) == 0 {
			s += "@ https://example.invalid/p-1.0.whl"
			if m := pick(markers); m != "" {
				s += " ;" + pick(ws) + m
			}
		} else {
			s += pick(specs)
			if m := pick(markers); m != "" {
				s += pick(ws) + ";" + pick(ws) + m
			}
		}
		out[i] = s + pick(ws)
	}
	return out
}

// generatedMarkers joins random comparisons with and/or and parentheses.
func generatedMarkers(r *rand.Rand, n int) []string {
	vars := []string{"python_version", "python_full_version", "os_name", "sys_platform",
		"platform_machine", "platform_system", "platform_release", "implementation_name",
		"implementation_version", "platform_python_implementation", "extra", "platform_version"}
	ops := []string{"==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"}
	vals := []string{`"3.8"`, `"3.11"`, `"3.12.1"`, `"3"`, `"3.*"`, `"nt"`, `"posix"`, `"linux"`,
		`"win32"`, `"darwin"`, `"x86_64"`, `"arm64"`, `"CPython"`, `"PyPy"`, `"pypy"`, `"test"`,
		`"Test_Extra"`, `"doc"`, `"5.0"`, `"Windows"`, `"Linux"`, `"7.3"`, `"3.13.0+local"`, `''`}
	var item func(depth int) string
	item = func(depth int) string {
		if depth < 2 && r.IntN(4) == 0 {
			return "(" + joinItems(r, depth+1, item) + ")"
		}
		v, val := vars[r.IntN(len(vars))], vals[r.IntN(len(vals))]
		op := ops[r.IntN(len(ops))]
		if r.IntN(4) == 0 {
			return val + " " + op + " " + v
		}
		return v + " " + op + " " + val
	}
	out := make([]string, n)
	for i := range out {
		out[i] = joinItems(r, 0, item)
	}
	return out
}

func joinItems(r *rand.Rand, depth int, item func(int) string) string {
	s := item(depth)
	for k := r.IntN(3); k > 0; k-- {
		s += []string{" and ", " or "}[r.IntN(2)] + item(depth)
	}
	return s
}
