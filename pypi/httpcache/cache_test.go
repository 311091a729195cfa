package httpcache

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// origin is a test server whose handler can be swapped and whose requests
// are counted.
type origin struct {
	*httptest.Server
	hits    atomic.Int64
	mu      sync.Mutex
	handler http.HandlerFunc
	last    http.Header // headers of the last request
}

func newOrigin(t testing.TB, h http.HandlerFunc) *origin {
	o := &origin{handler: h}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		o.mu.Lock()
		h := o.handler
		o.last = r.Header.Clone()
		o.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *origin) set(h http.HandlerFunc) { o.mu.Lock(); o.handler = h; o.mu.Unlock() }
func (o *origin) lastHeader() http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// fakeClock is a settable clock for freshness tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTransport(t *testing.T) (*Transport, *fakeClock) {
	clk := &fakeClock{t: time.Now()}
	tr := &Transport{Dir: t.TempDir(), Base: http.DefaultTransport.(*http.Transport).Clone(), now: clk.now}
	return tr, clk
}

// get fetches url through tr, reads the whole body and returns it with the
// cache marker.
func get(t *testing.T, tr *Transport, url string, hdr ...string) (string, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return string(b), resp.Header.Get(CacheHeader), resp
}

func fixed(body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Add(hdr[i], hdr[i+1])
		}
		io.WriteString(w, body)
	}
}

func TestFreshHitSendsNoRequest(t *testing.T) {
	o := newOrigin(t, fixed("hello", "Cache-Control", "max-age=60", "Content-Type", "text/html",
		"Set-Cookie", "session=cookiesecret", "WWW-Authenticate", "Basic realm=authsecret"))
	tr, _ := newTransport(t)
	body, how, _ := get(t, tr, o.URL+"/p/")
	if body != "hello" || how != "miss" {
		t.Fatalf("first: %q %q", body, how)
	}
	for range 3 {
		body, how, resp := get(t, tr, o.URL+"/p/")
		if body != "hello" || how != "hit" {
			t.Fatalf("again: %q %q", body, how)
		}
		if resp.Header.Get("Content-Type") != "text/html" || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("stored headers: %v", resp.Header)
		}
		if resp.ContentLength != 5 {
			t.Errorf("ContentLength %d", resp.ContentLength)
		}
	}
	if n := o.hits.Load(); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
	if s := tr.Stats(); s != (Stats{Hits: 3, Misses: 1, Stores: 1}) {
		t.Errorf("stats %+v", s)
	}
	assertNoSecrets(t, tr.Dir, "cookiesecret", "authsecret")
}

func assertNoSecrets(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if strings.Contains(p, s) || bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})
}

func TestKeyIgnoresUserinfoAndUsesAccept(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, "accept="+r.Header.Get("Accept"))
	})
	tr, _ := newTransport(t)
	u := strings.Replace(o.URL, "http://", "http://alice:pwsecret@", 1) + "/p/"
	if b, how, _ := get(t, tr, u, "Accept", "application/json"); b != "accept=application/json" || how != "miss" {
		t.Fatalf("json: %q %q", b, how)
	}
	if b, how, _ := get(t, tr, u, "Accept", "text/html"); b != "accept=text/html" || how != "miss" {
		t.Fatalf("html: %q %q", b, how)
	}
	if b, how, _ := get(t, tr, o.URL+"/p/", "Accept", "application/json"); b != "accept=application/json" || how != "hit" {
		t.Fatalf("json again: %q %q", b, how)
	}
	if b, how, _ := get(t, tr, u, "Accept", "text/html"); b != "accept=text/html" || how != "hit" {
		t.Fatalf("html again: %q %q", b, how)
	}
	assertNoSecrets(t, tr.Dir, "alice", "pwsecret")
}

