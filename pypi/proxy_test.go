package pypi

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

func TestProxySelection(t *testing.T) {
	env := EnvProxies{
		Proxies: map[string]string{"http": "10.9.9.9:3128", "https": "http://proxy-s:3129", "all": "socks5h://proxy-a:1080", "no": ".corp.example, Internal"},
		NoProxy: "10.0.0.0/8,192.168.1.7,ample.org,svc:8443",
	}
	for _, tc := range []struct {
		name       string
		configured string
		env        EnvProxies
		url, want  string
	}{
		{"configured carries http", "http://u:p@cfg:8080", env, "http://pypi.example/simple/", "http://u:p@cfg:8080"},
		{"configured carries https and ignores NO_PROXY", "10.8.8.8:8080", env, "https://a.corp.example/", "http://10.8.8.8:8080"},
		{"scheme-less env proxy gets http://", "", env, "http://pypi.example/", "http://10.9.9.9:3128"},
		{"https variable for https", "", env, "https://pypi.example/", "http://proxy-s:3129"},
		{"all_proxy when the scheme has none", "", EnvProxies{Proxies: map[string]string{"all": "socks5h://proxy-a:1080"}}, "https://pypi.example/", "socks5://proxy-a:1080"},
		{"loopback is proxied unless listed", "", env, "http://127.0.0.1:9000/", "http://10.9.9.9:3128"},
		{"CIDR block", "", env, "http://10.1.2.3/", ""},
		{"exact address", "", env, "http://192.168.1.7:81/", ""},
		{"address outside the block", "", env, "http://11.1.2.3/", "http://10.9.9.9:3128"},
		{"requests' plain suffix match", "", env, "https://example.org/", ""},
		{"host:port suffix", "", env, "https://svc:8443/", ""},
		{"same host, other port", "", env, "https://svc:9443/", "http://proxy-s:3129"},
		{"urllib: a domain and its subdomains, case folded", "", env, "https://x.INTERNAL/", ""},
		{"urllib: leading dot ignored", "", env, "https://corp.example/", ""},
		{"urllib: no partial label", "", env, "https://notcorp.example/", "http://proxy-s:3129"},
		{"no_proxy=*", "", EnvProxies{Proxies: map[string]string{"https": "p:1", "no": "*"}}, "https://x/", ""},
		{"nothing set", "", EnvProxies{}, "https://x/", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse(tc.url)
			got, err := SelectProxy(tc.configured, tc.env, u)
			if err != nil {
				t.Fatal(err)
			}
			g := ""
			if got != nil {
				g = got.String()
			}
			if g != tc.want {
				t.Errorf("proxy for %s = %q, want %q", tc.url, g, tc.want)
			}
		})
	}
}

