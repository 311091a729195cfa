package pip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// ScanRequest narrows a scan.
type ScanRequest struct {
	Packages []string // only these names (any spelling); empty = every installed distribution
	Exclude  []string // never these
	// PrefetchPlan says an upgrade plan of the outdated packages' Latest
	// versions follows the scan (pipup upgrade): their metadata is read
	// beside the checks, for PlanUpgrade to find read (metaPrefetch). The
	// channel then closes after the last of those reads.
	PrefetchPlan bool
}

// Scan checks every selected installed distribution against the indexes
// and sends events on the returned channel. ScanDone ends the checks; the
// vulnerability look-ups of outdated packages (PackageVulnerable) run
// beside them and may still follow it: the channel is closed after the
// last of those (and, with PrefetchPlan, of the metadata reads). A consumer
// that shows the table at ScanDone keeps reading for them; one that prints
// once reads until the channel closes. Cancel
// ctx to stop early: workers stop at their next request and ScanDone
// carries ctx's error.
func (e *Env) Scan(ctx context.Context, r ScanRequest) <-chan ScanEvent {
	out := make(chan ScanEvent, 64)
	go func() {
		defer close(out)
		start := time.Now()
		snd := newSender(ctx, out)
		vulns := e.newVulnLookups(ctx, snd.send)
		pre := e.newMetaPrefetch(ctx, r)
		done := e.scan(ctx, r, out, vulns, pre)
		done.Elapsed = time.Since(start)
		if done.Err == nil {
			done.Err = ctx.Err()
		}
		if vulns == nil && pre == nil {
			e.TrimCache()
		}
		snd.send(done)
		if vulns != nil {
			vulns.wait()
			if ev, ok := vulns.unavailable(); ok {
				snd.send(ev)
			}
		} else if ev, ok := e.vulnsUnavailable(ctx, done); ok {
			snd.send(ev)
		}
		pre.wait()
		if vulns != nil || pre != nil {
			e.TrimCache() // after the look-ups' and prefetches' own cache entries
		}
	}()
	return out
}

// job is one installed distribution to look up.
type job struct {
	dist    Dist
	version pep440.Version
}

