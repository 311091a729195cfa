package pypitest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawClient does not add Accept-Encoding or decode gzip by itself, so the
// tests see exactly what the server sends.
var rawClient = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func get(t *testing.T, rawURL string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", rawURL, err)
	}
	return resp, body
}

const acceptJSON = "application/vnd.pypi.simple.v1+json"

func newDemoServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	must(t, s.AddWheel(WheelSpec{Name: "Demo_Pkg", Version: "1.0", RequiresPython: ">=3.8"}))
	must(t, s.AddWheel(WheelSpec{Name: "demo-pkg", Version: "2.0"}, Yank("bad <build>")))
	name, data := BuildSdist("demo-pkg", "2.0")
	must(t, s.Add(FileSpec{Project: "demo-pkg", Filename: name, Data: data, NoHash: true}))
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestProjectPageHTML(t *testing.T) {
	s := newDemoServer(t, WithGzip(false))
	resp, body := get(t, s.IndexURL()+"demo-pkg/", "Accept", "text/html")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	_, wheel, _ := BuildWheel(WheelSpec{Name: "Demo_Pkg", Version: "1.0", RequiresPython: ">=3.8"})
	meta, _ := wheelMetadata(wheel)
	page := string(body)
	for _, want := range []string{
		`<a href="../../files/demo_pkg-1.0-py3-none-any.whl#sha256=` + hexSHA256(wheel) + `" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=` + hexSHA256(meta) + `" data-core-metadata="sha256=` + hexSHA256(meta) + `">demo_pkg-1.0-py3-none-any.whl</a>`,
		`data-yanked="bad &lt;build&gt;"`,
		`<a href="../../files/demo_pkg-2.0.tar.gz">demo_pkg-2.0.tar.gz</a>`,
		`<meta name="pypi:repository-version" content="1.1">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s\n%s", want, page)
		}
	}
	// The relative links resolve to the files and their metadata.
	base, _ := url.Parse(s.IndexURL() + "demo-pkg/")
	file, _ := base.Parse("../../files/demo_pkg-1.0-py3-none-any.whl")
	if _, got := get(t, file.String()); !bytes.Equal(got, wheel) {
		t.Error("file URL does not serve the wheel")
	}
	if _, got := get(t, file.String()+".metadata"); !bytes.Equal(got, meta) {
		t.Errorf("metadata URL serves %q", got)
	}
}

func TestProjectPageJSON(t *testing.T) {
	s := newDemoServer(t, WithGzip(false))
	resp, body := get(t, s.IndexURL()+"demo-pkg/", "Accept", acceptJSON)
	if resp.Header.Get("Content-Type") != acceptJSON {
		t.Fatalf("type %q", resp.Header.Get("Content-Type"))
	}
	if !bytes.Contains(body, []byte(`"requires-python":">=3.8"`)) {
		t.Errorf("requires-python is not written as PyPI writes it: %s", body)
	}
	var doc struct {
		Meta     map[string]any   `json:"meta"`
		Name     string           `json:"name"`
		Versions []string         `json:"versions"`
		Files    []map[string]any `json:"files"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if doc.Meta["api-version"] != "1.1" || doc.Name != "demo-pkg" || fmt.Sprint(doc.Versions) != "[1.0 2.0]" || len(doc.Files) != 3 {
		t.Fatalf("document %s", body)
	}
	_, wheel, _ := BuildWheel(WheelSpec{Name: "Demo_Pkg", Version: "1.0", RequiresPython: ">=3.8"})
	f0, f1, f2 := doc.Files[0], doc.Files[1], doc.Files[2]
	checks := []struct {
		what      string
		got, want any
	}{
		{"url", f0["url"], "../../files/demo_pkg-1.0-py3-none-any.whl"},
		{"hash", f0["hashes"].(map[string]any)["sha256"], hexSHA256(wheel)},
		{"requires-python", f0["requires-python"], ">=3.8"},
		{"yanked", f0["yanked"], false},
		{"size", f0["size"], float64(len(wheel))},
		{"core-metadata", f0["core-metadata"] != nil && fmt.Sprint(f0["core-metadata"]) == fmt.Sprint(f0["dist-info-metadata"]), true},
		{"yanked reason", f1["yanked"], "bad <build>"},
		{"no hash", len(f2["hashes"].(map[string]any)), 0},
		{"sdist has no metadata", f2["core-metadata"], nil},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestRootPage(t *testing.T) {
	s := newDemoServer(t, WithGzip(false))
	must(t, s.AddWheel(WheelSpec{Name: "Another", Version: "1"}))
	_, html := get(t, s.IndexURL())
	if !strings.Contains(string(html), `<a href="/simple/another/">Another</a>`) || !strings.Contains(string(html), `<a href="/simple/demo-pkg/">Demo_Pkg</a>`) {
		t.Errorf("HTML root:\n%s", html)
	}
	_, body := get(t, s.IndexURL(), "Accept", acceptJSON)
	var doc struct {
		Projects []struct{ Name string } `json:"projects"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Projects) != 2 || doc.Projects[0].Name != "Another" {
		t.Errorf("JSON root %s (%v)", body, err)
	}
}

func TestNegotiation(t *testing.T) {
	const pip = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
	tests := []struct {
		html, json bool
		accept     string
		want       string // "" means 406
	}{
		{true, true, "", "text/html"},
		{true, true, "*/*", "text/html"},
		{true, true, pip, mimeJSON},
		{true, true, "application/vnd.pypi.simple.latest+json", mimeJSON},
		{true, true, "text/html, application/vnd.pypi.simple.v1+json;q=0.5", "text/html"},
		{true, true, "application/*", mimeHTML},
		{true, true, "image/png", "text/html"},
		{true, false, pip, mimeHTML},
		{false, true, pip, mimeJSON},
		{false, true, "", mimeJSON},
		{false, true, "text/html", ""},
	}
	for _, tt := range tests {
		s := &Server{cfg: config{html: tt.html, json: tt.json}}
		if got := s.negotiate(tt.accept); got != tt.want {
			t.Errorf("html=%v json=%v Accept %q: got %q, want %q", tt.html, tt.json, tt.accept, got, tt.want)
		}
	}
	s := newDemoServer(t, WithFormats(false, true))
	if resp, _ := get(t, s.IndexURL(), "Accept", "text/html"); resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("JSON-only server answered text/html with %d", resp.StatusCode)
	}
}

func TestRedirectsAndNotFound(t *testing.T) {
	s := newDemoServer(t)
	for _, tt := range []struct {
		path     string
		status   int
		location string
	}{
		{"/simple", 301, "/simple/"},
		{"/simple/Demo_Pkg/", 301, "/simple/demo-pkg/"},
		{"/simple/demo-pkg", 301, "/simple/demo-pkg/"},
		{"/simple/demo.pkg?x=1", 301, "/simple/demo-pkg/?x=1"},
		{"/simple/demo-pkg/", 200, ""},
		{"/simple/nope/", 404, ""},
		{"/simple/a/b/", 404, ""},
		{"/files/nope.whl", 404, ""},
		{"/files/demo_pkg-2.0.tar.gz.metadata", 404, ""},
		{"/", 404, ""},
	} {
		resp, _ := get(t, s.URL+tt.path)
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	s := newDemoServer(t)
	page := s.IndexURL() + "demo-pkg/"
	resp, _ := get(t, page, "Accept", acceptJSON)
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if !strings.HasPrefix(etag, `"`) || lastMod == "" || resp.Header.Get("Cache-Control") != "max-age=600, public" {
		t.Fatalf("headers %v", resp.Header)
	}
	s.ResetCounts()
	if resp, body := get(t, page, "Accept", acceptJSON, "If-None-Match", `"other", `+etag); resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(t, page, "Accept", "text/html", "If-None-Match", etag); resp.StatusCode != 200 {
		t.Errorf("the HTML form matched the JSON form's ETag: %d", resp.StatusCode)
	}
	if resp, _ := get(t, page, "Accept", acceptJSON, "If-Modified-Since", lastMod); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	must(t, s.AddWheel(WheelSpec{Name: "demo-pkg", Version: "3.0"}))
	if resp, _ := get(t, page, "Accept", acceptJSON, "If-None-Match", etag); resp.StatusCode != 200 {
		t.Errorf("stale ETag after Add: %d", resp.StatusCode)
	}
	if resp, _ := get(t, page, "Accept", acceptJSON, "If-Modified-Since", lastMod); resp.StatusCode != 200 {
		t.Errorf("stale If-Modified-Since after Add: %d", resp.StatusCode)
	}
	file := s.URL + "/files/demo_pkg-1.0-py3-none-any.whl"
	resp, _ = get(t, file)
	if resp, _ := get(t, file, "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("file If-None-Match: %d", resp.StatusCode)
	}
	if got := s.Requests(); got.NotModified != 3 || got.Project != 5 || got.File != 2 || got.Total != 7 {
		t.Errorf("counts %+v", got)
	}
}

func TestMaxAge(t *testing.T) {
	for _, tt := range []struct {
		opts []Option
		want string
	}{{nil, "max-age=600, public"}, {[]Option{WithMaxAge(0)}, "max-age=0, public"}, {[]Option{WithMaxAge(30)}, "max-age=30, public"}} {
		s := newDemoServer(t, tt.opts...)
		for _, path := range []string{"/simple/", "/simple/demo-pkg/"} {
			if resp, _ := get(t, s.URL+path); resp.Header.Get("Cache-Control") != tt.want {
				t.Errorf("%s: Cache-Control %q, want %q", path, resp.Header.Get("Cache-Control"), tt.want)
			}
		}
	}
}

func TestGzip(t *testing.T) {
	s := newDemoServer(t)
	resp, body := get(t, s.IndexURL()+"demo-pkg/", "Accept", acceptJSON, "Accept-Encoding", "gzip, deflate")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !json.Valid(plain) {
		t.Errorf("decoded body invalid (%v): %q", err, plain)
	}
	// Go's default client asks for gzip and decodes transparently.
	resp, err = s.Client().Get(s.IndexURL())
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !resp.Uncompressed || !strings.Contains(string(html), "demo-pkg") {
		t.Errorf("uncompressed %v: %q", resp.Uncompressed, html)
	}
	for _, tt := range []struct {
		server   *Server
		encoding string
	}{{s, "gzip;q=0"}, {newDemoServer(t, WithGzip(false)), "gzip"}} {
		if resp, _ := get(t, tt.server.IndexURL(), "Accept-Encoding", tt.encoding); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q got %q", tt.encoding, resp.Header.Get("Content-Encoding"))
		}
	}
}

func TestBasicAuth(t *testing.T) {
	s := newDemoServer(t, WithBasicAuth("alice", "s3cr:et"))
	if resp, _ := get(t, s.IndexURL()); resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("without credentials: %d %v", resp.StatusCode, resp.Header)
	}
	u, _ := url.Parse(s.IndexURL() + "demo-pkg/")
	u.User = url.UserPassword("alice", "wrong")
	if resp, _ := get(t, u.String()); resp.StatusCode != 401 {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	u.User = url.UserPassword("alice", "s3cr:et")
	if resp, _ := get(t, u.String()); resp.StatusCode != 200 {
		t.Errorf("with credentials: %d", resp.StatusCode)
	}
}

func TestFaults(t *testing.T) {
	s := newDemoServer(t, WithGzip(false))
	page := s.IndexURL() + "demo-pkg/"
	s.Fail("Demo.Pkg", Fault{Status: 503, Times: 2, RetryAfter: "1"})
	for i := range 2 {
		if resp, _ := get(t, page); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("request %d: %d %q", i, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if resp, _ := get(t, page); resp.StatusCode != 200 {
		t.Errorf("after Times ran out: %d", resp.StatusCode)
	}

	s.Fail("", Fault{Status: 500})
	s.Fail("demo-pkg", Fault{Garbage: true})
	resp, body := get(t, page, "Accept", acceptJSON)
	var v any
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != acceptJSON || json.Unmarshal(body, &v) == nil {
		t.Errorf("garbage: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = get(t, s.URL+"/files/demo_pkg-1.0-py3-none-any.whl")
	if resp.StatusCode != 200 || wheelMetadataOK(body) {
		t.Errorf("garbage file: %d, still a wheel", resp.StatusCode)
	}
	if resp, _ := get(t, s.IndexURL()); resp.StatusCode != 500 {
		t.Errorf("global fault on root: %d", resp.StatusCode)
	}
	s.Fail("demo-pkg", Fault{WrongContentType: true})
	if resp, _ := get(t, page, "Accept", acceptJSON); resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("wrong content type: %q", resp.Header.Get("Content-Type"))
	}
	s.ClearFaults()
	if resp, _ := get(t, s.IndexURL()); resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
}

func wheelMetadataOK(data []byte) bool {
	_, ok := wheelMetadata(data)
	return ok
}

func TestHang(t *testing.T) {
	s := NewServer()
	s.Fail("", Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.IndexURL(), nil)
	start := time.Now()
	if _, err := s.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging request ended with %v", err)
	}
	// A request still hanging when the server closes must not block Close.
	done := make(chan error, 1)
	go func() {
		_, err := s.Client().Get(s.IndexURL())
		done <- err
	}()
	for s.Requests().Total < 2 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	if err := <-done; err == nil {
		t.Error("hanging request got an answer")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("hang test took %v", d)
	}
}

func TestLatency(t *testing.T) {
	s := newDemoServer(t, WithLatency(80*time.Millisecond))
	start := time.Now()
	get(t, s.IndexURL())
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("request took %v with 80ms latency", d)
	}
	s.SetLatency(250 * time.Millisecond)
	start = time.Now()
	get(t, s.IndexURL())
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("request took %v after SetLatency(250ms)", d)
	}
}

func TestCountsAndConcurrentAdds(t *testing.T) {
	s := newDemoServer(t)
	s.ResetCounts()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := s.AddWheel(WheelSpec{Name: "many", Version: fmt.Sprintf("1.%d", i)}); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			resp, err := rawClient.Get(s.IndexURL() + "demo-pkg/")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	get(t, s.IndexURL())
	get(t, s.URL+"/files/demo_pkg-1.0-py3-none-any.whl.metadata")
	get(t, s.URL+"/files/many-1.3-py3-none-any.whl")
	get(t, s.URL+"/elsewhere")
	want := Counts{Index: 1, Project: 8, File: 1, Metadata: 1, Total: 12}
	if got := s.Requests(); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	_, body := get(t, s.IndexURL()+"many/", "Accept", acceptJSON)
	var doc struct{ Files []any }
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Files) != 8 {
		t.Errorf("many has %d files (%v)", len(doc.Files), err)
	}
	if err := s.AddWheel(WheelSpec{Name: "many", Version: "1.0"}); err == nil {
		t.Error("a duplicate file name was accepted")
	}
	s.ResetCounts()
	if got := s.Requests(); got != (Counts{}) {
		t.Errorf("after reset %+v", got)
	}
}

func TestWriteFindLinksDir(t *testing.T) {
	s := newDemoServer(t)
	must(t, s.AddWheel(WheelSpec{Name: "other", Version: "1"}))
	dir := t.TempDir()
	must(t, s.WriteFindLinksDir(dir, "DEMO.pkg"))
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "demo_pkg-1.0-py3-none-any.whl demo_pkg-2.0-py3-none-any.whl demo_pkg-2.0.tar.gz" {
		t.Errorf("find-links dir holds %s", got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "demo_pkg-1.0-py3-none-any.whl"))
	if !wheelMetadataOK(data) {
		t.Error("written wheel is not a wheel")
	}
}

// Upload times are served as PEP 700 says, on JSON pages only, and left
// out for files that have none.
func TestUploadTime(t *testing.T) {
	s := NewServer(WithGzip(false), WithJSONAPI())
	t.Cleanup(s.Close)
	at := time.Date(2026, 11, 30, 8, 15, 0, 250000000, time.FixedZone("CET", 3600))
	must(t, s.AddWheel(WheelSpec{Name: "up", Version: "1.0"}, UploadedAt(at)))
	must(t, s.AddWheel(WheelSpec{Name: "up", Version: "2.0"}))
	_, body := get(t, s.IndexURL()+"up/", "Accept", acceptJSON)
	var doc struct {
		Files []map[string]any `json:"files"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Files) != 2 {
		t.Fatalf("%v\n%s", err, body)
	}
	if got := doc.Files[0]["upload-time"]; got != "2026-11-30T07:15:00.250000Z" {
		t.Errorf("upload-time = %v, want PyPI's UTC form", got)
	}
	if _, ok := doc.Files[1]["upload-time"]; ok {
		t.Errorf("a file without a time has upload-time: %s", body)
	}
	_, page := get(t, s.IndexURL()+"up/", "Accept", "text/html")
	if bytes.Contains(page, []byte("2026-11-30")) {
		t.Errorf("HTML page carries an upload time: %s", page)
	}
	// The JSON API agrees with the pages.
	_, api := get(t, s.URL+"/pypi/up/1.0/json")
	if !bytes.Contains(api, []byte(`"upload_time_iso_8601":"2026-11-30T07:15:00.250000Z"`)) || !bytes.Contains(api, []byte(`"upload_time":"2026-11-30T07:15:00"`)) {
		t.Errorf("JSON API upload time:\n%s", api)
	}
}
