package pip

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// Vuln is one known vulnerability of an installed version, as the index's
// JSON API lists it (PyPI takes them from the OSV database).
type Vuln struct {
	ID      string   // e.g. "PYSEC-2024-1" or "GHSA-…"
	Aliases []string // e.g. the CVE
	FixedIn []string // versions with the fix, as the advisory gives them
	Link    string
	Summary string
	// FixedByTarget says the package's Wanted version has the fix (see
	// fixedBy for the rule).
	FixedByTarget bool
}

// PackageVulnerable reports the known vulnerabilities of an outdated
// package's installed version. It follows that package's PackageChecked,
// before or after ScanDone: the look-ups run beside the scan so the first
// table never waits for them, and the channel closes after the last one.
// Only packages with at least one vulnerability, or whose look-up failed,
// get one.
type PackageVulnerable struct {
	Name    string // as in the PackageChecked
	Version string // the installed version the advisories are about
	Wanted  string // the target FixedByTarget is measured against
	Vulns   []Vuln
	// Err is set when the look-up failed (Vulns is then empty); it is
	// free of credentials and never fails the scan.
	Err error
}

func (PackageVulnerable) scanEvent() {}

// VulnsUnavailable says, once, after the look-ups, that some package was
// outdated but no vulnerability data could be had: the main index serves no
// PyPI JSON API (every document asked for was missing) or there is no
// index to ask. "No vulnerability known" then means "not known", which a
// check such as pipup list --fail-on vulnerable must not take for clean.
type VulnsUnavailable struct {
	Reason string
}

func (VulnsUnavailable) scanEvent() {}

// FixesSome reports whether upgrading to Wanted fixes at least one of them.
func (p PackageVulnerable) FixesSome() bool { return fixesAny(p.Vulns) }

// fixesAny reports whether some of vulns has FixedByTarget set.
func fixesAny(vulns []Vuln) bool {
	return slices.ContainsFunc(vulns, func(v Vuln) bool { return v.FixedByTarget })
}

// For returns the vulnerabilities with FixedByTarget measured against
// another target than Wanted (the UI's row may offer Latest, or a pair's
// version).
func (p PackageVulnerable) For(target string) []Vuln {
	out := make([]Vuln, len(p.Vulns))
	for i, v := range p.Vulns {
		v.FixedByTarget = fixedBy(v.FixedIn, p.Version, target)
		out[i] = v
	}
	return out
}

// VulnNote is the words `pipup list`'s Note and the UI's details line use
// for known vulnerabilities: those the target fixes first, `fixes
// PYSEC-2024-1 (CVE-2024-1)`, then those it does not, `still vulnerable:
// GHSA-x (fixed in 3.0)`.
func VulnNote(vulns []Vuln) string {
	var fixed, open []string
	for _, v := range vulns {
		name := v.ID
		if len(v.Aliases) > 0 {
			name += " (" + strings.Join(v.Aliases, ", ") + ")"
		}
		if v.FixedByTarget {
			fixed = append(fixed, name)
			continue
		}
		if len(v.FixedIn) > 0 {
			name += " (fixed in " + strings.Join(v.FixedIn, ", ") + ")"
		} else {
			name += " (no fix known)"
		}
		open = append(open, name)
	}
	var parts []string
	if len(fixed) > 0 {
		parts = append(parts, "fixes "+strings.Join(fixed, ", "))
	}
	if len(open) > 0 {
		parts = append(parts, "still vulnerable: "+strings.Join(open, ", "))
	}
	return strings.Join(parts, "; ")
}

