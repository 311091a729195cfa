package pip

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pipup/pipup/pypi"
)

// The main index's JSON API documents are read for four things — the
// cooldown's upload times, candidate metadata without a PEP 658 file, the
// UI's details line and the known vulnerabilities — often of the same
// version. releases keeps each document the Env read, and what the
// answers so far say of the API itself, so that one document is fetched
// once per run and the probing of an index without the API (404s) is done
// once for every user of it.

// maxAPIMisses is how many JSON API documents may be missing, with none
// found, before the index counts as having no JSON API: a private index
// without one would otherwise cost a 404 per outdated package and scan.
// One is not enough: an installed version deleted from the index answers
// 404 too.
const maxAPIMisses = 3

// releases is the Env's memo of JSON API documents.
type releases struct {
	docs flights[*pypi.Release] // by document URL

	mu     sync.Mutex
	misses int  // documents missing while none was found
	works  bool // some document was found
}

// release is the main index's JSON API document of name at version. Each
// document is fetched once per Env; concurrent callers share the fetch.
// "Not found" is kept (it stays so for the run); other failures are not,
// so a later caller asks again. An error matching pypi.ErrNotFound means
// there is no such document.
func (e *Env) release(ctx context.Context, name, version string) (*pypi.Release, error) {
	url, ok := pypi.JSONAPIURL(e.Config.IndexURL, name, version)
	if !ok {
		return nil, fmt.Errorf("JSON API of %s %s: %w", name, version, pypi.ErrNoJSONAPI)
	}
	m := &e.releases
	fetch := func() (*pypi.Release, error) {
		r, err := e.client.Release(ctx, e.Config.IndexURL, name, version)
		m.mu.Lock()
		switch {
		case err == nil:
			m.works = true
		case errors.Is(err, pypi.ErrNotFound):
			m.misses++
		}
		m.mu.Unlock()
		return r, err
	}
	// A passing failure, or a cancel, is not kept: ask again.
	keep := func(err error) bool { return err == nil || errors.Is(err, pypi.ErrNotFound) }
	return m.docs.do(ctx, url, "JSON API of "+name+" "+version, fetch, keep)
}

// errNoJSONAPISeen is releaseIfAPI's answer once the index has shown it
// has no JSON API.
var errNoJSONAPISeen = fmt.Errorf("no PyPI JSON API beside this index (%d documents missing, none found): %w", maxAPIMisses, pypi.ErrNotFound)

// releaseIfAPI is release, unless the answers so far say the index has no
// JSON API (maxAPIMisses missing, none found): then it asks nothing and
// says not found. The look-ups that run for many packages (the cooldown's
// upload times, the vulnerabilities) use it; candidate metadata asks
// anyway, as the API is its last source before the wheel itself.
func (e *Env) releaseIfAPI(ctx context.Context, name, version string) (*pypi.Release, error) {
	if e.noJSONAPI() {
		return nil, errNoJSONAPISeen
	}
	return e.release(ctx, name, version)
}

// jsonAPIFound reports whether some JSON API document was found.
func (e *Env) jsonAPIFound() bool {
	m := &e.releases
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.works
}

// noJSONAPI reports whether the index has shown it has no JSON API.
func (e *Env) noJSONAPI() bool {
	m := &e.releases
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.works && m.misses >= maxAPIMisses
}
