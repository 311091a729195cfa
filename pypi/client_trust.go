package pypi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

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
