package pypi

import (
	"context"
	"encoding/pem"
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

// withSecret puts the test credentials into a URL.
func withSecret(u string) string {
	return strings.Replace(u, "://", "://"+secretUser+":"+secretPass+"@", 1)
}

// checkClean fails if err is nil, names the credentials, or spans lines.
func checkClean(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	msg := err.Error()
	if strings.Contains(msg, secretUser) || strings.Contains(msg, secretPass) || strings.ContainsAny(msg, "\r\n") {
		t.Errorf("%s: error leaks credentials or spans lines: %s", what, msg)
	}
	t.Logf("%s: %s", what, msg)
}

func TestCredentialsNeverInErrors(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/simple/e500/"):
			w.WriteHeader(http.StatusInternalServerError)
		case strings.HasPrefix(r.URL.Path, "/simple/hang/"):
			<-r.Context().Done()
		case strings.HasPrefix(r.URL.Path, "/simple/stall/"):
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case strings.HasPrefix(r.URL.Path, "/simple/redirect-out/"):
			http.Redirect(w, r, "http://insecure.example/simple/x/", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/simple/auth/"):
			w.WriteHeader(http.StatusUnauthorized)
		default:
			http.NotFound(w, r)
		}
	})
	tlsSrv := httptest.NewTLSServer(pageHandler(false))
	t.Cleanup(tlsSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/simple"
	ln.Close()

	c := newTestClient(t, ClientOptions{Timeout: 300 * time.Millisecond, Retries: 2, CacheDir: t.TempDir()})
	ctx := context.Background()
	index := withSecret(idx.URL + "/simple")
	for _, tc := range []struct{ what, index, project string }{
		{"404", index, "missing"},
		{"500 after retries", index, "e500"},
		{"401 rejected", index, "auth"},
		{"connection refused", withSecret(refused), "pkg"},
		{"timeout", index, "hang"},
		{"stalled body", index, "stall"},
		{"bad TLS", withSecret(tlsSrv.URL + "/simple"), "pkg"},
		{"insecure host", withSecret("http://insecure.example/simple"), "pkg"},
		{"redirect to insecure host", index, "redirect-out"},
		{"bad escape", withSecret(idx.URL + "/%zz"), "pkg"},
		{"bad escape in password", "http://" + secretUser + ":" + secretPass + "%zz@127.0.0.1/simple", "pkg"},
		{"bad host", "http://" + secretUser + ":" + secretPass + "@exa mple/simple", "pkg"},
		{"bad scheme", "ftp://" + secretUser + ":" + secretPass + "@127.0.0.1/simple", "pkg"},
	} {
		err := c.ProjectFiles(ctx, tc.index, tc.project, func(File) error { return nil })
		checkClean(t, "ProjectFiles "+tc.what, err)
		_, err = c.FindLinks(ctx, strings.TrimSuffix(tc.index, "/simple")+"/simple/"+tc.project+"/")
		checkClean(t, "FindLinks "+tc.what, err)
		if rc, _, err := c.Open(ctx, strings.TrimSuffix(tc.index, "/simple")+"/simple/"+tc.project+"/f.whl.metadata"); err == nil {
			_, err = io.ReadAll(rc)
			rc.Close()
			checkClean(t, "Open+read "+tc.what, err)
		} else {
			checkClean(t, "Open "+tc.what, err)
		}
	}
	// The credentials did go to the server, as Basic auth on a clean URL.
	req := idx.lastRequest()
	if u, p, ok := req.BasicAuth(); !ok || u != secretUser || p != secretPass {
		t.Errorf("basic auth %q %q %v", u, p, ok)
	}
	if strings.Contains(req.RequestURI, secretPass) {
		t.Errorf("password in request URI %q", req.RequestURI)
	}
	assertNoSecretFiles(t, c.opts.CacheDir)
}

func assertNoSecretFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range []string{secretUser, secretPass} {
			if strings.Contains(p, s) || strings.Contains(string(b), s) {
				t.Errorf("cache file %s holds %q", p, s)
			}
		}
		return nil
	})
}

