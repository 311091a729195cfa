package pypi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

func TestJSONAPIURL(t *testing.T) {
	tests := []struct {
		index, name, version string
		want                 string
		ok                   bool
	}{
		{"https://pypi.org/simple", "Typing_Extensions", "4.12.2", "https://pypi.org/pypi/typing-extensions/4.12.2/json", true},
		{"https://pypi.org/simple/", "requests", "2.32.3", "https://pypi.org/pypi/requests/2.32.3/json", true},
		{"https://test.pypi.org/simple/", "x", "1.0", "https://test.pypi.org/pypi/x/1.0/json", true},
		{"https://user:secret@mirror.example/repo/simple", "x", "1.0", "https://user:secret@mirror.example/repo/pypi/x/1.0/json", true},
		{"https://mirror.example/root/pypi/+simple/", "x", "1.0", "", false},
		{"file:///srv/index/simple", "x", "1.0", "", false},
		{"https://pypi.org/simple", "x", "", "", false},
	}
	for _, tt := range tests {
		got, ok := JSONAPIURL(tt.index, tt.name, tt.version)
		if got != tt.want || ok != tt.ok {
			t.Errorf("JSONAPIURL(%q, %q, %q) = %q, %v; want %q, %v", tt.index, tt.name, tt.version, got, ok, tt.want, tt.ok)
		}
	}
}

// A pypi.org-shaped document is read whole: core metadata, links, files
// with their upload times, advisories (withdrawn ones marked).
func TestParseRelease(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "jsonapi", "demo-2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseRelease(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Release{
		Name: "Demo", Version: "2.0", Summary: "A demo project.",
		ProjectURLs: map[string]string{
			"Changelog":     "https://github.com/demo/demo/blob/main/CHANGES.md",
			"Documentation": "https://demo.readthedocs.io",
			"Source":        "https://github.com/demo/demo",
		},
		RequiresDist:   []string{"idna<4,>=2.5", `PySocks!=1.5.7,>=1.5.6; extra == "socks"`},
		RequiresPython: ">=3.8",
		ProvidesExtra:  []string{"socks"},
		Files: []ReleaseFile{
			{Filename: "demo-2.0-py3-none-any.whl", URL: "https://files.pypi.example/packages/f9/9b/demo-2.0-py3-none-any.whl",
				SHA256: "70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6", Size: 64928,
				Uploaded: time.Date(2024, 5, 29, 15, 37, 47, 444581000, time.UTC), RequiresPython: ">=3.8"},
			{Filename: "demo-2.0.tar.gz", URL: "https://files.pypi.example/packages/63/70/demo-2.0.tar.gz",
				SHA256: "55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760", Size: 131218,
				Uploaded: time.Date(2024, 5, 29, 15, 37, 49, 123000000, time.UTC), RequiresPython: ">=3.8"},
		},
		Vulnerabilities: []Vulnerability{
			{ID: "PYSEC-2024-0001", Aliases: []string{"CVE-2099-0001", "GHSA-dddd-eeee-ffff"}, FixedIn: []string{"2.1"},
				Link: "https://osv.dev/vulnerability/PYSEC-2024-0001"},
			{ID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{}, FixedIn: []string{}, Link: "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
				Summary: "Not a vulnerability", Withdrawn: true},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseRelease:\n got %+v\nwant %+v", got, want)
	}
}