func TestRevalidation(t *testing.T) {
	tests := []struct {
		name      string
		validator []string // response header giving the validator
		condName  string   // request header it comes back in
	}{
		{"etag", []string{"ETag", `"v1"`}, "If-None-Match"},
		{"last-modified", []string{"Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT"}, "If-Modified-Since"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrigin(t, fixed("body-1", "Cache-Control", "max-age=10", tc.validator[0], tc.validator[1], "X-Gen", "1"))
			tr, clk := newTransport(t)
			get(t, tr, o.URL)
			clk.add(11 * time.Second)
			o.set(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get(tc.condName) != tc.validator[1] {
					t.Errorf("conditional header %s = %q", tc.condName, r.Header.Get(tc.condName))
				}
				w.Header().Set("Cache-Control", "max-age=100")
				w.Header().Set("X-Gen", "2")
				w.WriteHeader(http.StatusNotModified)
			})
			body, how, resp := get(t, tr, o.URL)
			if body != "body-1" || how != "revalidated" || resp.StatusCode != 200 || resp.Header.Get("X-Gen") != "2" {
				t.Fatalf("after 304: %q %q %d %v", body, how, resp.StatusCode, resp.Header)
			}
			// The rewritten metadata carries the new max-age: fresh again.
			clk.add(50 * time.Second)
			body, how, resp = get(t, tr, o.URL)
			if body != "body-1" || how != "hit" || resp.Header.Get("X-Gen") != "2" {
				t.Fatalf("after rewrite: %q %q %v", body, how, resp.Header)
			}
			if n := o.hits.Load(); n != 2 {
				t.Errorf("origin saw %d requests, want 2", n)
			}
		})
	}
}

func TestRefreshRevalidatesFreshEntries(t *testing.T) {
	o := newOrigin(t, fixed("v1", "Cache-Control", "max-age=600", "ETag", `"a"`))
	tr, _ := newTransport(t)
	get(t, tr, o.URL)
	tr.Refresh = true
	o.set(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"a"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "unexpected")
	})
	if b, how, _ := get(t, tr, o.URL); b != "v1" || how != "revalidated" {
		t.Fatalf("refresh 304: %q %q", b, how)
	}
	o.set(fixed("v2", "Cache-Control", "max-age=600", "ETag", `"b"`))
	if b, how, _ := get(t, tr, o.URL); b != "v2" || how != "miss" {
		t.Fatalf("refresh 200: %q %q", b, how)
	}
	tr.Refresh = false
	if b, how, _ := get(t, tr, o.URL); b != "v2" || how != "hit" {
		t.Fatalf("after refresh: %q %q", b, how)
	}
}

func TestStorePolicy(t *testing.T) {
	tests := []struct {
		name   string
		hdr    []string
		status int
		second string // cache marker on the second request
	}{
		{"max-age", []string{"Cache-Control", "max-age=60"}, 200, "hit"},
		{"private is fine", []string{"Cache-Control", "private, max-age=60"}, 200, "hit"},
		{"no-store", []string{"Cache-Control", "no-store, max-age=60"}, 200, "miss"},
		{"no-cache revalidates", []string{"Cache-Control", "no-cache, max-age=60", "ETag", `"x"`}, 200, "revalidated"},
		{"no freshness no validator", nil, 200, "miss"},
		{"etag only revalidates", []string{"ETag", `"x"`}, 200, "revalidated"},
		{"expires", []string{"Expires", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, 200, "hit"},
		{"bad expires", []string{"Expires", "0", "ETag", `"x"`}, 200, "revalidated"},
		{"age counts", []string{"Cache-Control", "max-age=60", "Age", "100", "ETag", `"x"`}, 200, "revalidated"},
		{"vary star", []string{"Cache-Control", "max-age=60", "Vary", "*"}, 200, "miss"},
		{"404 with max-age", []string{"Cache-Control", "max-age=60"}, 404, "hit"},
		{"500 never", []string{"Cache-Control", "max-age=60"}, 500, "miss"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-None-Match") == `"x"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				for i := 0; i+1 < len(tc.hdr); i += 2 {
					w.Header().Set(tc.hdr[i], tc.hdr[i+1])
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, "b")
			})
			tr, _ := newTransport(t)
			get(t, tr, o.URL)
			b, how, resp := get(t, tr, o.URL)
			if how != tc.second || b != "b" || resp.StatusCode != tc.status {
				t.Errorf("second request: %q %q %d, want %q", b, how, resp.StatusCode, tc.second)
			}
		})
	}
}

