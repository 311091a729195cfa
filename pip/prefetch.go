package pip

import (
	"context"
	"sync"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// metaPrefetch reads, beside a scan's checks, the metadata of the versions
// an upgrade plan will read first: each outdated package's Latest (what
// PackageChecked.ToLatest asks for). The planner would otherwise fetch them
// all only after the scan ended, one index round trip of idle time per
// batch; here each starts as soon as its package is known outdated, and
// candidateMetadata's cache hands the answer (or the fetch still in
// flight) to the planner. The answers are the planner's own: same key,
// same candidate file, and a failure is not cached, so the planner tries
// again and words its warning as before.
type metaPrefetch struct {
	e   *Env
	ctx context.Context
	sem chan struct{} // at most the scan's concurrency in flight
	wg  sync.WaitGroup
}

// newMetaPrefetch returns nil (which does nothing) unless the request asks
// for it: `pipup list` and the UI's first table must not pay for fetches
// that no plan may follow.
func (e *Env) newMetaPrefetch(ctx context.Context, r ScanRequest) *metaPrefetch {
	if !r.PrefetchPlan {
		return nil
	}
	return &metaPrefetch{e: e, ctx: ctx, sem: make(chan struct{}, max(e.opts.Concurrency, 1))}
}

// look starts reading c's Latest metadata when a plan would read it: c is
// outdated, and neither its pin nor the cooldown moves the planner off
// Latest (withinPolicy would then look for another version).
func (p *metaPrefetch) look(c PackageChecked) {
	if p == nil || !c.Outdated() || c.Candidate.URL == "" {
		return
	}
	v, err := pep440.Parse(c.Latest)
	if err != nil || p.e.pinExcludes(pypi.Normalize(c.Name), v) != "" || p.e.tooYoung(c.Candidate.Uploaded) {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case p.sem <- struct{}{}:
		case <-p.ctx.Done():
			return
		}
		defer func() { <-p.sem }()
		// The error is the planner's to report: it asks again.
		_, _ = p.e.candidateMetadata(p.ctx, c.Name, c.Latest, c.Candidate)
	}()
}

// wait returns when every fetch started has ended (at once on cancel:
// each stops at its next request).
func (p *metaPrefetch) wait() {
	if p != nil {
		p.wg.Wait()
	}
}
