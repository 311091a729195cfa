package pypi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipup/pipup/pypi/httpcache"
)

// ClientOptions configures a Client. Zero values mean the defaults.
type ClientOptions struct {
	UserAgent string        // default "pipup/<module version>"
	Timeout   time.Duration // connect + response headers, then body idle; default 15s
	// Retries is how often a request is retried after 429, 5xx (not 501 or
	// 505), a timeout or a connection failure; 0 means 5 (pip's default), a
	// negative value none.
	Retries  int
	CacheDir string // on-disk HTTP cache; "" disables it
	Refresh  bool   // revalidate cached entries even when fresh
	CAFile   string // PEM bundle replacing the system roots (pip's cert)
	// ClientCert is pip's client-cert: one PEM file holding the client's
	// certificate and its private key, sent when a server asks (mutual TLS).
	ClientCert string
	// Proxy is pip's proxy (--proxy, PIP_PROXY, pip.conf): every http and
	// https request goes through it and EnvProxies are ignored.
	Proxy string
	// EnvProxies are the environment's proxy variables, used when Proxy is
	// "". The zero value means no proxy: this package reads no environment.
	EnvProxies   EnvProxies
	TrustedHosts []string
	NetrcPath    string // the .netrc file for credentials; "" = none (pip.Open decides it as requests does)
	MaxConns     int    // per-host connection limit; default 64
}

// ClientStats counts a Client's traffic. Requests, statuses and Bytes are
// counted on the wire: cache hits send nothing.
type ClientStats struct {
	Requests                                   int64 // requests sent, retries and redirects included
	Status2xx, Status3xx, Status4xx, Status5xx int64
	Failed                                     int64 // requests that got no response
	Bytes                                      int64 // response body bytes read off the network
	Retries                                    int64
	CacheHits, CacheRevalidated, CacheMisses   int64
	CacheStores                                int64
}

// ErrNotFound is matched (errors.Is) by the error for a 404 or 410.
var ErrNotFound = errors.New("not found")

// ErrInsecureHost is matched by the error for a plain-http URL to a host
// that is neither local nor trusted.
var ErrInsecureHost = errors.New("not a trusted or secure host")

// Client fetches index pages, find-links locations and files. It is safe
// for concurrent use and shares one connection pool.
type Client struct {
	opts    ClientOptions
	hc      *http.Client
	cache   *httpcache.Transport
	trusted []trustedHost

	netrc    *netrc
	netrcErr error

	backoff, maxBackoff, maxRetryAfter time.Duration

	credMu sync.Mutex
	creds  map[string]*url.Userinfo // by URL host (host:port) of index URLs

	flMu sync.Mutex
	fl   map[string]*findLinksEntry

	requests, s2xx, s3xx, s4xx, s5xx, failed, bytes, retries atomic.Int64
}

// NewClient builds a Client. It fails on an unreadable CAFile or a bad
// trusted host; a malformed .netrc is only reported when a 401 comes back.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.UserAgent == "" {
		opts.UserAgent = "pipup/" + moduleVersion()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = 5
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 64
	}
	c := &Client{
		opts:          opts,
		backoff:       100 * time.Millisecond,
		maxBackoff:    5 * time.Second,
		maxRetryAfter: 30 * time.Second,
		creds:         map[string]*url.Userinfo{},
		fl:            map[string]*findLinksEntry{},
	}
	for _, h := range opts.TrustedHosts {
		th, err := parseTrustedHost(h)
		if err != nil {
			return nil, err
		}
		c.trusted = append(c.trusted, th)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA bundle %s holds no PEM certificates", opts.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	if opts.ClientCert != "" {
		// pip hands the path to ssl's load_cert_chain with no key file: the
		// key must sit in the same PEM file, so it is read from there too.
		cert, err := tls.LoadX509KeyPair(opts.ClientCert, opts.ClientCert)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s (one PEM file with the certificate and its key): %w", opts.ClientCert, err)
		}
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	proxy, err := proxyFunc(opts.Proxy, opts.EnvProxies)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	secure := &http.Transport{
		Proxy:               proxy,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsConf,
		ForceAttemptHTTP2:   true, // a custom TLS config turns HTTP/2 off otherwise
		TLSHandshakeTimeout: opts.Timeout,
		// No ResponseHeaderTimeout: the per-attempt watchdog in get covers
		// connect, headers and body idle time with one clear error.
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConns:        4 * opts.MaxConns,
		MaxIdleConnsPerHost: opts.MaxConns,
		MaxConnsPerHost:     opts.MaxConns,
	}
	insecure := secure.Clone()
	insecure.TLSClientConfig = tlsConf.Clone()
	insecure.TLSClientConfig.InsecureSkipVerify = true // pip's --trusted-host skips verification
	var rt http.RoundTripper = &wire{c: c, secure: secure, insecure: insecure}
	if opts.CacheDir != "" {
		c.cache = &httpcache.Transport{Dir: opts.CacheDir, Base: rt, Refresh: opts.Refresh}
		rt = c.cache
	}
	c.hc = &http.Client{Transport: rt, CheckRedirect: c.checkRedirect}
	c.netrc, c.netrcErr = readNetrc(opts.NetrcPath)
	return c, nil
}

