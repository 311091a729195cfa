package pip

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipup/pipup/pypi/pep440"
)

// DefaultBatchSize is how many packages one pip run installs. Measured
// (docs/BENCHMARKS.md, "Upgrade"): a pip run costs ~1.4 s to start plus
// ~0.08-0.11 s per small package. 50 keeps pip's start-up to about a
// quarter of a run while one run stays around 5 s, which is how long a
// Ctrl-C (which lets the run in progress finish) may have to wait.
const DefaultBatchSize = 50

// firstBatchSize is the size of the first pip run when no batch size is
// set: small, so that the first results show within a couple of seconds.
const firstBatchSize = 10

// UpgradeOptions tunes an upgrade or an undo.
type UpgradeOptions struct {
	Concurrency int           // downloads in flight; 0 = the Env's index concurrency
	Timeout     time.Duration // bounds one pip run; 0 = no bound
	DryRun      bool          // plan and report, change nothing
	// BreakSystemPackages allows changing an externally-managed (PEP 668)
	// environment, like pip's flag of that name.
	BreakSystemPackages bool
	StateDir            string // snapshots; "" = the Env's StateDir
	// BatchSize is the number of packages per pip run; 0 = firstBatchSize
	// for the first run, DefaultBatchSize after it.
	BatchSize int
	// Installer is InstallerNative ("" means it too) or InstallerPip.
	Installer string
	// Jobs bounds the packages installed at once natively; 0 = one per CPU.
	Jobs int
	// NoCompile skips byte-compiling the installed .py files (pip's
	// --no-compile), with either installer.
	NoCompile bool
}

// planItem is one package of a run.
type planItem struct {
	name, canonical string
	from, to        string
	cand            CandidateFile
	file            string   // the verified file in the run's find-links directory
	needsIndex      string   // why the install needs the indexes ("" = it does not)
	requires        []string // canonical names the new version's metadata requires
	finished        bool     // an outcome was reported
}

// upgrader runs one Upgrade or Undo.
type upgrader struct {
	e      *Env
	o      UpgradeOptions
	ctx    context.Context
	events *sender[UpgradeEvent]
	work   string // private directory: wheels/, tmp/, logs/
	// workLock holds work's lock file for the run, so that a sweep by
	// another pipup leaves the folder alone (workdirs.go).
	workLock interface{ Close() error }
	items    []*planItem // the packages being installed
	sum      UpgradeDone

	sumMu sync.Mutex // guards sum and planItem.finished: native installs report in parallel
	// compileNanos sums the native installs' byte-compilation time.
	compileNanos atomic.Int64
	// wheels are the downloaded wheels opened once for the run.
	wheels openWheels

	mu         sync.Mutex
	installing []string // packages of the pip run in progress
	native     []string // packages being installed natively
	cancelSent bool
	runs       int // pip runs started, for log names
}

// Upgrade installs the packages at their Target versions and sends
// events on the returned channel, which is closed after UpgradeDone.
// Cancelling ctx stops downloads at once and starts no new pip run; a pip
// run in progress is left to finish, so every package ends at its old or
// its new version.
func (e *Env) Upgrade(ctx context.Context, pkgs []Upgrade, o UpgradeOptions) <-chan UpgradeEvent {
	out := make(chan UpgradeEvent, 64)
	go func() {
		defer close(out)
		// Whatever it changed, the next reading is fresh.
		defer e.forgetDists()
		u := &upgrader{e: e, o: o, ctx: ctx, events: newSender(ctx, out)}
		u.finish(u.upgrade(pkgs))
	}()
	return out
}

func (u *upgrader) send(ev UpgradeEvent) { u.events.send(ev) }

// watchCancel sends UpgradeCancelling once ctx is cancelled, naming the
// packages of the pip run being finished. The returned func stops it.
func (u *upgrader) watchCancel() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-u.ctx.Done():
			u.sendCancelling()
		case <-done:
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (u *upgrader) sendCancelling() {
	u.mu.Lock()
	if u.cancelSent {
		u.mu.Unlock()
		return
	}
	u.cancelSent = true
	inst := append([]string(nil), u.installing...)
	native := append([]string(nil), u.native...)
	u.mu.Unlock()
	u.send(UpgradeCancelling{Installing: inst, Native: native})
}

// finish sends the summary.
func (u *upgrader) finish(start time.Time) {
	if u.ctx.Err() != nil {
		u.sendCancelling()
		u.sum.Cancelled = true
	}
	u.sum.Elapsed = time.Since(start)
	if !u.o.DryRun {
		u.e.TrimCache()
		// Run folders a killed pipup left, as the HTTP cache's temp files
		// are swept: best effort, never a live run's.
		SweepWorkDirs(u.workBase(), WorkDirMaxAge, time.Now())
	}
	u.send(u.sum)
}

