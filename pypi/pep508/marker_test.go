package pep508

import (
	"errors"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pep440"
)

func TestMarkerString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`python_version<'3.8'`, `python_version < "3.8"`},
		{"\tos_name\t==\t'nt'\t", `os_name == "nt"`},
		{`(os_name == "a" or os_name == "b") and extra == "x"`, `(os_name == "a" or os_name == "b") and extra == "x"`},
		{`os_name == "a" and (os_name == "b" or os_name == "c")`, `os_name == "a" and (os_name == "b" or os_name == "c")`},
		{`((os_name == "a"))`, `os_name == "a"`},
		{`(os_name == "a") and os_name == "b"`, `os_name == "a" and os_name == "b"`},
		// packaging drops the parentheses of a doubly parenthesised group.
		{`((os_name == "a" or os_name == "b")) and os_name == "c"`, `os_name == "a" or os_name == "b" and os_name == "c"`},
		// Only the first comparison's extra is normalised, and a variable
		// compared with extra there becomes a value.
		{`extra == "A_B" or extra == "C.D"`, `extra == "a-b" or extra == "C.D"`},
		{`"Test" == extra`, `"test" == extra`},
		{`extra == os_name`, `extra == "os-name"`},
		{`python_implementation == "PyPy"`, `platform_python_implementation == "PyPy"`},
		{`sys.platform == "linux"`, `sys_platform == "linux"`},
		{`os_name == "\x41\101\u00e9\d"`, `os_name == "AAé\d"`},
		{"os_name == \"a\\\nb\"", `os_name == "ab"`},
		{`os_name == 'it"s'`, `os_name == "it"s"`},
		{"os_name == 'nt'\n", `os_name == "nt"`},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.in)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("ParseMarker(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := (*Marker)(nil).String(); got != "" {
		t.Errorf("nil Marker String() = %q", got)
	}
}

func TestParseMarkerErrors(t *testing.T) {
	for _, in := range []string{
		"", "os_name", `os_name ==`, `os_name = "nt"`, `os_name == nt`, `"a" notin "b"`,
		`os_name == "nt" and`, `(os_name == "nt"`, `os_name == "nt")`, `Os_name == "nt"`,
		`python_version=="3"andos_name=="posix"`, `os_name == "\"`, "os_name == 'a\rb'",
		"os_name == 'a\x00b'", `os_name == "\U00110000"`, `os_name == "\N{DASH}"`, `os_name == "\ud800"`,
		strings.Repeat("(", maxDepth+1) + `os_name == "nt"` + strings.Repeat(")", maxDepth+1),
	} {
		if m, err := ParseMarker(in); err == nil || !errors.Is(err, ErrInvalidMarker) {
			t.Errorf("ParseMarker(%q) = %v, %v; want ErrInvalidMarker", in, m, err)
		}
	}
	deep := strings.Repeat("(", 450) + `os_name == "nt"` + strings.Repeat(")", 450)
	if _, err := ParseMarker(deep); err != nil {
		t.Errorf("450 nested parentheses (packaging accepts them): %v", err)
	}
}

func TestEvaluate(t *testing.T) {
	linux, windows, pypy, dev := testEnvs[0], testEnvs[1], testEnvs[3], testEnvs[4]
	tests := []struct {
		marker string
		env    map[string]string
		extras []string
		want   bool
	}{
		{`python_version < "3.8"`, linux, nil, false},
		{`python_version < "3.9"`, windows, nil, true},
		{`python_version >= "3.8" and sys_platform == "win32"`, windows, nil, true},
		{`sys_platform == "win32" or platform_machine == "x86_64"`, linux, nil, true},
		{`python_version == "3.11.*"`, linux, nil, true},
		{`python_version in "2.7 3.10 3.11"`, linux, nil, true},
		{`python_version in "3.1"`, linux, nil, false},
		{`"3.1" in python_version`, linux, nil, true}, // substring
		{`python_version > "3.9"`, linux, nil, true},  // as versions, not strings
		{`platform_machine < "y"`, linux, nil, true},  // as strings
		{`implementation_name == "pypy"`, pypy, nil, true},
		{`platform_python_implementation != "PyPy"`, pypy, nil, false},
		{`python_full_version >= "3.13.0"`, dev, nil, true}, // "3.13.0+" reads as 3.13.0+local
		{`python_full_version == "3.13.0+local"`, dev, nil, true},
		{`python_full_version < "3.8.10.post1"`, windows, nil, true},
		{`extra == "test"`, linux, nil, false},
		{`extra == "test"`, linux, []string{"test"}, true},
		{`extra == "Test.Extra"`, linux, []string{"test_extra"}, true},
		{`extra == "test"`, linux, []string{"doc", "TEST"}, true},
		{`extra != "test"`, linux, []string{"test"}, false},
		{`extra != "test"`, linux, nil, true},
		{`python_version < "3.8" and extra == "test"`, windows, []string{"test"}, false},
		{`os_name == "nt" and extra == "test"`, windows, []string{"test"}, true},
		{`"posix" == "os_name"`, linux, nil, true},     // packaging looks the value up
		{`platform_release >= "5"`, linux, nil, false}, // raises: "6.1.0-18-amd64" is not a version
		{`platform_release >= "5"`, pypy, nil, true},
		{`os_name ~= "nt"`, windows, nil, false}, // raises: undefined comparison
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.marker, err)
			continue
		}
		if got := m.Evaluate(tt.env, tt.extras...); got != tt.want {
			t.Errorf("%q in %s/%s with extras %q = %v, want %v", tt.marker,
				tt.env["sys_platform"], tt.env["python_full_version"], tt.extras, got, tt.want)
		}
	}
	if !(*Marker)(nil).Evaluate(linux) {
		t.Error("a nil Marker does not hold")
	}
}

func TestEvaluateErr(t *testing.T) {
	linux := testEnvs[0]
	tests := []struct {
		marker string
		env    map[string]string
		want   error
	}{
		{`platform_release >= "5"`, linux, pep440.ErrInvalidVersion},
		{`os_name ~= "nt"`, linux, ErrUndefinedComparison},
		{`os_name === "foo bar"`, linux, ErrUndefinedComparison},
		{`"a" == "b"`, linux, ErrUndefinedEnvironmentName},
		{`os_name == "nt"`, map[string]string{"sys_platform": "linux"}, ErrUndefinedEnvironmentName},
		// Every comparison is evaluated, as in packaging.
		{`os_name == "posix" or os_name ~= "nt"`, linux, ErrUndefinedComparison},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Fatalf("ParseMarker(%q): %v", tt.marker, err)
		}
		if ok, err := m.EvaluateErr(tt.env); !errors.Is(err, tt.want) || ok {
			t.Errorf("EvaluateErr(%q) = %v, %v; want false, %v", tt.marker, ok, err, tt.want)
		}
	}
	// Like pip, stop at the first extra for which the marker holds: the
	// extra "a" is not a version, so comparing it as one raises.
	m, err := ParseMarker(`extra >= "1.0"`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := m.EvaluateErr(linux, "2.0", "a"); !ok || err != nil {
		t.Errorf("EvaluateErr with extras 2.0, a = %v, %v; want true, nil", ok, err)
	}
	if ok, err := m.EvaluateErr(linux, "a", "2.0"); ok || !errors.Is(err, pep440.ErrInvalidVersion) {
		t.Errorf("EvaluateErr with extras a, 2.0 = %v, %v; want false, ErrInvalidVersion", ok, err)
	}
}
