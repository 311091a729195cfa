package pypi

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

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
