package pypi

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// EnvProxies are the environment's proxy settings as pip's requests sees
// them; the caller reads the environment (package pip's envProxies), this
// package only applies them.
type EnvProxies struct {
	// Proxies is urllib's getproxies_environment(): "<scheme>_proxy"
	// variables by lower-case scheme ("http", "https", "all", "no"), the
	// lower-case variable winning over the upper-case one.
	Proxies map[string]string
	// NoProxy is requests' own no_proxy lookup: $no_proxy, else $NO_PROXY.
	NoProxy string
}

// proxyFunc returns the Transport's Proxy function. A configured proxy
// (pip's --proxy/proxy/PIP_PROXY) carries every http and https request and
// the environment is then ignored, as pip ≥ 24.1 does by turning requests'
// trust_env off (older pips let an environment proxy win; that was pip
// issue 10685, fixed). Without one, the environment's proxies apply with
// requests' rules, which differ from Go's http.ProxyFromEnvironment:
// lower-case variables win, ALL_PROXY counts, and loopback hosts are
// proxied unless NO_PROXY names them.
func proxyFunc(configured string, env EnvProxies) (func(*http.Request) (*url.URL, error), error) {
	if configured != "" {
		p, err := parseProxy(configured)
		if err != nil {
			return nil, err
		}
		return func(*http.Request) (*url.URL, error) { return p, nil }, nil
	}
	if len(env.Proxies) == 0 {
		return nil, nil
	}
	// Parsed once; a bad variable fails the requests that would use it,
	// as in requests, not those that it does not concern.
	type parsedProxy struct {
		u   *url.URL
		err error
	}
	parsed := map[string]parsedProxy{}
	for scheme, v := range env.Proxies {
		if scheme == "no" || v == "" {
			continue
		}
		p, err := parseProxy(v)
		if err != nil {
			err = fmt.Errorf("%s_proxy: %w", scheme, err)
		}
		parsed[scheme] = parsedProxy{p, err}
	}
	return func(req *http.Request) (*url.URL, error) {
		if env.bypass(req.URL) {
			return nil, nil
		}
		p, ok := parsed[req.URL.Scheme]
		if !ok {
			p = parsed["all"]
		}
		return p.u, p.err
	}, nil
}

// urllib3's SCHEME_RE: what parse_url takes for a scheme.
var schemeRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+-]*:`)

// parseProxy reads a proxy URL as requests does (prepend_scheme_if_needed):
// "10.0.0.1:3128" means http://10.0.0.1:3128, but "proxy:3128" has the
// scheme "proxy" to urllib3, so it fails there and here.
func parseProxy(raw string) (*url.URL, error) {
	s := raw
	if !schemeRE.MatchString(s) {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" && (u.Scheme == "http" || u.Scheme == "https") {
		return nil, fmt.Errorf("proxy %q is not a URL such as http://host:3128", RedactURL(raw))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy %q: unsupported scheme %q (give a URL such as http://host:3128)", RedactURL(raw), u.Scheme)
	}
	if u.Scheme == "socks5h" { // Go's socks5 already resolves names at the proxy
		u.Scheme = "socks5"
	}
	return u, nil
}

// bypass is requests' should_bypass_proxies: first its own no_proxy
// matching (CIDR blocks and exact addresses for IPv4 hosts, a plain
// suffix match otherwise, with or without the port), then urllib's
// proxy_bypass_environment ("*", or a domain and its subdomains).
func (e EnvProxies) bypass(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return true
	}
	if e.NoProxy != "" {
		var entries []string
		for _, h := range strings.Split(strings.ReplaceAll(e.NoProxy, " ", ""), ",") {
			if h != "" {
				entries = append(entries, h)
			}
		}
		if addr, err := netip.ParseAddr(host); err == nil && addr.Is4() {
			for _, h := range entries {
				if pfx, err := netip.ParsePrefix(h); err == nil && pfx.Addr().Is4() && pfx.Bits() >= 1 {
					if pfx.Contains(addr) {
						return true
					}
				} else if h == host {
					return true
				}
			}
		} else {
			withPort := host
			if p := u.Port(); p != "" {
				withPort = host + ":" + p
			}
			for _, h := range entries {
				if strings.HasSuffix(host, h) || strings.HasSuffix(withPort, h) {
					return true
				}
			}
		}
	}
	no, ok := e.Proxies["no"]
	if !ok {
		return false
	}
	if no == "*" {
		return true
	}
	// requests hands urllib the host name alone, without the port.
	for _, name := range strings.Split(no, ",") {
		name = strings.ToLower(strings.TrimLeft(strings.TrimSpace(name), "."))
		if name == "" {
			continue
		}
		if host == name || strings.HasSuffix(host, "."+name) {
			return true
		}
	}
	return false
}

// SelectProxy is the proxy a Client with these settings uses for u (nil:
// none), for diagnostics and tests.
func SelectProxy(configured string, env EnvProxies, u *url.URL) (*url.URL, error) {
	f, err := proxyFunc(configured, env)
	if err != nil || f == nil {
		return nil, err
	}
	return f(&http.Request{URL: u})
}