func TestErrorWording(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newTestClient(t, ClientOptions{})
	_, err := collect(t, c, withSecret(idx.URL+"/simple"), "foo")
	want := "fetch http://****@" + strings.TrimPrefix(idx.URL, "http://") + "/simple/foo/: 503 Service Unavailable (after 5 retries)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 503 || se.Retries != 5 {
		t.Errorf("StatusError %+v", se)
	}
	if s := c.Stats(); s.Requests != 6 || s.Retries != 5 || s.Status5xx != 6 {
		t.Errorf("stats %+v", s)
	}
}

func TestAuthSources(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "nuser" || p != "npass" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		pageHandler(false)(w, r)
	})
	host, _, _ := net.SplitHostPort(strings.TrimPrefix(idx.URL, "http://"))
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine "+host+" login nuser password npass\n"), 0o600)

	c := newTestClient(t, ClientOptions{NetrcPath: netrc})
	if _, err := collect(t, c, idx.URL+"/simple", "pkg"); err != nil {
		t.Errorf("netrc credentials: %v", err)
	}
	c = newTestClient(t, ClientOptions{})
	_, err := collect(t, c, idx.URL+"/simple", "pkg")
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized: the index needs credentials") {
		t.Errorf("no credentials: %v", err)
	}
	_, err = collect(t, c, withSecret(idx.URL+"/simple"), "pkg")
	if err == nil || !strings.Contains(err.Error(), "were rejected") {
		t.Errorf("wrong credentials: %v", err)
	}
	checkClean(t, "rejected", err)
	bad := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(bad, []byte("machine x login u frob p\n"), 0o600)
	c = newTestClient(t, ClientOptions{NetrcPath: bad})
	_, err = collect(t, c, idx.URL+"/simple", "pkg")
	if err == nil || !strings.Contains(err.Error(), "unexpected token") {
		t.Errorf("broken netrc not mentioned: %v", err)
	}
}

func TestRetries(t *testing.T) {
	t.Run("503 twice then 200", func(t *testing.T) {
		var n atomic.Int64
		idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) <= 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			pageHandler(false)(w, r)
		})
		c := newTestClient(t, ClientOptions{})
		files, err := collect(t, c, idx.URL+"/simple", "pkg")
		if err != nil || len(files) != 2 {
			t.Fatalf("%v %+v", err, files)
		}
		if s := c.Stats(); s.Retries != 2 || s.Requests != 3 {
			t.Errorf("stats %+v", s)
		}
	})
	t.Run("429 Retry-After 1", func(t *testing.T) {
		var n atomic.Int64
		idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			pageHandler(false)(w, r)
		})
		c := newTestClient(t, ClientOptions{})
		start := time.Now()
		if _, err := collect(t, c, idx.URL+"/simple", "pkg"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 950*time.Millisecond || d > 3*time.Second {
			t.Errorf("took %v, want about 1s", d)
		}
	})
	t.Run("not retried", func(t *testing.T) {
		for _, code := range []int{400, 403, 404, 501} {
			idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
			c := newTestClient(t, ClientOptions{})
			if _, err := collect(t, c, idx.URL+"/simple", "pkg"); err == nil || idx.hits.Load() != 1 {
				t.Errorf("%d: %v after %d requests", code, err, idx.hits.Load())
			}
		}
	})
	t.Run("backoff grows with jitter", func(t *testing.T) {
		c := newTestClient(t, ClientOptions{})
		c.backoff, c.maxBackoff = 100*time.Millisecond, 5*time.Second
		for attempt, lo := range []time.Duration{50, 100, 200, 400, 800} {
			d := c.backoffDelay(attempt)
			if lo *= time.Millisecond; d < lo || d > 2*lo {
				t.Errorf("attempt %d: %v not in [%v, %v]", attempt, d, lo, 2*lo)
			}
		}
		if d := c.backoffDelay(30); d > 5*time.Second {
			t.Errorf("uncapped: %v", d)
		}
	})
	t.Run("Retry-After forms", func(t *testing.T) {
		c := newTestClient(t, ClientOptions{})
		date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
		for v, want := range map[string][2]time.Duration{
			"2":        {2 * time.Second, 2 * time.Second},
			date:       {time.Second, 3 * time.Second},
			"99999":    {30 * time.Second, 30 * time.Second},
			"tomorrow": {0, 10 * time.Millisecond},
		} {
			if d := c.retryAfter(v, 0); d < want[0] || d > want[1] {
				t.Errorf("%q: %v", v, d)
			}
		}
	})
}

