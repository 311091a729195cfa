package pip

import (
	"path/filepath"
	"time"

	"github.com/pipup/pipup/pypi/httpcache"
)

// DefaultCacheMaxSize bounds pipup's HTTP cache when Options.CacheMaxSize
// is 0: room for every index page of a large environment and a few
// hundred wheels, which is what undo wants to find again.
const DefaultCacheMaxSize int64 = 2 << 30

// DefaultCacheDir is pipup's cache root for an environment (nil =
// os.Environ()): $XDG_CACHE_HOME/pipup, else ~/.cache/pipup.
func DefaultCacheDir(environ []string) string {
	getenv := parseEnviron(environOr(environ)).getenv
	return defaultCacheDir(getenv, homeOf(Options{}, getenv))
}

// HTTPCacheDir is where the index client keeps its HTTP cache under a
// cache root.
func HTTPCacheDir(root string) string { return filepath.Join(root, "http") }

// TrimCache evicts the least recently used entries of the HTTP cache until
// it is within Options.CacheMaxSize. Scan, Upgrade and Undo call it when
// they end, so the cache stays bounded without a separate command; it is
// best effort and safe beside other pipup processes (see httpcache.Evict).
func (e *Env) TrimCache() (httpcache.Removed, error) {
	if e == nil || e.CacheDir == "" || e.opts.CacheMaxSize < 0 {
		return httpcache.Removed{}, nil
	}
	max := e.opts.CacheMaxSize
	if max == 0 {
		max = DefaultCacheMaxSize
	}
	return httpcache.Evict(HTTPCacheDir(e.CacheDir), max, time.Now())
}
