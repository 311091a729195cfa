package pypi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	Retries      int
	CacheDir     string // on-disk HTTP cache; "" disables it
	Refresh      bool   // revalidate cached entries even when fresh
	CAFile       string // PEM bundle replacing the system roots (pip's cert)
	TrustedHosts []string
	NetrcPath    string // default $NETRC, else ~/.netrc or ~/_netrc
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
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	secure := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
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
	c.netrc, c.netrcErr = readNetrc(netrcPath(opts.NetrcPath))
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

// parseURL parses a URL given by the user, registers its credentials for
// its host and returns it without them. Errors never quote the user part.
func (c *Client) parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		reason := "malformed URL"
		var he url.InvalidHostError
		if errors.As(err, &he) {
			reason = he.Error()
		}
		return nil, fmt.Errorf("invalid URL %s: %s", RedactURL(raw), reason)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("invalid URL %s: no host", RedactURL(raw))
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("invalid URL %s: file URLs must be local", RedactURL(raw))
		}
		return u, nil
	default:
		return nil, fmt.Errorf("invalid URL %s: scheme must be http, https or file", RedactURL(raw))
	}
	if u.User != nil {
		c.credMu.Lock()
		c.creds[u.Host] = u.User
		c.credMu.Unlock()
		u.User = nil
	}
	return u, nil
}

// credentials returns what to send to u's host: the user part of an index
// URL for that host, else the .netrc entry for its host name.
func (c *Client) credentials(u *url.URL) (user, pass string, ok bool) {
	c.credMu.Lock()
	ui := c.creds[u.Host]
	c.credMu.Unlock()
	if ui != nil {
		pass, _ = ui.Password()
		return ui.Username(), pass, true
	}
	if e, ok := c.netrc.lookup(u.Hostname()); ok {
		return e.login, e.password, true
	}
	return "", "", false
}

// trustedHost is a --trusted-host entry: a host, and a port or "" for any.
type trustedHost struct{ host, port string }

func parseTrustedHost(s string) (trustedHost, error) {
	h := strings.TrimSpace(s)
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	h = strings.TrimRight(h, "/")
	if host, port, err := net.SplitHostPort(h); err == nil {
		return trustedHost{strings.ToLower(host), port}, nil
	}
	h = strings.Trim(h, "[]")
	if h == "" {
		return trustedHost{}, fmt.Errorf("trusted host %q has no host part", s)
	}
	return trustedHost{strings.ToLower(h), ""}, nil
}

func (c *Client) isTrusted(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, t := range c.trusted {
		if t.host == host && (t.port == "" || t.port == port) {
			return true
		}
	}
	return false
}

// checkOrigin applies pip's secure origins: https anywhere, any scheme on
// localhost, 127.0.0.0/8 and ::1, and trusted hosts.
func (c *Client) checkOrigin(u *url.URL) error {
	if u.Scheme == "https" || u.Scheme == "file" {
		return nil
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	if c.isTrusted(u) {
		return nil
	}
	return insecureHostError{host}
}

type insecureHostError struct{ host string }

func (e insecureHostError) Error() string {
	return fmt.Sprintf("the repository located at %s is not a trusted or secure host and is being ignored; use https, or allow it with --trusted-host %s", e.host, e.host)
}
func (e insecureHostError) Is(target error) bool { return target == ErrInsecureHost }

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return c.checkOrigin(req.URL)
}

// StatusError is the error for an HTTP status the Client does not accept.
type StatusError struct {
	URL        string // redacted
	StatusCode int
	Status     string // e.g. "503 Service Unavailable"
	Retries    int
	Hint       string
}

func (e *StatusError) Error() string {
	s := "fetch " + e.URL + ": " + e.Status
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	if e.Retries > 0 {
		s += fmt.Sprintf(" (after %d retries)", e.Retries)
	}
	return s
}

// Is makes a 404 or 410 match ErrNotFound.
func (e *StatusError) Is(target error) bool {
	return target == ErrNotFound && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone)
}

// errStalled is the cause of an attempt's cancellation by its watchdog.
var errStalled = errors.New("stalled")

