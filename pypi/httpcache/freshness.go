package httpcache

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cacheControl holds the Cache-Control directives this cache acts on.
type cacheControl struct {
	noStore   bool
	noCache   bool
	maxAge    time.Duration
	hasMaxAge bool
}

func parseCacheControl(h http.Header) cacheControl {
	var cc cacheControl
	for _, line := range h.Values("Cache-Control") {
		for _, d := range strings.Split(line, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store":
				cc.noStore = true
			case "no-cache":
				// The qualified form (no-cache="field") is treated like the
				// plain one: revalidating is always safe.
				cc.noCache = true
			case "max-age":
				if cc.hasMaxAge {
					continue // first one wins
				}
				cc.hasMaxAge = true
				secs, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
				if err != nil || secs < 0 {
					secs = 0 // an invalid max-age means stale (RFC 9111 4.2.1)
				}
				if secs > 1<<31 {
					secs = 1 << 31
				}
				cc.maxAge = time.Duration(secs) * time.Second
			}
		}
	}
	return cc
}

// requestWantsRevalidation reports request directives that forbid serving
// a stored response without asking the origin.
func requestWantsRevalidation(req *http.Request, cc cacheControl) bool {
	if cc.noCache || (cc.hasMaxAge && cc.maxAge == 0) {
		return true
	}
	if req.Header.Get("Cache-Control") == "" {
		for _, p := range req.Header.Values("Pragma") {
			if strings.Contains(strings.ToLower(p), "no-cache") {
				return true
			}
		}
	}
	return false
}

func parseUnixNano(ns int64) time.Time { return time.Unix(0, ns) }

// currentAge follows RFC 9111 section 4.2.3.
func (m *meta) currentAge(now time.Time) time.Duration {
	reqTime, respTime := parseUnixNano(m.ReqTime), parseUnixNano(m.RespTime)
	var apparent time.Duration
	if d, err := http.ParseTime(m.Header.Get("Date")); err == nil {
		apparent = max(0, respTime.Sub(d))
	}
	var ageValue time.Duration
	if a, err := strconv.ParseInt(strings.TrimSpace(m.Header.Get("Age")), 10, 64); err == nil && a > 0 {
		ageValue = time.Duration(min(a, 1<<31)) * time.Second
	}
	corrected := ageValue + max(0, respTime.Sub(reqTime))
	initial := max(apparent, corrected)
	return initial + max(0, now.Sub(respTime))
}

// lifetime is the freshness lifetime from max-age or Expires; no heuristic
// freshness is applied, so entries without either are always revalidated.
func (m *meta) lifetime() time.Duration {
	cc := parseCacheControl(m.Header)
	if cc.noCache {
		return 0
	}
	if cc.hasMaxAge {
		return cc.maxAge
	}
	if exp := m.Header.Get("Expires"); exp != "" {
		e, err := http.ParseTime(exp)
		if err != nil {
			return 0
		}
		base := parseUnixNano(m.RespTime)
		if d, err := http.ParseTime(m.Header.Get("Date")); err == nil {
			base = d
		}
		return max(0, e.Sub(base))
	}
	return 0
}

func (m *meta) fresh(now time.Time, reqCC cacheControl) bool {
	age := m.currentAge(now)
	life := m.lifetime()
	if reqCC.hasMaxAge && reqCC.maxAge < life {
		life = reqCC.maxAge
	}
	return age < life
}

func (m *meta) hasValidators() bool {
	return m.Header.Get("ETag") != "" || m.Header.Get("Last-Modified") != ""
}

// storableStatus lists the codes worth keeping: successful pages, permanent
// redirects and "no such project" answers.
func storableStatus(code int) bool {
	switch code {
	case http.StatusOK, http.StatusNonAuthoritativeInfo, http.StatusMovedPermanently,
		http.StatusPermanentRedirect, http.StatusNotFound, http.StatusGone:
		return true
	}
	return false
}

// storable reports whether resp may be written to the cache and is worth
// it: it must be reusable without a full request (fresh for a while, or
// revalidatable).
func storable(resp *http.Response) bool {
	if !storableStatus(resp.StatusCode) {
		return false
	}
	cc := parseCacheControl(resp.Header)
	if cc.noStore {
		return false
	}
	for _, v := range resp.Header.Values("Vary") {
		if strings.Contains(v, "*") {
			return false
		}
	}
	m := meta{Header: resp.Header}
	return m.lifetime() > 0 || m.hasValidators()
}

// dropHeaders are never stored: hop-by-hop fields, cookies, anything about
// credentials, and fields this cache sets itself when serving.
var dropHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade", "Set-Cookie", "Set-Cookie2", "Cookie",
	"Authorization", "Proxy-Authorization", "Www-Authenticate",
	"Proxy-Authenticate", "Authentication-Info", "Proxy-Authentication-Info",
	"Content-Length", CacheHeader,
}

// storedHeader returns a copy of h fit for the cache.
func storedHeader(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for _, c := range h.Values("Connection") {
		for _, name := range strings.Split(c, ",") {
			out.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range dropHeaders {
		out.Del(name)
	}
	return out
}

// mergeHeaders applies the fields of a 304 to a stored header (RFC 9111
// 4.3.4), leaving the fields that describe the stored body alone.
func mergeHeaders(stored, fresh http.Header) {
	skip := map[string]bool{"Content-Type": true, "Content-Encoding": true, "Content-Range": true}
	for k, v := range storedHeader(fresh) {
		if skip[textproto.CanonicalMIMEHeaderKey(k)] {
			continue
		}
		stored[k] = v
	}
}

// varyKey digests the request fields a response varies on, so that an
// entry is reused only for requests that send the same values.
func varyKey(respHeader http.Header, req *http.Request) string {
	var names []string
	for _, v := range respHeader.Values("Vary") {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, textproto.CanonicalMIMEHeaderKey(n))
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range slices.Compact(names) {
		h.Write([]byte(n + ":" + strings.Join(req.Header.Values(n), ",") + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}