// preflight refuses the whole run when the environment must not be
// changed, or cannot be by pipup.
func (u *upgrader) preflight() error {
	in := u.e.Interp
	if in == nil {
		return errors.New("no interpreter")
	}
	if in.ExternallyManaged != "" && !u.o.BreakSystemPackages {
		msg := strings.Join(strings.Fields(in.ExternallyManagedError), " ")
		if msg == "" {
			msg = "This environment is externally managed"
		}
		return fmt.Errorf("%s is externally managed (PEP 668): %s (nothing was changed; --break-system-packages overrides this)", in.Prefix, msg)
	}
	if err := u.e.ensureScheme(u.ctx); err != nil {
		return err
	}
	if in.PipVersion == "" && !u.nativeMode() {
		return u.pipMissing()
	}
	return nil
}

func (u *upgrader) upgrade(pkgs []Upgrade) time.Time {
	start := time.Now()
	if err := u.preflight(); err != nil {
		u.sum.Err = err
		return start
	}
	if err := u.recoverFirst(); err != nil {
		u.sum.Err = err
		return start
	}
	// What the scan and the plan read, unless the environment changed
	// since (a recovery forgets it).
	dists, err := u.e.installedDists()
	if err != nil {
		u.sum.Err = fmt.Errorf("read installed packages: %w", err)
		return start
	}
	plan, skipped := planUpgrade(pkgs, dists)
	planned := make([]PlannedUpgrade, len(plan))
	for i, it := range plan {
		planned[i] = PlannedUpgrade{Name: it.name, From: it.from, To: it.to}
	}
	u.send(UpgradeStarted{Packages: planned})
	for _, s := range skipped {
		u.skip(s.Name, s.Reason)
	}
	if u.o.DryRun || len(plan) == 0 {
		return start
	}
	for _, it := range plan {
		u.send(UpgradeProgress{Name: it.name, Stage: StageQueued})
	}
	stopWatch := u.watchCancel()
	defer stopWatch()

	if err := u.makeWorkDir(); err != nil {
		u.sum.Err = err
		u.failAll(plan, err.Error())
		return start
	}
	defer u.removeWorkDir()
	defer u.wheels.closeRest()

	preCheck := make(chan pipCheckResult, 1)
	go func() { preCheck <- u.pipCheck(dists) }() // without pip: a result that did not run

	var snap *Snapshot
	var before pipCheckResult
	if u.nativeMode() {
		snap, before = u.streamInstall(plan, planned, dists, preCheck)
	} else {
		snap, before = u.fetchThenInstall(plan, planned, dists, preCheck)
	}
	u.compilePhase()
	u.skipUnfinished(plan, "cancelled before it was installed")
	if snap == nil {
		return start
	}

	u.e.forgetDists() // installed: the stamps may not show it yet
	after, err := u.e.installedDists()
	if err == nil {
		snap.Changes = diffDists(snap.Before, after)
		snap.Finished = true
		if err := snap.save(u.stateDir()); err != nil && u.sum.Err == nil {
			u.sum.Err = err
		}
	}
	if snap.Finished && len(snap.Changes) == 0 {
		// Nothing to undo: do not list a run that changed nothing.
		os.Remove(snap.Path())
	}
	if len(snap.Changes) > 0 {
		u.sum.UndoCommand = "pipup undo --python " + shellQuote(u.e.Interp.Executable)
	}
	if u.ctx.Err() == nil && len(snap.Changes) > 0 {
		t0 := time.Now()
		u.reportPipCheck(before, u.pipCheck(after))
		u.phase("pip check", t0)
	}
	return start
}

// fetchThenInstall downloads every file, then installs with pip. It
// returns the snapshot, nil when nothing could be installed.
func (u *upgrader) fetchThenInstall(plan []*planItem, planned []PlannedUpgrade, dists []Dist, preCheck <-chan pipCheckResult) (*Snapshot, pipCheckResult) {
	t0 := time.Now()
	u.fetchAll(plan, nil)
	u.phase("download", t0)
	// pip check must not read the environment while pip changes it.
	before := <-preCheck
	if u.ctx.Err() != nil {
		return nil, before
	}
	var ready []*planItem
	for _, it := range plan {
		if !it.finished {
			ready = append(ready, it)
		}
	}
	if len(ready) == 0 {
		return nil, before
	}
	snap := newSnapshot(u.e.Interp, dists, planned)
	if err := snap.save(u.stateDir()); err != nil {
		u.sum.Err = fmt.Errorf("%w (nothing was changed: pipup does not upgrade without a snapshot to undo to)", err)
		u.failAll(ready, "no snapshot could be saved")
		return nil, before
	}
	u.markDependencies(ready, dists)
	t0 = time.Now()
	u.install(ready)
	u.phase("install", t0)
	return snap, before
}