func TestTimeouts(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "stall") {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "part")
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	})
	c := newTestClient(t, ClientOptions{Timeout: 200 * time.Millisecond, Retries: -1})
	start := time.Now()
	_, err := collect(t, c, idx.URL+"/simple", "pkg")
	if d := time.Since(start); err == nil || d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("hanging server: %v after %v", err, d)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "no response within 200ms") {
		t.Errorf("error %v", err)
	}
	rc, _, err := c.Open(context.Background(), idx.URL+"/stall")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	start = time.Now()
	b, err := io.ReadAll(rc)
	if d := time.Since(start); string(b) != "part" || !errors.Is(err, os.ErrDeadlineExceeded) || d > 5*time.Second {
		t.Errorf("stalled body: %q %v after %v", b, err, d)
	}
}

func TestCancellationIsPrompt(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "busy") {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		<-r.Context().Done()
	})
	c := newTestClient(t, ClientOptions{})
	for _, project := range []string{"hang", "busy"} { // in a request; in a Retry-After wait
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := c.ProjectFiles(ctx, idx.URL+"/simple", project, func(File) error { return nil })
		late := time.Since(start) - 100*time.Millisecond
		// Prompt means well before the 30 s Retry-After or a hang; the
		// bound is loose because CI runs this under -race on 2 busy cores.
		if !errors.Is(err, context.Canceled) || late > time.Second {
			t.Errorf("%s: %v, returned %v after cancel", project, err, late)
		}
	}
}