func TestRequestDirectives(t *testing.T) {
	o := newOrigin(t, fixed("b", "Cache-Control", "max-age=60", "ETag", `"x"`))
	tr, _ := newTransport(t)
	get(t, tr, o.URL)
	if _, how, _ := get(t, tr, o.URL, "Cache-Control", "max-age=0"); how != "miss" {
		t.Errorf("max-age=0: %q", how) // origin ignores If-None-Match here
	}
	if _, how, _ := get(t, tr, o.URL, "Pragma", "no-cache"); how != "miss" {
		t.Errorf("pragma: %q", how)
	}
	if _, how, _ := get(t, tr, o.URL, "Range", "bytes=0-0"); how != "miss" {
		t.Errorf("range: %q", how)
	}
	if _, how, _ := get(t, tr, o.URL); how != "hit" {
		t.Errorf("plain: %q", how)
	}
	req, _ := http.NewRequest("HEAD", o.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get(CacheHeader) != "miss" {
		t.Errorf("HEAD served from cache")
	}
}

func TestVary(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Vary", "User-Agent")
		io.WriteString(w, r.Header.Get("User-Agent"))
	})
	tr, _ := newTransport(t)
	get(t, tr, o.URL, "User-Agent", "a")
	if b, how, _ := get(t, tr, o.URL, "User-Agent", "a"); how != "hit" || b != "a" {
		t.Errorf("same UA: %q %q", b, how)
	}
	if b, how, _ := get(t, tr, o.URL, "User-Agent", "b"); how != "miss" || b != "b" {
		t.Errorf("other UA: %q %q", b, how)
	}
}

func TestGzipStoredDecoded(t *testing.T) {
	plain := strings.Repeat("compressible ", 1000)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Error("base transport did not ask for gzip")
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, plain)
		zw.Close()
	})
	tr, _ := newTransport(t)
	if b, _, _ := get(t, tr, o.URL); b != plain {
		t.Fatalf("miss body differs")
	}
	b, how, resp := get(t, tr, o.URL)
	if b != plain || how != "hit" || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("hit: %d bytes %q %v", len(b), how, resp.Header)
	}
}

// stubBase answers every request with the response its function builds.
type stubBase func(*http.Request) *http.Response

func (f stubBase) RoundTrip(r *http.Request) (*http.Response, error) { return f(r), nil }

func stubResponse(r *http.Request, body io.Reader, length int64) *http.Response {
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Cache-Control": {"max-age=60"}},
		Body:          io.NopCloser(body),
		ContentLength: length, Request: r,
	}
}

func TestOnlyCompleteBodiesAreStored(t *testing.T) {
	tests := []struct {
		name string
		read func(io.Reader) // how the caller consumes the body
		resp func(*http.Request) *http.Response
	}{
		{"half read", func(r io.Reader) { io.ReadFull(r, make([]byte, 3)) },
			func(r *http.Request) *http.Response { return stubResponse(r, strings.NewReader("0123456789"), 10) }},
		{"short body", func(r io.Reader) { io.ReadAll(r) },
			func(r *http.Request) *http.Response { return stubResponse(r, strings.NewReader("01234"), 10) }},
		{"read error", func(r io.Reader) { io.ReadAll(r) },
			func(r *http.Request) *http.Response {
				return stubResponse(r, io.MultiReader(strings.NewReader("012"), errReader{}), -1)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &Transport{Dir: t.TempDir(), Base: stubBase(tc.resp)}
			req, _ := http.NewRequest("GET", "http://example.invalid/x", nil)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			tc.read(resp.Body)
			resp.Body.Close()
			if n := countFiles(t, tr.Dir); n != 0 {
				t.Errorf("%d files left in the cache", n)
			}
			if s := tr.Stats(); s.Stores != 0 {
				t.Errorf("stores = %d", s.Stores)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, fmt.Errorf("connection reset") }

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func entryFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(filepath.Base(p), tmpPrefix) {
			out = append(out, p)
		}
		return nil
	})
	return out
}
