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
	mu     sync.Mutex
	docs   map[string]*releaseEntry // by document URL
	misses int                      // documents missing while none was found
	works  bool                     // some document was found
}

// releaseEntry is one document, or its fetch in flight.
type releaseEntry struct {
	done chan struct{} // closed when r and err are set
	r    *pypi.Release
	err  error
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
	for {
		m.mu.Lock()
		if m.docs == nil {
			m.docs = map[string]*releaseEntry{}
		}
		ent, ok := m.docs[url]
		if !ok {
			ent = &releaseEntry{done: make(chan struct{})}
			m.docs[url] = ent
			m.mu.Unlock()
			ent.r, ent.err = e.client.Release(ctx, e.Config.IndexURL, name, version)
			m.mu.Lock()
			switch {
			case ent.err == nil:
				m.works = true
			case errors.Is(ent.err, pypi.ErrNotFound):
				m.misses++
			default:
				delete(m.docs, url) // a passing failure, or a cancel: ask again
			}
			m.mu.Unlock()
			close(ent.done)
			return ent.r, ent.err
		}
		m.mu.Unlock()
		select {
		case <-ent.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("JSON API of %s %s: %w", name, version, ctx.Err())
		}
		// The caller that fetched gave up; this one has not, so it asks.
		if isContextErr(ent.err) && ctx.Err() == nil {
			continue
		}
		return ent.r, ent.err
	}
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