// get sends a GET for u (which carries no user part) with retries and
// returns a 2xx response whose body enforces the idle timeout.
func (c *Client) get(ctx context.Context, u *url.URL, accept string) (*http.Response, error) {
	display := RedactURL(c.displayURL(u))
	if err := c.checkOrigin(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", display, err)
	}
	var delay time.Duration
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil { // a cache hit would not notice
			return nil, fmt.Errorf("fetch %s: %w", display, err)
		}
		if attempt > 0 {
			c.retries.Add(1)
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("fetch %s: %w", display, ctx.Err())
			case <-t.C:
			}
		}
		actx, cancel := context.WithCancelCause(ctx)
		wd := time.AfterFunc(c.opts.Timeout, func() { cancel(errStalled) })
		req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
		if err != nil {
			wd.Stop()
			cancel(nil)
			return nil, fmt.Errorf("fetch %s: %w", display, err)
		}
		req.Header.Set("User-Agent", c.opts.UserAgent)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			wd.Stop()
			stalled := context.Cause(actx) == errStalled
			cancel(nil)
			if ctx.Err() != nil {
				return nil, fmt.Errorf("fetch %s: %w", display, ctx.Err())
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // its message repeats the URL
			}
			if stalled {
				err = fmt.Errorf("no response within %v: %w", c.opts.Timeout, os.ErrDeadlineExceeded)
			}
			if (stalled || retryableError(err)) && attempt < c.opts.Retries {
				delay = c.backoffDelay(attempt)
				continue
			}
			return nil, fmt.Errorf("fetch %s: %w%s", display, redacted(err), retriesNote(attempt))
		}
		code := resp.StatusCode
		if code >= 200 && code < 300 {
			resp.Body = &guardedBody{rc: resp.Body, wd: wd, timeout: c.opts.Timeout, ctx: actx, cancel: cancel}
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		wd.Stop()
		cancel(nil)
		if retryableStatus(code) && attempt < c.opts.Retries {
			delay = c.retryAfter(resp.Header.Get("Retry-After"), attempt)
			continue
		}
		se := &StatusError{URL: display, StatusCode: code, Status: oneLine(resp.Status), Retries: attempt}
		if code == http.StatusUnauthorized {
			se.Hint = c.authHint(resp.Request.URL)
		}
		return nil, se
	}
}

// displayURL is u with the user part that will be sent to its host, so
// that the redacted form shows "****@" where credentials are in play.
func (c *Client) displayURL(u *url.URL) string {
	c.credMu.Lock()
	ui := c.creds[u.Host]
	c.credMu.Unlock()
	if ui == nil {
		return u.String()
	}
	v := *u
	v.User = ui
	return v.String()
}

func (c *Client) authHint(u *url.URL) string {
	if _, _, ok := c.credentials(u); ok {
		return "the credentials for " + u.Hostname() + " were rejected"
	}
	hint := "the index needs credentials: put them in the index URL (https://user:password@host/...) or in ~/.netrc"
	if c.netrcErr != nil {
		hint += " (" + oneLine(c.netrcErr.Error()) + ")"
	}
	return hint
}

func retriesNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (after %d retries)", n)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// redacted hides any URL user part that an error from below may quote and
// keeps its message on one line; errors.Is still sees the original.
func redacted(err error) error {
	if msg := err.Error(); RedactURL(msg) != msg || strings.ContainsAny(msg, "\r\n") {
		return lineError{err}
	}
	return err
}

type lineError struct{ err error }

func (e lineError) Error() string { return oneLine(RedactURL(e.err.Error())) }
func (e lineError) Unwrap() error { return e.err }

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests ||
		code >= 500 && code <= 599 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported
}