func (e *Env) scan(ctx context.Context, r ScanRequest, out chan<- ScanEvent, vulns *vulnLookups, pre *metaPrefetch) ScanDone {
	var done ScanDone
	dists, err := e.installedDists()
	if err != nil {
		done.Err = fmt.Errorf("read installed packages: %w", err)
		return done
	}
	// Dependents are looked for among all installed distributions, not
	// only the selected ones.
	reqs := InstalledRequirements(dists, e.Interp.Markers)
	for _, p := range reqs.Problems {
		done.Warnings = append(done.Warnings, p.String())
	}
	dists, missing := selectDists(dists, r)
	dists, ignored := e.splitIgnored(dists)

	send := func(ev ScanEvent) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !send(ScanStarted{Total: len(dists) + len(missing), Python: e.Interp.Executable}) {
		return done
	}
	for _, d := range ignored {
		if len(r.Packages) > 0 {
			// Asked for by name: say why nothing comes of it.
			done.Skipped++
			send(PackageSkipped{Name: d.Name, Version: d.Version, Reason: IgnoredReason})
			continue
		}
		done.Ignored++
		send(PackageIgnored{Name: d.Name, Version: d.Version})
	}
	for _, name := range missing {
		done.Skipped++
		send(PackageSkipped{Name: name, Reason: "not installed"})
	}

	var jobs []job
	for _, d := range dists {
		if reason := skipReason(d); reason != "" {
			done.Skipped++
			send(PackageSkipped{Name: d.Name, Version: d.Version, Reason: reason})
			continue
		}
		v, err := pep440.Parse(d.Version)
		if err != nil {
			done.Skipped++
			send(PackageSkipped{Name: d.Name, Version: d.Version, Reason: fmt.Sprintf("installed version %q is not a valid PEP 440 version", d.Version)})
			continue
		}
		jobs = append(jobs, job{d, v})
	}

	// An index that cannot be reached at all fails every package the same
	// way: stop at the first such error and report it once.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var fatal error

	var mu sync.Mutex
	// Held-back packages wait for every check: whether a newer dependent
	// lifts the hold depends on the dependent's own result.
	var held []heldPackage
	checked := map[string]PackageChecked{}
	work := make(chan job)
	var wg sync.WaitGroup
	for range min(e.opts.Concurrency, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				// The UI shows which packages are in flight.
				if !send(PackageChecking{Name: j.dist.Name}) {
					return
				}
				ev, versions := e.check(ctx, j, reqs.On[j.dist.Canonical])
				if c, ok := ev.(PackageChecked); ok {
					pre.look(c) // held back or not: the plan starts from Latest
				}
				mu.Lock()
				if f, ok := ev.(PackageFailed); ok && (fatal != nil || unreachable(f.Err)) {
					if fatal == nil {
						fatal = f.Err
						stop()
					}
					mu.Unlock()
					continue
				}
				switch ev := ev.(type) {
				case PackageChecked:
					done.Checked++
					if ev.Outdated() {
						done.Outdated++
					}
					checked[j.dist.Canonical] = ev
					if ev.HeldBack() {
						held = append(held, heldPackage{ev: ev, canonical: j.dist.Canonical, version: j.version, versions: versions})
						mu.Unlock()
						continue
					}
				case PackageSkipped:
					done.Skipped++
				case PackageFailed:
					done.Failed++
				}
				mu.Unlock()
				if !send(ev) {
					return
				}
				if c, ok := ev.(PackageChecked); ok {
					vulns.look(c)
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if len(held) > 0 {
		if fatal == nil && ctx.Err() == nil {
			done.Warnings = append(done.Warnings, e.liftHolds(ctx, held, checked, reqs)...)
		}
		for _, h := range held {
			if !send(h.ev) {
				break
			}
			vulns.look(h.ev)
		}
	}
	if fatal != nil {
		done.Err = fmt.Errorf("index unreachable: %w", fatal)
	}
	return done
}

// unreachable reports errors that mean a source cannot be reached at all
// (no such host, connection refused, untrusted certificate), as opposed to
// one project's page failing.
func unreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") ||
		errors.As(err, &unknownCA) || errors.As(err, &badHost) || errors.As(err, &verify)
}

// check looks one distribution up and turns the answer into its event.
// deps are its installed dependents' requirements on it.
// versions are the installable versions when the package is held back.
func (e *Env) check(ctx context.Context, j job, deps []Dependent) (ScanEvent, []pypi.Candidate) {
	d := j.dist
	// A pin or the cooldown, like a dependent's requirement, may put the
	// wanted version below the best.
	_, pinned := e.pin(d.Canonical)
	policy := pinned || e.opts.Cooldown > 0
	find := e.finder.Find
	if policy || constrains(deps) {
		find = e.finder.FindAll // the wanted version may be below the best
	}
	res, err := find(ctx, d.Canonical, e.Config.Pre)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return PackageFailed{Name: d.Name, Version: d.Version, Err: err}, nil
	}
	if !res.Listed {
		return PackageSkipped{Name: d.Name, Version: d.Version, Reason: "not found on any index"}, nil
	}
	if res.Best == nil {
		return PackageSkipped{Name: d.Name, Version: d.Version, Reason: "no installable file for this interpreter on the index"}, nil
	}
	e.fillUploadTimes(ctx, d.Canonical, res.Versions, j.version, func(v pep440.Version) bool {
		return e.pinExcludes(d.Canonical, v) == "" && accepts(deps, v)
	})
	best := res.Best
	if len(res.Versions) > 0 {
		best = &res.Versions[0] // the same candidate, with any time just filled in
	}
	ev := PackageChecked{
		Wanted: j.version.String(), // until a newer version is found
		Name:   d.Name,
		// pip shows versions normalised (str(Version)), so does pipup.
		Version:   j.version.String(),
		Latest:    best.Version.String(),
		FileType:  best.FileType(),
		Summary:   d.Summary,
		Candidate: candidateFile(best),
	}
	if best.Version.Compare(j.version) <= 0 {
		return ev, nil
	}
	ev.Bump = BumpOf(j.version, best.Version)
	ev.Wanted, ev.WantedCandidate = ev.Latest, ev.Candidate
	ev.HeldBackBy = holdsOn(deps, best.Version)
	if len(ev.HeldBackBy) == 0 && !policy {
		return ev, nil
	}
	inPin := e.pinned(d.Canonical, res.Versions)
	versions := e.cooled(inPin)
	ev.Wanted, ev.WantedCandidate = j.version.String(), CandidateFile{}
	w := wanted(deps, j.version, versions)
	if w != nil {
		ev.Wanted, ev.WantedCandidate = w.Version.String(), candidateFile(w)
	}
	// The pin is worth a note when it is why Wanted is not higher.
	if w := wanted(deps, j.version, res.Versions); w != nil {
		ev.PinnedBy = e.pinExcludes(d.Canonical, w.Version)
	}
	// So is the cooldown, or Wanted's unknown age while it is on.
	ev.Cooldown = e.cooldownNote(wanted(deps, j.version, inPin), w)
	if len(ev.HeldBackBy) > 0 {
		return ev, versions // for the lift, within the pin and the cooldown
	}
	return ev, nil
}

