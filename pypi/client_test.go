package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	secretUser = "alice-user"
	secretPass = "s3cr3t-pw"
)

// fakeIndex serves /simple/<name>/ pages. The handler can be replaced; every
// request is counted and its headers kept.
type fakeIndex struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	h    http.HandlerFunc
	reqs []*http.Request
}

func newFakeIndex(t *testing.T, h http.HandlerFunc) *fakeIndex {
	f := &fakeIndex{h: h}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeIndex) serve(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(context.Background()))
	h := f.h
	f.mu.Unlock()
	h(w, r)
}

func (f *fakeIndex) set(h http.HandlerFunc) { f.mu.Lock(); f.h = h; f.mu.Unlock() }

func (f *fakeIndex) lastRequest() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs[len(f.reqs)-1]
}

const jsonType = "application/vnd.pypi.simple.v1+json"

func jsonPage(names ...string) string {
	var files []string
	for _, n := range names {
		files = append(files, fmt.Sprintf(`{"filename":%q,"url":%q,"hashes":{"sha256":"aa"}}`, n, n))
	}
	return `{"meta":{"api-version":"1.1"},"name":"x","files":[` + strings.Join(files, ",") + `]}`
}

func htmlPage(names ...string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><body>\n")
	for _, n := range names {
		fmt.Fprintf(&b, "<a href=\"%s#sha256=bb\">%s</a>\n", n, n)
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// pageHandler negotiates like PyPI (JSON when asked for it) unless htmlOnly.
func pageHandler(htmlOnly bool, extra ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(extra); i += 2 {
			w.Header().Set(extra[i], extra[i+1])
		}
		if !strings.HasPrefix(r.URL.Path, "/simple/") {
			http.NotFound(w, r)
			return
		}
		if !htmlOnly && strings.Contains(r.Header.Get("Accept"), jsonType) {
			w.Header().Set("Content-Type", jsonType)
			io.WriteString(w, jsonPage("pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz"))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, htmlPage("pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz"))
	}
}

func newTestClient(t *testing.T, opts ClientOptions) *Client {
	t.Helper()
	if opts.NetrcPath == "" {
		opts.NetrcPath = filepath.Join(t.TempDir(), "no-netrc")
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	c.backoff = 5 * time.Millisecond
	return c
}

func collect(t *testing.T, c *Client, index, project string) ([]File, error) {
	t.Helper()
	var files []File
	err := c.ProjectFiles(context.Background(), index, project, func(f File) error {
		files = append(files, f)
		return nil
	})
	return files, err
}

func TestProjectFilesNegotiation(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantHash  string // the JSON page gives "aa", the HTML page "bb"
		wantError string
	}{
		{"json when asked", pageHandler(false), "aa", ""},
		{"html fallback", pageHandler(true), "bb", ""},
		{"wrong content type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "pkg-1.0.tar.gz")
		}, "", `unsupported Content-Type "text/plain"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idx := newFakeIndex(t, tc.handler)
			c := newTestClient(t, ClientOptions{})
			files, err := collect(t, c, idx.URL+"/simple", "Pkg_Name.Sub")
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("error %v, want %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			req := idx.lastRequest()
			if req.URL.Path != "/simple/pkg-name-sub/" {
				t.Errorf("path %q", req.URL.Path)
			}
			if req.Header.Get("Accept") != AcceptHeader {
				t.Errorf("Accept %q", req.Header.Get("Accept"))
			}
			if ua := req.Header.Get("User-Agent"); !strings.HasPrefix(ua, "pipup/") {
				t.Errorf("User-Agent %q", ua)
			}
			if len(files) != 2 || files[0].Filename != "pkg-1.0-py3-none-any.whl" ||
				files[0].Hashes["sha256"] != tc.wantHash ||
				files[1].URL != idx.URL+"/simple/pkg-name-sub/pkg-1.0.tar.gz" {
				t.Errorf("files %+v", files)
			}
		})
	}
}

func TestProjectFilesCallbackError(t *testing.T) {
	idx := newFakeIndex(t, pageHandler(false))
	c := newTestClient(t, ClientOptions{})
	stop := errors.New("stop")
	calls := 0
	err := c.ProjectFiles(context.Background(), idx.URL+"/simple", "pkg", func(File) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("got %v after %d calls, want the callback's error as is", err, calls)
	}
}

func TestProjectFilesRedirectAndNotFound(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old/pkg/":
			http.Redirect(w, r, "/simple/pkg/", http.StatusMovedPermanently)
		case "/simple/pkg/":
			pageHandler(false)(w, r)
		case "/simple/gone/":
			w.WriteHeader(http.StatusGone)
		default:
			http.NotFound(w, r)
		}
	})
	c := newTestClient(t, ClientOptions{})
	files, err := collect(t, c, idx.URL+"/old/", "pkg")
	if err != nil || len(files) != 2 || !strings.HasPrefix(files[0].URL, idx.URL+"/simple/pkg/") {
		t.Fatalf("redirect: %v %+v", err, files)
	}
	for _, p := range []string{"missing", "gone"} {
		_, err = collect(t, c, idx.URL+"/simple", p)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v does not match ErrNotFound", p, err)
		}
	}
	if s := c.Stats(); s.Retries != 0 || s.Status4xx != 2 || s.Status3xx != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestProjectFilesCache(t *testing.T) {
	t.Run("fresh hit sends nothing", func(t *testing.T) {
		idx := newFakeIndex(t, pageHandler(false, "Cache-Control", "max-age=600"))
		c := newTestClient(t, ClientOptions{CacheDir: t.TempDir()})
		first, err := collect(t, c, idx.URL+"/simple/", "pkg")
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			again, err := collect(t, c, idx.URL+"/simple/", "pkg")
			if err != nil || !slices.EqualFunc(first, again, sameFile) {
				t.Fatalf("cached: %v %+v", err, again)
			}
		}
		if n := idx.hits.Load(); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
		if s := c.Stats(); s.CacheHits != 3 || s.CacheStores != 1 || s.Requests != 1 {
			t.Errorf("stats %+v", s)
		}
	})
	t.Run("revalidation and refresh", func(t *testing.T) {
		for _, refresh := range []bool{false, true} {
			maxAge := "max-age=0"
			if refresh {
				maxAge = "max-age=600"
			}
			idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", maxAge)
				w.Header().Set("ETag", `"e1"`)
				if r.Header.Get("If-None-Match") == `"e1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				pageHandler(false)(w, r)
			})
			dir := t.TempDir()
			warm := newTestClient(t, ClientOptions{CacheDir: dir})
			if _, err := collect(t, warm, idx.URL+"/simple/", "pkg"); err != nil {
				t.Fatal(err)
			}
			c := newTestClient(t, ClientOptions{CacheDir: dir, Refresh: refresh})
			files, err := collect(t, c, idx.URL+"/simple/", "pkg")
			if err != nil || len(files) != 2 {
				t.Fatalf("refresh=%v: %v %+v", refresh, err, files)
			}
			if s := c.Stats(); s.CacheRevalidated != 1 || s.Status3xx != 1 || s.CacheHits != 0 {
				t.Errorf("refresh=%v: stats %+v", refresh, s)
			}
		}
	})
	t.Run("damaged entries are refetched", func(t *testing.T) {
		idx := newFakeIndex(t, pageHandler(false, "Cache-Control", "max-age=600"))
		dir := t.TempDir()
		c := newTestClient(t, ClientOptions{CacheDir: dir})
		if _, err := collect(t, c, idx.URL+"/simple/", "pkg"); err != nil {
			t.Fatal(err)
		}
		damage := []func([]byte) []byte{
			func(b []byte) []byte { return b[:len(b)/2] },                  // truncated
			func(b []byte) []byte { return []byte("garbage garbage") },     // garbage
			func(b []byte) []byte { b[3] ^= 1; return b },                  // checksum mismatch
			func(b []byte) []byte { return append(b, "trailing junk"...) }, // wrong length
		}
		for i, d := range damage {
			for _, p := range cacheEntries(t, dir) {
				b, _ := os.ReadFile(p)
				os.WriteFile(p, d(b), 0o600)
			}
			before := idx.hits.Load()
			files, err := collect(t, c, idx.URL+"/simple/", "pkg")
			if err != nil || len(files) != 2 {
				t.Fatalf("damage %d: %v %+v", i, err, files)
			}
			if idx.hits.Load() != before+1 {
				t.Errorf("damage %d: entry was not refetched", i)
			}
		}
		before := idx.hits.Load()
		if _, err := collect(t, c, idx.URL+"/simple/", "pkg"); err != nil || idx.hits.Load() != before {
			t.Errorf("replaced entry not used: %v", err)
		}
	})
}