// vulnLookups runs the vulnerability look-ups of one scan: at most the
// scan's concurrency in flight, beside (not instead of) the scan's own
// requests, so that they never slow the first table.
//
// Whether the main index serves a JSON API is not known before asking, and
// an index without one answers 404, uncached: so the first look-ups go one
// at a time, as probes, until one finds a document (the API is there: the
// rest run concurrently) or probeMisses of them find none (no API: the rest
// are dropped). A scan of an index without the API so costs a few small
// requests, not one per outdated package.
type vulnLookups struct {
	e    *Env
	ctx  context.Context
	send func(ScanEvent) bool
	sem  chan struct{}
	wg   sync.WaitGroup

	probe   chan struct{} // one probe at a time
	looked  int           // look-ups answered (a document or none)
	known   chan struct{} // closed once hasAPI is decided
	hasAPI  bool
	mu      sync.Mutex
	misses  int
	decided bool
}

// probeMisses is how many packages in a row must lack a document before
// the index is taken to have no JSON API. One is not enough: an installed
// version deleted from the index answers 404 too.
const probeMisses = 3

// newVulnLookups returns nil when there is nothing to look up with: the
// look-ups are off, or the main index URL has no JSON API's shape.
func (e *Env) newVulnLookups(ctx context.Context, send func(ScanEvent) bool) *vulnLookups {
	if e.opts.NoVulns || e.Config.NoIndex {
		return nil
	}
	if _, ok := pypi.JSONAPIURL(e.Config.IndexURL, "x", "0"); !ok {
		return nil
	}
	return &vulnLookups{e: e, ctx: ctx, send: send, sem: make(chan struct{}, max(e.opts.Concurrency, 1)),
		probe: make(chan struct{}, 1), known: make(chan struct{})}
}

// look starts the look-up of an outdated package just reported.
func (l *vulnLookups) look(c PackageChecked) {
	if l == nil || !c.Outdated() || !l.e.jsonAPIDescribes(c.Candidate) {
		// A package found on another index is not the main index's to
		// describe: its namesake's advisories would be wrong.
		return
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		select {
		case <-l.known:
			if l.hasAPI {
				l.run(c, false)
			}
		case l.probe <- struct{}{}:
			defer func() { <-l.probe }()
			// A document another look-up (the cooldown's) found decides
			// too. An API found missing is probed still, but those probes
			// ask nothing (releaseIfAPI) and count as looked-up packages
			// for VulnsUnavailable.
			if l.e.jsonAPIFound() {
				l.decide(true)
			}
			select {
			case <-l.known: // decided while this one waited
				if l.hasAPI {
					l.run(c, false)
				}
			default:
				l.run(c, true)
			}
		case <-l.ctx.Done():
		}
	}()
}

// run looks c up within the concurrency bound; a probe's answer decides
// whether the index has the API.
func (l *vulnLookups) run(c PackageChecked, probing bool) {
	select {
	case l.sem <- struct{}{}:
	case <-l.ctx.Done():
		return
	}
	ev, report, missing := l.e.vulnerabilities(l.ctx, c)
	<-l.sem
	if l.ctx.Err() == nil && (missing || ev.Err == nil) {
		l.mu.Lock()
		l.looked++
		l.mu.Unlock()
	}
	if probing && l.ctx.Err() == nil {
		l.mu.Lock()
		if missing {
			l.misses++
		}
		decide := !l.decided && (!missing || l.misses >= probeMisses)
		l.mu.Unlock()
		if decide {
			l.decide(!missing)
		}
	}
	if report {
		l.send(ev)
	}
}

// decide settles, once, whether the index has the JSON API.
func (l *vulnLookups) decide(hasAPI bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.decided {
		l.decided, l.hasAPI = true, hasAPI
		close(l.known)
	}
}

// wait returns when every look-up started has reported.
func (l *vulnLookups) wait() {
	if l != nil {
		l.wg.Wait()
	}
}

// unavailable is the VulnsUnavailable to send after wait, when look-ups
// were answered but none with a document.
func (l *vulnLookups) unavailable() (VulnsUnavailable, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx.Err() != nil || l.looked == 0 || l.hasAPI {
		return VulnsUnavailable{}, false
	}
	return VulnsUnavailable{Reason: fmt.Sprintf("the index served no PyPI JSON API document for %d outdated %s (it has no JSON API)",
		l.looked, pluralS(l.looked, "package", "packages"))}, true
}