// constrains reports whether some dependent's requirement could exclude a
// version, so that every version must be known, not only the best.
func constrains(deps []Dependent) bool {
	for _, d := range deps {
		if d.Req.Specifier.Len() > 0 {
			return true
		}
	}
	return false
}

func candidateFile(c *pypi.Candidate) CandidateFile {
	f := CandidateFile{
		Filename: c.File.Filename,
		URL:      c.File.URL,
		SHA256:   c.File.Hashes["sha256"],
		Size:     c.File.Size,
		Uploaded: c.Uploaded,
	}
	if c.File.CoreMetadata {
		f.MetadataURL = c.File.URL + ".metadata"
		f.MetadataSHA256 = c.File.CoreMetadataHashes["sha256"]
	}
	return f
}

// skipReason says why a distribution must not be looked up, or "".
func skipReason(d Dist) string {
	switch {
	case d.Editable:
		return "editable install"
	case d.DirectURL != nil && d.DirectURL.VCS != "":
		return "installed from " + d.DirectURL.VCS + " (VCS)"
	case d.DirectURL != nil && d.DirectURL.Dir:
		return "installed from a local directory"
	}
	return ""
}

// selectDists applies the request's names and exclusions. Requested names
// that are not installed come back in missing.
func selectDists(dists []Dist, r ScanRequest) (kept []Dist, missing []string) {
	exclude := make(map[string]bool, len(r.Exclude))
	for _, n := range r.Exclude {
		exclude[pypi.Normalize(n)] = true
	}
	var want map[string]string
	if len(r.Packages) > 0 {
		want = make(map[string]string, len(r.Packages))
		for _, n := range r.Packages {
			want[pypi.Normalize(n)] = n
		}
	}
	seen := make(map[string]bool)
	for _, d := range dists {
		if exclude[d.Canonical] || (want != nil && want[d.Canonical] == "") {
			continue
		}
		seen[d.Canonical] = true
		kept = append(kept, d)
	}
	for c, n := range want {
		if !seen[c] && !exclude[c] {
			missing = append(missing, n)
		}
	}
	return kept, missing
}

// BumpOf classifies the step from installed to latest (latest > installed).
func BumpOf(installed, latest pep440.Version) Bump {
	if latest.IsPrerelease() {
		return BumpPre
	}
	if installed.Epoch() != latest.Epoch() {
		return BumpMajor
	}
	switch releaseDiff(installed, latest) {
	case 0:
		return BumpMajor
	case 1:
		return BumpMinor
	}
	return BumpPatch
}

// releaseDiff is the index of the first release number in which a and b
// differ, a missing number counting as 0 (1.0 and 1.0.0 are the same
// release); -1 when none does. BumpOf and sameSeries both read it.
func releaseDiff(a, b pep440.Version) int {
	ra, rb := a.Release(), b.Release()
	for i := range max(len(ra), len(rb)) {
		x, y := "0", "0"
		if i < len(ra) {
			x = ra[i]
		}
		if i < len(rb) {
			y = rb[i]
		}
		if x != y {
			return i
		}
	}
	return -1
}