func sameFile(a, b File) bool {
	return a.Filename == b.Filename && a.URL == b.URL && a.Hashes["sha256"] == b.Hashes["sha256"]
}

func cacheEntries(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(p)) != "tmp" {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatal("no cache entries")
	}
	return out
}

func TestConcurrentSameProject(t *testing.T) {
	idx := newFakeIndex(t, pageHandler(false, "Cache-Control", "max-age=0", "ETag", `"x"`))
	c := newTestClient(t, ClientOptions{CacheDir: t.TempDir()})
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				files, err := collect(t, c, idx.URL+"/simple/", "pkg")
				if err != nil || len(files) != 2 || files[0].Hashes["sha256"] != "aa" {
					t.Errorf("%v %+v", err, files)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestOpen(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/f.whl.metadata" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "Metadata-Version: 2.1\n")
	})
	c := newTestClient(t, ClientOptions{})
	rc, size, err := c.Open(context.Background(), idx.URL+"/f.whl.metadata")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "Metadata-Version: 2.1\n" || size != int64(len(b)) {
		t.Errorf("%q %d %v", b, size, err)
	}
	if _, _, err := c.Open(context.Background(), idx.URL+"/nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("404: %v", err)
	}
	p := filepath.Join(t.TempDir(), "x y.txt")
	os.WriteFile(p, []byte("local"), 0o644)
	rc, size, err = c.Open(context.Background(), fileURL(p).String())
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(rc)
	rc.Close()
	if string(b) != "local" || size != 5 {
		t.Errorf("file URL: %q %d", b, size)
	}
	if _, _, err := c.Open(context.Background(), fileURL(p+"-missing").String()); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFileIndex(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "pkg"), 0o755)
	os.WriteFile(filepath.Join(root, "pkg", "index.html"), []byte(htmlPage("pkg-1.0.tar.gz")), 0o644)
	c := newTestClient(t, ClientOptions{})
	files, err := collect(t, c, "file://"+root, "PKG")
	if err != nil || len(files) != 1 || files[0].URL != "file://"+root+"/pkg/pkg-1.0.tar.gz" {
		t.Errorf("%v %+v", err, files)
	}
	if _, err := collect(t, c, "file://"+root, "other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing project: %v", err)
	}
}

