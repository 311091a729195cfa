package pip

import (
	"strings"

	"github.com/pipup/pipup/pypi"
)

// envProxies reads the proxy variables as pip's requests does:
// Python's urllib getproxies_environment() (every "<scheme>_proxy"
// variable, case-insensitive, a lower-case one winning and an empty
// lower-case one cancelling; HTTP_PROXY ignored under CGI, where a
// client can set it through the Proxy header) and requests' own
// "no_proxy or NO_PROXY".
func envProxies(environ []string) pypi.EnvProxies {
	env := parseEnviron(environ)
	proxies := map[string]string{}
	for _, k := range env.keys {
		name := strings.ToLower(k)
		if v := env.vals[k]; v != "" && strings.HasSuffix(name, "_proxy") {
			proxies[strings.TrimSuffix(name, "_proxy")] = v
		}
	}
	if _, cgi := env.get("REQUEST_METHOD"); cgi {
		delete(proxies, "http")
	}
	for _, k := range env.keys {
		if !strings.HasSuffix(k, "_proxy") {
			continue
		}
		scheme := strings.TrimSuffix(strings.ToLower(k), "_proxy")
		if v := env.vals[k]; v != "" {
			proxies[scheme] = v
		} else {
			delete(proxies, scheme)
		}
	}
	noProxy, _ := env.get("no_proxy")
	if noProxy == "" {
		noProxy, _ = env.get("NO_PROXY")
	}
	if len(proxies) == 0 {
		proxies = nil
	}
	return pypi.EnvProxies{Proxies: proxies, NoProxy: noProxy}
}
