package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

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

// retryableError reports failures worth another try: timeouts, failed
// connects, reset connections, and connections closed before a response.
// TLS and DNS "no such host" failures are not.
func retryableError(err error) bool {
	var ne net.Error
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect"):
		// Any failure to connect, to the host or to the proxy, as urllib3
		// counts connect errors; also how Windows' WSAECONNREFUSED, which
		// is not syscall.ECONNREFUSED, gets its retries.
		return true
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