// TestThroughput64 fetches 1,000 project pages at a concurrency of 64 from
// a server that takes 50 ms per response (ideal: 16 rounds, ~800 ms). It
// checks that connections are reused (64 at a time; a few replaced ones are
// tolerated on an overloaded machine) and logs the time; the time bound is
// loose because -race on a busy machine slows it several-fold.
func TestThroughput64(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	d, conns := throughput(t)
	t.Logf("1000 requests, concurrency 64, 50 ms latency: %v over %d connections", d, conns)
	if d > 30*time.Second || conns > 72 {
		t.Errorf("took %v over %d connections", d, conns)
	}
}

func BenchmarkThroughput64(b *testing.B) {
	for b.Loop() {
		throughput(b)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000req")
}

func throughput(tb testing.TB) (time.Duration, int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		pageHandler(false)(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewClient(ClientOptions{NetrcPath: "/nonexistent"})
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := c.ProjectFiles(context.Background(), srv.URL+"/simple", fmt.Sprintf("p%d", i), func(File) error { return nil })
			if err != nil {
				tb.Error(err)
			}
		}()
	}
	wg.Wait()
	return time.Since(start), conns.Load()
}

// BenchmarkWarmScan1000 is a warm scan through the Client: 1,000 project
// pages of 60 files (~12 KiB of JSON) served from the disk cache and
// parsed, at a concurrency of 64.
func BenchmarkWarmScan1000(b *testing.B) {
	names := make([]string, 60)
	for i := range names {
		names[i] = fmt.Sprintf("pkg-1.%d-cp311-cp311-manylinux_2_17_x86_64.whl", i)
	}
	page := jsonPage(names...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", jsonType)
		w.Header().Set("Cache-Control", "max-age=600")
		io.WriteString(w, page)
	}))
	b.Cleanup(srv.Close)
	c, err := NewClient(ClientOptions{CacheDir: b.TempDir(), NetrcPath: "/nonexistent"})
	if err != nil {
		b.Fatal(err)
	}
	scan := func() {
		sem := make(chan struct{}, 64)
		var wg sync.WaitGroup
		for i := range 1000 {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				n := 0
				err := c.ProjectFiles(context.Background(), srv.URL+"/simple", fmt.Sprintf("p%d", i), func(File) error { n++; return nil })
				if err != nil || n != 60 {
					b.Error(err, n)
				}
			}()
		}
		wg.Wait()
	}
	scan()
	b.ResetTimer()
	for b.Loop() {
		scan()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/scan")
	if s := c.Stats(); s.Requests != 1000 {
		b.Errorf("%d requests sent", s.Requests)
	}
}
