package pypitest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// apiServer offers Demo_Pkg 1.0 (a wheel with requirements, PEP 658 turned
// off), 2.0 (a yanked wheel and an sdist) and 3.0 (an sdist whose metadata
// the upload declared).
func apiServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	must(t, s.AddWheel(WheelSpec{Name: "Demo_Pkg", Version: "1.0", RequiresPython: ">=3.8", Summary: "demo",
		Requires: []string{"dep<2", `extra-dep; extra == "x"`}}, WithoutMetadata()))
	must(t, s.AddWheel(WheelSpec{Name: "demo-pkg", Version: "2.0"}, Yank("bad")))
	name, data := BuildSdist("demo-pkg", "2.0")
	must(t, s.Add(FileSpec{Project: "demo-pkg", Filename: name, Data: data, NoHash: true}))
	name, data = BuildSdist("demo-pkg", "3.0")
	must(t, s.Add(FileSpec{Project: "demo-pkg", Filename: name, Data: data,
		Metadata: []byte("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 3.0\nSummary: folded\n  summary\nProvides-Extra: x\nRequires-Dist: dep>=2\n\nRequires-Dist: body\n")}))
	return s
}

func TestJSONAPI(t *testing.T) {
	s := apiServer(t, WithJSONAPI(), WithGzip(false))
	wheel, _, err := BuildWheel(WheelSpec{Name: "Demo_Pkg", Version: "1.0"})
	must(t, err)
	cases := []struct {
		path     string
		status   int
		requires string // requires_dist joined with "|", "null" for null
		python   string // requires_python, "null" for null
		summary  string
		extras   string
		files    string // file names and package types
		yanked   bool
	}{
		{path: "/pypi/Demo.Pkg/1.0/json", status: 200, requires: `dep<2|extra-dep; extra == "x"`, python: ">=3.8", summary: "demo",
			extras: "null", files: wheel + " bdist_wheel py3"},
		{path: "/pypi/demo-pkg/2.0/json", status: 200, requires: "null", python: "null",
			extras: "null", files: "demo_pkg-2.0-py3-none-any.whl bdist_wheel py3|demo_pkg-2.0.tar.gz sdist source"},
		{path: "/pypi/DEMO_PKG/3.0/json", status: 200, requires: "dep>=2", python: "null", summary: "folded summary",
			extras: "x", files: "demo_pkg-3.0.tar.gz sdist source"},
		{path: "/pypi/demo-pkg/4.0/json", status: 404},
		{path: "/pypi/nothing/1.0/json", status: 404},
		{path: "/pypi/demo-pkg/json", status: 404},
		{path: "/pypi/demo-pkg/1.0/json/more", status: 404},
		{path: "/pypi//1.0/json", status: 404},
	}
	s.ResetCounts()
	for _, c := range cases {
		resp, body := get(t, s.URL+c.path)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
			continue
		}
		if c.status != 200 {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: content type %q", c.path, ct)
		}
		var doc struct {
			Info map[string]json.RawMessage `json:"info"`
			URLs []struct {
				Filename, URL, PackageType string
				PythonVersion              string `json:"python_version"`
				Digests                    map[string]string
				Size                       int
			} `json:"urls"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v\n%s", c.path, err, body)
		}
		str := func(key string) string {
			raw := doc.Info[key]
			if string(raw) == "null" {
				return "null"
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: info.%s = %s", c.path, key, raw)
			}
			switch v := v.(type) {
			case string:
				return v
			case bool:
				if v {
					return "true"
				}
				return "false"
			case []any:
				var parts []string
				for _, p := range v {
					parts = append(parts, p.(string))
				}
				return strings.Join(parts, "|")
			}
			return string(raw)
		}
		if got := str("name"); got != "Demo_Pkg" {
			t.Errorf("%s: name %q, want the project's display name", c.path, got)
		}
		if got, want := str("version"), strings.Split(c.path, "/")[3]; got != want {
			t.Errorf("%s: version %q", c.path, got)
		}
		if got := str("requires_dist"); got != c.requires {
			t.Errorf("%s: requires_dist %q, want %q", c.path, got, c.requires)
		}
		if got := str("requires_python"); got != c.python {
			t.Errorf("%s: requires_python %q, want %q", c.path, got, c.python)
		}
		if got := str("summary"); got != c.summary {
			t.Errorf("%s: summary %q, want %q", c.path, got, c.summary)
		}
		if got := str("provides_extra"); got != c.extras {
			t.Errorf("%s: provides_extra %q, want %q", c.path, got, c.extras)
		}
		if got := str("yanked"); got != "false" {
			t.Errorf("%s: yanked %s; a release is yanked only when all its files are", c.path, got)
		}
		var files []string
		for _, u := range doc.URLs {
			files = append(files, u.Filename+" "+u.PackageType+" "+u.PythonVersion)
			resp, data := get(t, u.URL)
			if resp.StatusCode != 200 || u.Size != len(data) {
				t.Errorf("%s: file %s: status %d, %d bytes, size says %d", c.path, u.URL, resp.StatusCode, len(data), u.Size)
			}
			if d := u.Digests["sha256"]; d != "" && d != hexSHA256(data) {
				t.Errorf("%s: file %s: sha256 %s does not match", c.path, u.Filename, d)
			}
		}
		if got := strings.Join(files, "|"); got != c.files {
			t.Errorf("%s: urls %q, want %q", c.path, got, c.files)
		}
	}
	// The file downloads above count as files, every /pypi/ path as JSONAPI.
	want := Counts{JSONAPI: int64(len(cases)), File: 4, Total: int64(len(cases)) + 4}
	if got := s.Requests(); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}

	// WithoutMetadata hides the PEP 658 file, not what the JSON API knows.
	if resp, _ := get(t, s.URL+"/files/"+wheel+".metadata"); resp.StatusCode != 404 {
		t.Errorf("PEP 658 file of a WithoutMetadata wheel: status %d", resp.StatusCode)
	}
}

func TestJSONAPIOff(t *testing.T) {
	s := apiServer(t)
	s.Fail("demo-pkg", Fault{Status: 503, Times: 1})
	resp, _ := get(t, s.URL+"/pypi/demo-pkg/2.0/json")
	if resp.StatusCode != 404 {
		t.Errorf("without WithJSONAPI: status %d, want 404", resp.StatusCode)
	}
	// The project's fault was not used up by the foreign path.
	if resp, _ := get(t, s.URL+"/simple/demo-pkg/"); resp.StatusCode != 503 {
		t.Errorf("project page after a /pypi/ request: status %d, want the fault's 503", resp.StatusCode)
	}
	if c := s.Requests(); c.JSONAPI != 1 || c.Project != 1 || c.Total != 2 {
		t.Errorf("counts %+v", c)
	}
}

func TestJSONAPIConditionalAndFaults(t *testing.T) {
	s := apiServer(t, WithJSONAPI())
	u := s.URL + "/pypi/demo-pkg/2.0/json"
	resp, _ := get(t, u)
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("no validators: %v", resp.Header)
	}
	if resp, _ := get(t, u, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d", resp.StatusCode)
	}
	s.Fail("Demo.Pkg", Fault{Status: 503, Times: 1})
	if resp, _ := get(t, u); resp.StatusCode != 503 {
		t.Errorf("with a project fault: status %d", resp.StatusCode)
	}
	s.Fail("demo-pkg", Fault{Garbage: true, Times: 1})
	if _, body := get(t, u); json.Valid(body) {
		t.Errorf("garbage fault sent valid JSON %s", body)
	}
	if c := s.Requests(); c.JSONAPI != 4 || c.NotModified != 1 {
		t.Errorf("counts %+v", c)
	}
}

func TestWrongMetadataHash(t *testing.T) {
	s := NewServer()
	t.Cleanup(s.Close)
	must(t, s.AddWheel(WheelSpec{Name: "demo", Version: "1.0"}, WithWrongMetadataHash()))
	_, page := get(t, s.URL+"/simple/demo/", "Accept", acceptJSON)
	var doc struct {
		Files []struct {
			URL          string
			CoreMetadata map[string]string `json:"core-metadata"`
		}
	}
	must(t, json.Unmarshal(page, &doc))
	if len(doc.Files) != 1 {
		t.Fatalf("files %+v", doc.Files)
	}
	_, md := get(t, s.URL+"/files/demo-1.0-py3-none-any.whl.metadata")
	if adv := doc.Files[0].CoreMetadata["sha256"]; adv == "" || adv == hexSHA256(md) || !strings.Contains(string(md), "Name: demo") {
		t.Errorf("advertised %q for metadata with sha256 %s:\n%s", adv, hexSHA256(md), md)
	}
}

// The links, upload times and advisories a release document carries on
// pypi.org: home_page and project_urls from the upload's metadata (null
// when it has none), upload_time_iso_8601 per file, and vulnerabilities
// as set (an empty list otherwise).
func TestJSONAPILinksTimesAndVulnerabilities(t *testing.T) {
	s := NewServer(WithJSONAPI())
	t.Cleanup(s.Close)
	must(t, s.AddWheel(WheelSpec{Name: "demo", Version: "1.0", HomePage: "https://home.example",
		ProjectURLs: []string{"Source, https://src.example/demo", "Changelog,https://src.example/CHANGES"}}))
	must(t, s.AddWheel(WheelSpec{Name: "demo", Version: "2.0"}))
	withdrawn := "2024-02-01T00:00:00Z"
	s.SetVulnerabilities("Demo", "1.0",
		Vulnerability{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, FixedIn: []string{"2.0"}, Link: "https://osv.dev/PYSEC-1", Source: "osv"},
		Vulnerability{ID: "GHSA-2", Withdrawn: &withdrawn})

	type doc struct {
		Info struct {
			HomePage    *string           `json:"home_page"`
			ProjectURLs map[string]string `json:"project_urls"`
		} `json:"info"`
		URLs []struct {
			UploadTime string `json:"upload_time_iso_8601"`
		} `json:"urls"`
		Vulnerabilities []Vulnerability `json:"vulnerabilities"`
	}
	read := func(version string) doc {
		resp, body := get(t, s.URL+"/pypi/demo/"+version+"/json")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", version, resp.StatusCode)
		}
		var d doc
		if err := json.Unmarshal(body, &d); err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if !strings.Contains(string(body), `"vulnerabilities":[`) {
			t.Errorf("%s: vulnerabilities is not a list: %s", version, body)
		}
		return d
	}
	one, two := read("1.0"), read("2.0")
	if one.Info.HomePage == nil || *one.Info.HomePage != "https://home.example" {
		t.Errorf("home_page %v", one.Info.HomePage)
	}
	if want := map[string]string{"Source": "https://src.example/demo", "Changelog": "https://src.example/CHANGES"}; !reflect.DeepEqual(one.Info.ProjectURLs, want) {
		t.Errorf("project_urls %v, want %v", one.Info.ProjectURLs, want)
	}
	if two.Info.HomePage != nil || two.Info.ProjectURLs != nil {
		t.Errorf("no links declared: home_page %v, project_urls %v; want null", two.Info.HomePage, two.Info.ProjectURLs)
	}
	if len(one.Vulnerabilities) != 2 || one.Vulnerabilities[0].ID != "PYSEC-1" || one.Vulnerabilities[1].Withdrawn == nil || len(two.Vulnerabilities) != 0 {
		t.Errorf("vulnerabilities: 1.0 %+v, 2.0 %+v", one.Vulnerabilities, two.Vulnerabilities)
	}
	t1, err1 := time.Parse(time.RFC3339Nano, one.URLs[0].UploadTime)
	t2, err2 := time.Parse(time.RFC3339Nano, two.URLs[0].UploadTime)
	if err1 != nil || err2 != nil || !t2.After(t1) {
		t.Errorf("upload times %q, %q: want RFC 3339, the later file later", one.URLs[0].UploadTime, two.URLs[0].UploadTime)
	}
}