func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "devel"
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() ClientStats {
	s := ClientStats{
		Requests: c.requests.Load(), Status2xx: c.s2xx.Load(), Status3xx: c.s3xx.Load(),
		Status4xx: c.s4xx.Load(), Status5xx: c.s5xx.Load(), Failed: c.failed.Load(),
		Bytes: c.bytes.Load(), Retries: c.retries.Load(),
	}
	if c.cache != nil {
		cs := c.cache.Stats()
		s.CacheHits, s.CacheRevalidated, s.CacheMisses, s.CacheStores = cs.Hits, cs.Revalidated, cs.Misses, cs.Stores
	}
	return s
}

// ProjectFiles fetches the project's page from a Simple API index (PEP 503
// URL: normalised name, trailing slash), asking for PEP 691 JSON with HTML
// as fallback, and calls fn for each file in page order. A 404 or 410
// gives an error matching ErrNotFound. An error from fn is returned as is.
func (c *Client) ProjectFiles(ctx context.Context, indexURL, project string, fn func(File) error) error {
	base, err := c.parseURL(indexURL)
	if err != nil {
		return err
	}
	name := Normalize(project)
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + "/" + name + "/"
	if u.RawPath != "" {
		u.RawPath = strings.TrimRight(u.RawPath, "/") + "/" + name + "/"
	}
	if u.Scheme == "file" {
		return c.localIndexPage(&u, fn)
	}
	resp, err := c.get(ctx, &u, AcceptHeader)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return parseResponse(resp, RedactURL(u.String()), fn)
}

// parseResponse parses a page by its Content-Type, then reads the body to
// its end so that the cache keeps it.
func parseResponse(resp *http.Response, display string, fn func(File) error) error {
	kind, err := ParseContentType(resp.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("fetch %s: %w", display, err)
	}
	if err := ParsePage(kind, resp.Body, resp.Request.URL, fn); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", display, err)
	}
	return nil
}

// localIndexPage reads a project page from a file:// index the way pip
// does: the directory's index.html.
func (c *Client) localIndexPage(u *url.URL, fn func(File) error) error {
	dir := u.Path
	f, err := os.Open(filepath.Join(dir, "index.html"))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", dir, ErrNotFound)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	page := &url.URL{Scheme: "file", Path: filepath.Join(dir, "index.html")}
	return ParseHTML(f, page, fn)
}

// Open returns the body of rawURL (http, https or file) and its length, or
// -1 when unknown, with the Client's credentials, retries and timeouts. The
// caller must close the body; a read that stalls for Timeout fails.
func (c *Client) Open(ctx context.Context, rawURL string) (io.ReadCloser, int64, error) {
	u, err := c.parseURL(rawURL)
	if err != nil {
		return nil, 0, err
	}
	if u.Scheme == "file" {
		f, err := os.Open(u.Path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				err = fmt.Errorf("%w: %w", err, ErrNotFound)
			}
			return nil, 0, err
		}
		size := int64(-1)
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		return f, size, nil
	}
	resp, err := c.get(ctx, u, "")
	if err != nil {
		return nil, 0, err
	}
	return resp.Body, resp.ContentLength, nil
}