// vulnsUnavailable is the VulnsUnavailable of a scan that made no look-ups
// though they were on and something was outdated.
func (e *Env) vulnsUnavailable(ctx context.Context, done ScanDone) (VulnsUnavailable, bool) {
	switch {
	case e.opts.NoVulns || done.Outdated == 0 || ctx.Err() != nil:
		return VulnsUnavailable{}, false
	case e.Config.NoIndex || e.Config.IndexURL == "":
		return VulnsUnavailable{Reason: "there is no package index to ask (--no-index)"}, true
	}
	return VulnsUnavailable{Reason: "the index URL is not of the <base>/simple shape beside which PyPI's JSON API lives"}, true
}

func pluralS(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// vulnerabilities reads the known vulnerabilities of c's installed version
// from the main index's JSON API. report is false when there is nothing to
// report: none known, no document for that version (missing), or ctx
// cancelled.
func (e *Env) vulnerabilities(ctx context.Context, c PackageChecked) (ev PackageVulnerable, report, missing bool) {
	ev = PackageVulnerable{Name: c.Name, Version: c.Version, Wanted: c.Wanted}
	r, err := e.releaseIfAPI(ctx, c.Name, c.Version)
	switch {
	case ctx.Err() != nil:
		return ev, false, false
	case errors.Is(err, pypi.ErrNotFound):
		return ev, false, true
	case err != nil:
		ev.Err = fmt.Errorf("vulnerabilities of %s %s: %w", c.Name, c.Version, err)
		return ev, true, false
	}
	ev.Vulns = vulnsOf(r.Vulnerabilities, c.Version, c.Wanted)
	return ev, len(ev.Vulns) > 0, false
}

// vulnsOf keeps the advisories still in force (a withdrawn one no longer
// applies) and marks those the target version fixes.
func vulnsOf(advisories []pypi.Vulnerability, installed, target string) []Vuln {
	var out []Vuln
	for _, a := range advisories {
		if a.Withdrawn || a.ID == "" {
			continue
		}
		out = append(out, Vuln{
			ID: a.ID, Aliases: a.Aliases, FixedIn: a.FixedIn, Link: a.Link, Summary: a.Summary,
			FixedByTarget: fixedBy(a.FixedIn, installed, target),
		})
	}
	return out
}

// fixedBy reports whether upgrading from installed to target takes the fix
// of an advisory fixed in the versions fixedIn. The document of the
// installed version gives only the "fixed" events of the advisory's ranges,
// one per maintained release series (e.g. 1.2.5 and 2.0.1): target has the
// fix when some fixed version lies above installed and at or below target,
// and no fixed version of target's own series (same first two release
// numbers) lies above target — 2.0.0 is still affected when 2.0.1 is a fix.
// Unparseable versions count as no fix: the advisory is then shown but
// never claimed fixed.
func fixedBy(fixedIn []string, installed, target string) bool {
	from, err1 := pep440.Parse(installed)
	to, err2 := pep440.Parse(target)
	if err1 != nil || err2 != nil || to.Compare(from) <= 0 {
		return false
	}
	fixed := false
	for _, s := range fixedIn {
		f, err := pep440.Parse(s)
		if err != nil {
			continue
		}
		switch {
		case f.Compare(to) > 0:
			if sameSeries(f, to) {
				return false
			}
		case f.Compare(from) > 0:
			fixed = true
		}
	}
	return fixed
}

// sameSeries reports whether a and b share epoch and first two release
// numbers (2.0.1 and 2.0.0 do; 2.1.0 and 2.0.0 do not).
func sameSeries(a, b pep440.Version) bool {
	if a.Epoch() != b.Epoch() {
		return false
	}
	d := releaseDiff(a, b)
	return d < 0 || d >= 2
}
