package pep508

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pep440"
)

// The expectations below are what packaging 24.1 (pip 24.2) gives; the
// oracle test checks the same inputs against it directly.
func TestParseRequirement(t *testing.T) {
	tests := []struct {
		in                           string
		str, name, spec, url, marker string
		extras                       []string
	}{
		{in: `name[extra1, Extra_2] (>=1.0, <2) ; python_version < "3.8" and extra == "test"`,
			str:  `name[Extra_2,extra1]<2,>=1.0; python_version < "3.8" and extra == "test"`,
			name: "name", extras: []string{"extra-2", "extra1"}, spec: "<2,>=1.0",
			marker: `python_version < "3.8" and extra == "test"`},
		{in: `pkg @ https://x/y.whl ; os_name=="nt"`, str: `pkg@ https://x/y.whl ; os_name == "nt"`,
			name: "pkg", url: "https://x/y.whl", marker: `os_name == "nt"`},
		{in: `pkg@https://x/y.whl;os_name=="nt"`, str: `pkg@ https://x/y.whl;os_name=="nt"`,
			name: "pkg", url: `https://x/y.whl;os_name=="nt"`},
		{in: "Zope.Interface (>=5)", str: "Zope.Interface>=5", name: "Zope.Interface", spec: ">=5"},
		{in: "  name  ", str: "name", name: "name"},
		{in: "name\n", str: "name", name: "name"},
		{in: "name[]", str: "name", name: "name"},
		{in: "name()", str: "name", name: "name"},
		{in: "name[a,A,a]", str: "name[A,a]", name: "name", extras: []string{"a"}},
		{in: "name>=1.0,", str: "name>=1.0", name: "name", spec: ">=1.0"},
		{in: "name>=\n1.0", str: "name>=1.0", name: "name", spec: ">=1.0"},
		{in: "name===foo,>=1", str: "name===foo,>=1", name: "name", spec: "===foo,>=1"},
		{in: "name==1.0+Local.1", str: "name==1.0+Local.1", name: "name", spec: "==1.0+Local.1"},
		{in: `name; extra == "Dev_Tools"`, str: `name; extra == "dev-tools"`, name: "name", marker: `extra == "dev-tools"`},
		{in: `name; (extra == "Dev_Tools")`, str: `name; extra == "Dev_Tools"`, name: "name", marker: `extra == "Dev_Tools"`},
		{in: `name; os.name == 'nt'`, str: `name; os_name == "nt"`, name: "name", marker: `os_name == "nt"`},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.in)
		if err != nil {
			t.Errorf("ParseRequirement(%q): %v", tt.in, err)
			continue
		}
		if r.String() != tt.str || r.Name != tt.name || r.Specifier.String() != tt.spec ||
			r.URL != tt.url || r.Marker.String() != tt.marker || !slices.Equal(r.Extras, tt.extras) {
			t.Errorf("ParseRequirement(%q) = %q name %q extras %q spec %q url %q marker %q", tt.in,
				r.String(), r.Name, r.Extras, r.Specifier.String(), r.URL, r.Marker.String())
		}
	}
}

func TestParseRequirementErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "expected package name"},
		{"-name", "expected package name"},
		{"name-", "expected end or semicolon (after name and no valid version specifier)"},
		{"name[a b]", "expected comma between extra names"},
		{"name[a,]", "expected extra name after comma"},
		{"name[a", "expected matching ]"},
		{"name(>=1.0", "expected matching )"},
		{"name>=1.0 <2", "expected end or semicolon (after version specifier)"},
		{"name>=1.0.*", ".* suffix can only be used with `==` or `!=` operators"},
		{"name<1.0+local", "local version label can only be used"},
		{"name~=1", "after name and no valid version specifier"},
		{"name===a,b", "invalid specifier"},
		{"pkg @ ", "expected URL after @"},
		{"pkg @ https://x/y.whl; os_name=='nt'", "expected end or semicolon (after URL and whitespace)"},
		{"name; os_name", "expected marker operator"},
		{"name; os_name == 'nt' foo", "expected end of dependency specifier"},
		{`name; os_name == "a\x4"`, `truncated \x escape`},
		{"name; os_name == 'a\nb'", "unterminated string literal"},
		{"na\xffme", "not valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := ParseRequirement(tt.in)
		if err == nil || !errors.Is(err, ErrInvalidRequirement) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseRequirement(%q) error = %v, want ErrInvalidRequirement with %q", tt.in, err, tt.msg)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRequirement(%q) error spans lines: %q", tt.in, err)
		}
	}
}

func TestErrorHidesCredentials(t *testing.T) {
	_, err := ParseRequirement("pkg @ https://user:s3cret@host/p.whl ;bad")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "https://****@host/p.whl") {
		t.Errorf("error = %v, want the URL's credentials replaced by ****", err)
	}
}

func TestRequirementSpecifierContains(t *testing.T) {
	r, err := ParseRequirement("botocore (<1.44.0,>=1.43.11)")
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]bool{"1.43.11": true, "1.43.99": true, "1.44.0": false, "1.43.10": false, "1.44.0rc1": false} {
		if got := r.Specifier.Contains(pep440.MustParse(v)); got != want {
			t.Errorf("%s contains %s = %v, want %v", r, v, got, want)
		}
	}
}

func TestRequirementBuiltByHand(t *testing.T) {
	spec, err := pep440.ParseSpecifierSet(">=2")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMarker(`extra == "socks"`)
	if err != nil {
		t.Fatal(err)
	}
	r := Requirement{Name: "requests", Extras: []string{"socks"}, Specifier: spec, Marker: m}
	if got, want := r.String(), `requests[socks]>=2; extra == "socks"`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
