package pip

import (
	"context"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// Upload times for the cooldown where the Simple API gives none (HTML-only
// indexes, JSON pages of API version 1.0): the project's JSON API beside
// the main index, on its own host (jsonAPIDescribes), as pypi.org and
// Warehouse-compatible mirrors serve it.

// fillUploadTimes gives the versions of vs (highest first) that decide
// Wanted under the cooldown their upload times from the JSON API, when
// the pages had none. Only versions above installed that admit says may
// be Wanted are looked up, from the top, and the walk stops at the first
// that is old enough or whose age stays unknown (either is Wanted), so a
// package is one request in the usual case and never one per release.
// Lookups that fail leave ages unknown: the cooldown then offers the
// version and its note says so, as for any index without times.
func (e *Env) fillUploadTimes(ctx context.Context, name string, vs []pypi.Candidate, installed pep440.Version, admit func(pep440.Version) bool) {
	if e.opts.Cooldown <= 0 {
		return
	}
	for i := range vs {
		c := &vs[i]
		if c.Version.Compare(installed) <= 0 {
			return
		}
		if !admit(c.Version) {
			continue
		}
		if c.Uploaded.IsZero() {
			if !e.jsonAPIDescribes(candidateFile(c)) {
				return
			}
			t, ok := e.releaseUploaded(ctx, name, c.Version)
			if !ok {
				return
			}
			c.Uploaded = t
		}
		if c.Uploaded.IsZero() || !e.tooYoung(c.Uploaded) {
			return
		}
	}
}

// knownUploadTimes gives the versions of vs the upload times the JSON API
// gave earlier in the Env's life (the scan's), without asking again.
func (e *Env) knownUploadTimes(name string, vs []pypi.Candidate) {
	e.uploadMu.Lock()
	defer e.uploadMu.Unlock()
	for i := range vs {
		if c := &vs[i]; c.Uploaded.IsZero() {
			c.Uploaded = e.uploaded[pypi.Normalize(name)+" "+c.Version.String()]
		}
	}
}

// releaseUploaded is when version v of name was released according to the
// main index's JSON API: the earliest upload among the release's files (it
// lists them all, not only those pip would consider here). ok is false
// when the API could not be read.
func (e *Env) releaseUploaded(ctx context.Context, name string, v pep440.Version) (time.Time, bool) {
	key := pypi.Normalize(name) + " " + v.String()
	e.uploadMu.Lock()
	t, seen := e.uploaded[key]
	e.uploadMu.Unlock()
	if seen {
		return t, true
	}
	// Not asked at all once the index showed it has no JSON API.
	r, err := e.releaseIfAPI(ctx, name, v.String())
	if err != nil {
		return time.Time{}, false
	}
	e.uploadMu.Lock()
	defer e.uploadMu.Unlock()
	for _, f := range r.Files {
		t = pypi.Earliest(t, f.Uploaded)
	}
	if e.uploaded == nil {
		e.uploaded = map[string]time.Time{}
	}
	e.uploaded[key] = t
	return t, true
}