// Only the core metadata must be well-formed: odd extras are left empty,
// a malformed core field or a missing "info" is an error.
func TestParseReleaseMalformed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "jsonapi", "odd-extras.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseRelease(data)
	if err != nil {
		t.Fatalf("odd extras: %v", err)
	}
	if want := (&Release{Name: "odd", Version: "1.0", RequiresDist: []string{"dep>=1"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("odd extras:\n got %+v\nwant %+v", got, want)
	}
	for _, tt := range []struct{ doc, err string }{
		{`{}`, `no "info"`},
		{`{"info": null}`, `no "info"`},
		{`{"info": {"requires_dist": "dep"}}`, "cannot unmarshal"},
		{`{"info": {"summary": 1}}`, "cannot unmarshal"},
		{`{"info": {"name": "x"`, "unexpected end"},
		{`[]`, "cannot unmarshal"},
	} {
		if _, err := parseRelease([]byte(tt.doc)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseRelease(%s) = %v, want an error with %q", tt.doc, err, tt.err)
		}
	}
}

// Client.Release reads pypitest's JSON API: what the uploads declared, and
// ErrNotFound for an unknown version, an index without the API, or an
// index URL of another shape (with no request at all).
func TestClientRelease(t *testing.T) {
	srv := pypitest.NewServer(pypitest.WithJSONAPI())
	t.Cleanup(srv.Close)
	if err := srv.AddWheel(pypitest.WheelSpec{Name: "Demo_Pkg", Version: "1.0", Summary: "demo", RequiresPython: ">=3.8",
		Requires: []string{"dep<2"}, HomePage: "https://home.example", ProjectURLs: []string{"Source, https://src.example"}}); err != nil {
		t.Fatal(err)
	}
	srv.SetVulnerabilities("demo-pkg", "1.0", pypitest.Vulnerability{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, FixedIn: []string{"1.1"}, Link: "https://osv.example/PYSEC-1"})
	off := pypitest.NewServer()
	t.Cleanup(off.Close)
	c := newTestClient(t, ClientOptions{Retries: -1})
	ctx := context.Background()

	r, err := c.Release(ctx, srv.IndexURL(), "demo.pkg", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Demo_Pkg" || r.Version != "1.0" || r.Summary != "demo" || r.RequiresPython != ">=3.8" ||
		!reflect.DeepEqual(r.RequiresDist, []string{"dep<2"}) || r.HomePage != "https://home.example" ||
		!reflect.DeepEqual(r.ProjectURLs, map[string]string{"Source": "https://src.example"}) {
		t.Errorf("release %+v", r)
	}
	if len(r.Files) != 1 || r.Files[0].Uploaded.IsZero() || r.Files[0].SHA256 == "" || !strings.HasPrefix(r.Files[0].URL, srv.URL+"/files/") {
		t.Errorf("files %+v", r.Files)
	}
	if want := []Vulnerability{{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, FixedIn: []string{"1.1"}, Link: "https://osv.example/PYSEC-1"}}; !reflect.DeepEqual(r.Vulnerabilities, want) {
		t.Errorf("vulnerabilities %+v, want %+v", r.Vulnerabilities, want)
	}

	for _, tt := range []struct {
		name, index, version string
		noAPI                bool
	}{
		{"unknown version", srv.IndexURL(), "9.9", false},
		{"index without the API", off.IndexURL(), "1.0", false},
		{"index of another shape", srv.URL + "/root/+simple/", "1.0", true},
		{"no version", srv.IndexURL(), "", true},
	} {
		before := srv.Requests().Total + off.Requests().Total
		_, err := c.Release(ctx, tt.index, "demo-pkg", tt.version)
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoJSONAPI) != tt.noAPI {
			t.Errorf("%s: %v; want ErrNotFound (ErrNoJSONAPI %v)", tt.name, err, tt.noAPI)
		}
		if sent := srv.Requests().Total + off.Requests().Total - before; tt.noAPI && sent != 0 {
			t.Errorf("%s: %d requests sent for an index with no JSON API", tt.name, sent)
		}
	}

	// A broken document is an error naming it, without the credentials.
	srv.Fail("demo-pkg", pypitest.Fault{Garbage: true, Times: 1})
	index := strings.Replace(srv.IndexURL(), "://", "://user:s3cret@", 1)
	_, err = c.Release(ctx, index, "demo-pkg", "1.0")
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "/pypi/demo-pkg/1.0/json") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("garbage document: %v", err)
	}
}