func TestSecureOrigins(t *testing.T) {
	c := newTestClient(t, ClientOptions{TrustedHosts: []string{"10.0.0.1", "intra.example:8080", "[fd00::1]"}})
	for raw, ok := range map[string]bool{
		"https://pypi.org/simple/":          true,
		"http://localhost:8080/simple/":     true,
		"http://127.9.9.9/simple/":          true,
		"http://[::1]:3141/simple/":         true,
		"http://10.0.0.1/simple/":           true,
		"http://10.0.0.1:9999/simple/":      true,
		"http://intra.example:8080/simple/": true,
		"http://INTRA.example:8080/":        true,
		"http://intra.example/simple/":      false,
		"http://[fd00::1]:81/":              true,
		"http://10.0.0.2/simple/":           false,
		"http://pypi.org/simple/":           false,
	} {
		u, _ := c.parseURL(raw)
		err := c.checkOrigin(u)
		if (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
		if err != nil && (!errors.Is(err, ErrInsecureHost) || !strings.Contains(err.Error(), "is not a trusted or secure host and is being ignored")) {
			t.Errorf("%s: wording %v", raw, err)
		}
	}
}

func TestTLS(t *testing.T) {
	var proto atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int64(r.ProtoMajor))
		pageHandler(false)(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	for _, tc := range []struct {
		name string
		opts ClientOptions
		ok   bool
	}{
		{"system roots", ClientOptions{}, false},
		{"CA bundle", ClientOptions{CAFile: bundle}, true},
		{"trusted host", ClientOptions{TrustedHosts: []string{"127.0.0.1"}}, true},
		{"trusted host:port", ClientOptions{TrustedHosts: []string{host}}, true},
		{"other port trusted", ClientOptions{TrustedHosts: []string{"127.0.0.1:1"}}, false},
	} {
		c := newTestClient(t, tc.opts)
		_, err := collect(t, c, srv.URL+"/simple", "pkg")
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && c.Stats().Retries != 0 {
			t.Errorf("%s: TLS failure was retried", tc.name)
		}
		if err == nil && proto.Load() != 2 {
			t.Errorf("%s: HTTP/%d, want HTTP/2", tc.name, proto.Load())
		}
	}
	if _, err := NewClient(ClientOptions{CAFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Error("missing CA bundle accepted")
	}
}

func TestFindLinksLocal(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"foo-1.0-py3-none-any.whl": "wheel",
		"bar-2.0.tar.gz":           "sdist",
		"a+b-1.0.tar.gz":           "plus",
		"links.html":               `<a href="https://files.example/extra-3.0.tar.gz#sha256=cc">x</a>`,
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	os.Mkdir(filepath.Join(dir, "sub-1.0.tar.gz"), 0o755)
	c := newTestClient(t, ClientOptions{})
	ctx := context.Background()

	files, err := c.FindLinks(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]File{}
	for _, f := range files {
		got[f.Filename] = f
	}
	if len(files) != 4 {
		t.Fatalf("files %+v", files)
	}
	if f := got["foo-1.0-py3-none-any.whl"]; f.URL != "file://"+dir+"/foo-1.0-py3-none-any.whl" || f.Size != 5 {
		t.Errorf("wheel %+v", f)
	}
	if f := got["a+b-1.0.tar.gz"]; f.URL != "file://"+dir+"/a%2Bb-1.0.tar.gz" {
		t.Errorf("quoting %+v", f)
	}
	if f := got["extra-3.0.tar.gz"]; f.URL != "https://files.example/extra-3.0.tar.gz" || f.Hashes["sha256"] != "cc" {
		t.Errorf("html file link %+v", f)
	}

	// Read once per Client: the directory's later changes are not seen.
	os.Remove(filepath.Join(dir, "bar-2.0.tar.gz"))
	again, err := c.FindLinks(ctx, dir)
	if err != nil || len(again) != 4 {
		t.Errorf("second read: %v %d files", err, len(again))
	}

	for loc, want := range map[string]int{
		"file://" + dir:                                3, // a new location string: read afresh
		filepath.Join(dir, "links.html"):               1,
		filepath.Join(dir, "foo-1.0-py3-none-any.whl"): 1,
	} {
		files, err := c.FindLinks(ctx, loc)
		if err != nil || len(files) != want {
			t.Errorf("%s: %v %+v", loc, err, files)
		}
	}
	if _, err := c.FindLinks(ctx, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
}

func TestFindLinksRemote(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, htmlPage("one-1.0.tar.gz", "two-2.0-py3-none-any.whl"))
	})
	c := newTestClient(t, ClientOptions{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			files, err := c.FindLinks(context.Background(), idx.URL+"/links/")
			if err != nil || len(files) != 2 || files[0].URL != idx.URL+"/links/one-1.0.tar.gz" {
				t.Errorf("%v %+v", err, files)
			}
		}()
	}
	wg.Wait()
	if n := idx.hits.Load(); n != 1 {
		t.Errorf("page fetched %d times", n)
	}
	files, err := c.FindLinks(context.Background(), idx.URL+"/dist/pkg-1.0-py3-none-any.whl#sha256=dd")
	if err != nil || len(files) != 1 || files[0].Hashes["sha256"] != "dd" || idx.hits.Load() != 1 {
		t.Errorf("direct link: %v %+v", err, files)
	}
}

func TestFindLinksCancelledReadIsNotKept(t *testing.T) {
	var n atomic.Int64
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, htmlPage("one-1.0.tar.gz"))
	})
	c := newTestClient(t, ClientOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.FindLinks(ctx, idx.URL+"/links/"); err == nil {
		t.Fatal("no error from a cancelled read")
	}
	files, err := c.FindLinks(context.Background(), idx.URL+"/links/")
	if err != nil || len(files) != 1 {
		t.Errorf("after cancel: %v %+v", err, files)
	}
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