// retryableError reports failures worth another try: timeouts, refused or
// reset connections, and connections closed before a response. TLS and
// DNS "no such host" failures are not.
func retryableError(err error) bool {
	var ne net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// backoffDelay is exponential from c.backoff with "equal jitter": half the
// step fixed, half random, so that concurrent retries spread out.
func (c *Client) backoffDelay(attempt int) time.Duration {
	d := c.backoff << min(attempt, 20)
	if d > c.maxBackoff || d <= 0 {
		d = c.maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter honours a Retry-After header (seconds or an HTTP date), capped,
// and falls back to backoff.
func (c *Client) retryAfter(v string, attempt int) time.Duration {
	v = strings.TrimSpace(v)
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		d = time.Duration(min(secs, 1<<20)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(0, time.Until(t))
	} else {
		return c.backoffDelay(attempt)
	}
	return min(d, c.maxRetryAfter)
}

// guardedBody fails a read that waits longer than timeout for data and
// releases the attempt's context on Close.
type guardedBody struct {
	rc      io.ReadCloser
	wd      *time.Timer
	timeout time.Duration
	ctx     context.Context
	cancel  context.CancelCauseFunc
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.wd.Reset(b.timeout)
	}
	if err != nil && err != io.EOF {
		if context.Cause(b.ctx) == errStalled {
			err = fmt.Errorf("no data for %v: %w", b.timeout, os.ErrDeadlineExceeded)
		}
		err = redacted(err)
	}
	return n, err
}

func (b *guardedBody) Close() error {
	b.wd.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// wire is the bottom RoundTripper: it adds credentials, picks the
// verifying or the trusted-host transport, and counts traffic.
type wire struct {
	c                *Client
	secure, insecure *http.Transport
}

func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	c := w.c
	if req.Header.Get("Authorization") == "" {
		if user, pass, ok := c.credentials(req.URL); ok {
			req = req.Clone(req.Context())
			req.SetBasicAuth(user, pass)
		}
	}
	t := w.secure
	if c.isTrusted(req.URL) {
		t = w.insecure
	}
	c.requests.Add(1)
	resp, err := t.RoundTrip(req)
	if err != nil {
		c.failed.Add(1)
		return nil, err
	}
	switch resp.StatusCode / 100 {
	case 2:
		c.s2xx.Add(1)
	case 3:
		c.s3xx.Add(1)
	case 4:
		c.s4xx.Add(1)
	case 5:
		c.s5xx.Add(1)
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.bytes}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// findLinksEntry is one location's result, shared by concurrent callers.
type findLinksEntry struct {
	done  chan struct{}
	files []File
	err   error
}

// FindLinks reads a find-links location once per Client: a local directory
// (each file, and the links of each HTML file in it), a local file (an HTML
// page's links, or the file itself), or an http(s) page's links. Callers
// share the result and must not modify it.
func (c *Client) FindLinks(ctx context.Context, location string) ([]File, error) {
	for {
		c.flMu.Lock()
		e, ok := c.fl[location]
		if !ok {
			e = &findLinksEntry{done: make(chan struct{})}
			c.fl[location] = e
		}
		c.flMu.Unlock()
		if !ok {
			e.files, e.err = c.readFindLinks(ctx, location)
			if e.err != nil && ctx.Err() != nil {
				c.flMu.Lock()
				delete(c.fl, location) // a cancelled read is not the answer
				c.flMu.Unlock()
			}
			close(e.done)
			return e.files, e.err
		}
		select {
		case <-e.done:
			if e.err != nil && ctx.Err() == nil && (errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
				continue // the reader's context ended, not ours: read again
			}
			return e.files, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *Client) readFindLinks(ctx context.Context, location string) ([]File, error) {
	var path string
	switch {
	case strings.HasPrefix(location, "file:"):
		u, err := c.parseURL(location)
		if err != nil {
			return nil, err
		}
		if path = u.Path; path == "" {
			path = u.Opaque // "file:relative/dir"
		}
	case strings.Contains(location, "://"):
		u, err := c.parseURL(location)
		if err != nil {
			return nil, err
		}
		if _, ext := SplitArchiveExt(u.Path); IsSupportedArchive(ext) {
			return remoteFiles(u) // a direct link, nothing to fetch
		}
		resp, err := c.get(ctx, u, AcceptHeader)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var files []File
		err = parseResponse(resp, RedactURL(c.displayURL(u)), func(f File) error {
			files = append(files, f)
			return nil
		})
		return files, err
	default:
		path = location
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if isHTMLFile(abs) {
			return readLocalPage(abs, nil)
		}
		return []File{localFile(abs, st.Size())}, nil
	}
	des, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, de := range des {
		p := filepath.Join(abs, de.Name())
		info, err := os.Stat(p) // follows symlinks, unlike de.Info
		if err != nil || info.IsDir() {
			continue
		}
		if isHTMLFile(p) {
			if files, err = readLocalPage(p, files); err != nil {
				return nil, err
			}
			continue
		}
		files = append(files, localFile(p, info.Size()))
	}
	return files, nil
}

// isHTMLFile is pip's test: the file type guessed from the extension.
func isHTMLFile(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".html" || ext == ".htm"
}

func readLocalPage(p string, files []File) ([]File, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	err = ParseHTML(f, fileURL(p), func(file File) error {
		files = append(files, file)
		return nil
	})
	return files, err
}

// fileURL is pip's path_to_url: the path quoted as Python's
// urllib.parse.quote(path) does, so "+" becomes "%2B" as in pip's URLs.
func fileURL(p string) *url.URL {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for _, c := range []byte(filepath.ToSlash(p)) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return &url.URL{Scheme: "file", Path: p, RawPath: b.String()}
}

func localFile(p string, size int64) File {
	return File{Filename: filepath.Base(p), URL: fileURL(p).String(), Hashes: map[string]string{}, Size: size}
}

// remoteFiles returns a direct link to a distribution as a File, read
// through ParseHTML so that its hash fragment and name are taken as pip
// takes them from an anchor.
func remoteFiles(u *url.URL) ([]File, error) {
	var files []File
	page := `<a href="` + html.EscapeString(u.String()) + `"></a>`
	err := ParseHTML(strings.NewReader(page), u, func(f File) error {
		files = append(files, f)
		return nil
	})
	return files, err
}

// CheckURL reports, before any request, whether raw is a usable index or
// find-links URL: well formed, of a known scheme, and from a secure origin
// (https, loopback, or a trusted host), as pip requires. A plain local path
// is fine for find-links.
func (c *Client) CheckURL(raw string) error {
	if !strings.Contains(raw, "://") {
		return nil // a local path (find-links)
	}
	u, err := c.parseURL(raw)
	if err != nil {
		return err
	}
	return c.checkOrigin(u)
}