// planUpgrade turns the chosen upgrades into the run's packages, refusing
// what must not be upgraded.
func planUpgrade(pkgs []Upgrade, dists []Dist) (plan []*planItem, skipped []UpgradeSkipped) {
	byName := make(map[string]Dist, len(dists))
	for _, d := range dists {
		byName[d.Canonical] = d
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		c := canonicalName(p.Name)
		if seen[c] {
			continue
		}
		seen[c] = true
		d, ok := byName[c]
		if !ok && p.Bump == BumpNew && p.Target != "" && p.Candidate.URL != "" {
			// A new dependency the plan added: installed like the others.
			plan = append(plan, &planItem{name: p.Name, canonical: c, to: p.Target, cand: p.Candidate})
			continue
		}
		reason := ""
		switch {
		case !ok:
			reason = "not installed"
		case d.Editable:
			reason = "editable install: upgrade it from its source"
		case d.DirectURL != nil && d.DirectURL.VCS != "":
			reason = "installed from " + d.DirectURL.VCS + " (VCS): upgrade it from its repository"
		case d.DirectURL != nil && d.DirectURL.Dir:
			reason = "installed from a local directory"
		case d.DirectURL != nil:
			reason = "installed from a direct URL"
		case !d.HasRecord:
			reason = "no RECORD file (not installed by pip): pip cannot uninstall it safely"
		case p.Target == "" || p.Candidate.URL == "":
			reason = "no file to install on the index"
		case !newer(p.Target, d.Version):
			reason = "already up to date"
		}
		if reason != "" {
			skipped = append(skipped, UpgradeSkipped{Name: displayName(p.Name, d), Reason: reason})
			continue
		}
		plan = append(plan, &planItem{name: d.Name, canonical: c, from: d.Version, to: p.Target, cand: p.Candidate})
	}
	sort.Slice(plan, func(i, j int) bool { return plan[i].canonical < plan[j].canonical })
	return plan, skipped
}

func displayName(scanned string, d Dist) string {
	if d.Name != "" {
		return d.Name
	}
	return scanned
}

// newer reports whether version a is later than b (by string when either
// is not a PEP 440 version).
func newer(a, b string) bool {
	va, err1 := pep440.Parse(a)
	vb, err2 := pep440.Parse(b)
	if err1 != nil || err2 != nil {
		return a != b
	}
	return va.Compare(vb) > 0
}

// sameVersion compares versions as PEP 440 does ("2.0" == "2.0.0").
func sameVersion(a, b string) bool {
	va, err1 := pep440.Parse(a)
	vb, err2 := pep440.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return va.Equal(vb)
}

func (u *upgrader) stateDir() string {
	if u.o.StateDir != "" {
		return u.o.StateDir
	}
	if u.e.StateDir != "" {
		return u.e.StateDir
	}
	return filepath.Join(u.e.tempDir, "pipup-state")
}

// environ is what pip runs with: the Env's, as Open resolved it.
func (u *upgrader) environ() []string { return u.e.environ }

// phase records how long a part of the run took since start.
func (u *upgrader) phase(name string, start time.Time) {
	u.sum.Phases = append(u.sum.Phases, Phase{Name: name, Took: time.Since(start)})
}

// compilePhase records the native installs' byte-compilation time, summed
// (they overlap, so it is no span of the run), when there was any.
func (u *upgrader) compilePhase() {
	if c := u.compileNanos.Load(); c > 0 {
		u.sum.Phases = append(u.sum.Phases, Phase{Name: "compile", Took: time.Duration(c)})
	}
}

func (u *upgrader) skip(name, reason string) {
	u.sumMu.Lock()
	u.sum.Skipped++
	u.sumMu.Unlock()
	u.send(UpgradeSkipped{Name: name, Reason: reason})
}

// settle gives it its outcome, counted in *n, once: it reports whether
// this call did (the caller then sends the event). Native installs
// report in parallel.
func (u *upgrader) settle(it *planItem, n *int) bool {
	u.sumMu.Lock()
	defer u.sumMu.Unlock()
	if it.finished {
		return false
	}
	it.finished = true
	*n++
	return true
}

// skipItem is skip for a package of the plan, once.
func (u *upgrader) skipItem(it *planItem, reason string) {
	if u.settle(it, &u.sum.Skipped) {
		u.send(UpgradeSkipped{Name: it.name, Reason: reason})
	}
}

func (u *upgrader) fail(it *planItem, reason string) {
	if u.settle(it, &u.sum.Failed) {
		u.send(UpgradeFailed{Name: it.name, From: it.from, To: it.to, Reason: reason})
	}
}

func (u *upgrader) succeed(it *planItem) {
	if u.settle(it, &u.sum.Upgraded) {
		u.send(PackageUpgraded{Name: it.name, From: it.from, To: it.to})
	}
}

func (u *upgrader) failAll(items []*planItem, reason string) {
	for _, it := range items {
		u.fail(it, reason)
	}
}

func (u *upgrader) skipUnfinished(items []*planItem, reason string) {
	for _, it := range items {
		if !it.finished {
			it.finished = true
			u.skip(it.name, reason)
		}
	}
}

// markDependencies runs the dependency pre-check on the downloaded wheels,
// every one of them in hand (the streamed upgrade checks each as it comes,
// through the same dependencyView).
func (u *upgrader) markDependencies(items []*planItem, dists []Dist) {
	v := newDependencyView(dists, items, u.e.Interp.Markers)
	for _, it := range items {
		v.arrive(it)
	}
	for _, it := range items {
		if reqs := u.readRequires(it); reqs != nil {
			if why, ok := v.check(u.ctx, it, reqs); ok {
				it.needsIndex = why
			}
		}
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