func TestProxyBadSetting(t *testing.T) {
	for _, tc := range []struct {
		configured string
		env        EnvProxies
	}{
		{"ftp://alice:secret@p:21", EnvProxies{}},
		{"http://alice:secret@", EnvProxies{}},
		{"squid:3128", EnvProxies{}}, // urllib3 reads "squid" as the scheme
	} {
		_, err := NewClient(ClientOptions{Proxy: tc.configured, EnvProxies: tc.env})
		if err == nil {
			t.Errorf("%q %v: no error", tc.configured, tc.env)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	// A bad environment variable fails only the requests it concerns.
	env := EnvProxies{Proxies: map[string]string{"https": "gopher://alice:secret@p:70", "http": "http://10.0.0.1:3128"}}
	u, _ := url.Parse("https://pypi.example/")
	if _, err := SelectProxy("", env, u); err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "https_proxy") {
		t.Errorf("bad https_proxy: %v", err)
	}
	u, _ = url.Parse("http://pypi.example/")
	if p, err := SelectProxy("", env, u); err != nil || p == nil || p.Host != "10.0.0.1:3128" {
		t.Errorf("http request with a bad https_proxy: %v, %v", p, err)
	}
}

// (A request with no proxy, or one that NO_PROXY exempts, is not sent:
// it would send a DNS query for index.invalid off this machine;
// TestProxySelection covers the choice.)

// proxiedIndex is a pypitest index with one project, reachable as host
// only through a proxy, and that proxy.
func proxiedIndex(t *testing.T, host string, srvOpts []pypitest.Option, proxyOpts ...pypitest.ProxyOption) (*pypitest.Server, *pypitest.Proxy) {
	t.Helper()
	s := pypitest.NewServer(srvOpts...)
	t.Cleanup(s.Close)
	if err := s.AddWheel(pypitest.WheelSpec{Name: "alpha", Version: "1.0"}); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(strings.TrimPrefix(s.URL, "http://"), "https://")
	p, err := pypitest.NewProxy(map[string]string{host: addr}, proxyOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return s, p
}

func countFiles(ctx context.Context, c *Client, index string) (int, error) {
	n := 0
	err := c.ProjectFiles(ctx, index, "alpha", func(File) error { n++; return nil })
	return n, err
}

func TestProxyPlainHTTP(t *testing.T) {
	_, p := proxiedIndex(t, "index.invalid", nil, pypitest.ProxyAuth("alice", "pr0xy-pw"))
	const index = "http://index.invalid/simple/"
	authed := strings.Replace(p.URL, "http://", "http://alice:pr0xy-pw@", 1)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts ClientOptions
		ok   bool
	}{
		{"pip's proxy", ClientOptions{Proxy: authed}, true},
		{"environment proxy", ClientOptions{EnvProxies: EnvProxies{Proxies: map[string]string{"http": authed}}}, true},
		{"pip's proxy wins over the environment's", ClientOptions{Proxy: authed, EnvProxies: EnvProxies{Proxies: map[string]string{"http": "http://127.0.0.1:1"}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.TrustedHosts = []string{"index.invalid"}
			tc.opts.Retries = -1
			c, err := NewClient(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			before := p.Counts().Requests
			n, err := countFiles(ctx, c, index)
			if tc.ok != (err == nil) {
				t.Fatalf("files %d, err %v; want success %v", n, err, tc.ok)
			}
			if tc.ok && (n != 1 || p.Counts().Requests == before) {
				t.Errorf("files %d, proxy requests %d -> %d", n, before, p.Counts().Requests)
			}
		})
	}
	// Wrong proxy credentials: a 407, reported without the password.
	c, err := NewClient(ClientOptions{Proxy: strings.Replace(p.URL, "http://", "http://alice:wrong-pw@", 1), TrustedHosts: []string{"index.invalid"}, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = countFiles(ctx, c, index)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusProxyAuthRequired || strings.Contains(err.Error(), "wrong-pw") {
		t.Errorf("wrong proxy password: %v", err)
	}
}

// TestClientCertThroughProxy: an https index that requires a client
// certificate, reached by CONNECT through the proxy, fails without pip's
// client-cert and works with it (one PEM holding certificate and key).
func TestClientCertThroughProxy(t *testing.T) {
	ca, err := pypitest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := ca.Server("index.invalid")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.Client("pipup-test")
	if err != nil {
		t.Fatal(err)
	}
	other, err := pypitest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := other.Client("stranger")
	if err != nil {
		t.Fatal(err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{srvCert.TLS}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()}
	_, p := proxiedIndex(t, "index.invalid:443", []pypitest.Option{pypitest.WithTLS(conf)})

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	caFile := write("ca.pem", ca.CertPEM)
	good := write("client.pem", cli.PEM)
	bad := write("stranger.pem", stranger.PEM)
	certOnly := write("cert-only.pem", cli.PEM[:strings.Index(string(cli.PEM), "-----BEGIN PRIVATE KEY")])

	if _, err := NewClient(ClientOptions{ClientCert: certOnly}); err == nil || !strings.Contains(err.Error(), "client certificate") {
		t.Errorf("a client-cert without its key: %v", err)
	}
	for _, tc := range []struct {
		name, cert string
		ok         bool
	}{{"no client certificate", "", false}, {"a certificate of another CA", bad, false}, {"client-cert", good, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(ClientOptions{Proxy: p.URL, CAFile: caFile, ClientCert: tc.cert, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			before := p.Counts().Connects
			n, err := countFiles(context.Background(), c, "https://index.invalid/simple/")
			if tc.ok != (err == nil) || tc.ok && n != 1 {
				t.Fatalf("files %d, err %v; want success %v", n, err, tc.ok)
			}
			if p.Counts().Connects == before {
				t.Errorf("no CONNECT went through the proxy")
			}
		})
	}
}

// TestRetryableConnectErrors: a failed connect, to the host or to the
// proxy, is retried whatever errno the OS gave (Windows' refusal is not
// syscall.ECONNREFUSED); a name that does not exist and a TLS failure are not.
func TestRetryableConnectErrors(t *testing.T) {
	wsaRefused := errors.New("connectex: No connection could be made because the target machine actively refused it.")
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"dial, any errno", &net.OpError{Op: "dial", Net: "tcp", Err: wsaRefused}, true},
		{"proxy connect", &net.OpError{Op: "proxyconnect", Net: "tcp", Err: wsaRefused}, true},
		{"no such host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}, false},
		{"read, not a connect", &net.OpError{Op: "read", Net: "tcp", Err: wsaRefused}, false},
		{"TLS", &tls.CertificateVerificationError{Err: errors.New("unknown authority")}, false},
	} {
		if got := retryableError(tc.err); got != tc.want {
			t.Errorf("%s: retryable %v, want %v", tc.name, got, tc.want)
		}
	}
}
