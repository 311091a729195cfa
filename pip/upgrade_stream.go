package pip

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// streamInstall downloads the plan's files and installs each wheel
// natively as soon as it is verified, rather than after the last download:
// on a slow index the installs overlap the downloads. Packages are
// admitted in plan order, so two that write a same file still go in plan
// order; a source archive holds the ones after it until it is built, which
// happens once every download has ended. The undo snapshot is saved (and
// the pip check before taken) when the first package is admitted, before
// anything is installed. It returns the snapshot, nil when nothing could
// be installed.
func (u *upgrader) streamInstall(plan []*planItem, planned []PlannedUpgrade, dists []Dist, preCheck <-chan pipCheckResult) (snap *Snapshot, before pipCheckResult) {
	deps := newDependencyView(dists, plan, u.e.Interp.Markers)
	arrivals := make(chan *planItem, len(plan))
	var download time.Duration
	go func() {
		t0 := time.Now()
		u.fetchAll(plan, func(it *planItem) {
			if deps.arrive(it) {
				arrivals <- it
			}
		})
		// Whatever fetchAll did not hand over (cancelled, or failed
		// without a file) has arrived too, as far as anyone waits.
		for _, it := range plan {
			deps.arrive(it)
		}
		download = time.Since(t0)
		close(arrivals)
	}()

	pos := make(map[*planItem]int, len(plan))
	for i, it := range plan {
		pos[it] = i
	}
	got := make([]bool, len(plan))
	next := 0
	var r *nativeRun
	var t0 time.Time
	refused := "" // why nothing more can be installed
	for it := range arrivals {
		got[pos[it]] = true
		for ; next < len(plan) && got[next]; next++ {
			it := plan[next]
			if it.finished || u.ctx.Err() != nil {
				continue // failed to fetch, or reported as not started at the end
			}
			if r == nil && refused == "" {
				t0 = time.Now()
				snap, before, r, refused = u.startStream(planned, dists, deps, preCheck)
			}
			if refused != "" {
				u.fail(it, refused)
				continue
			}
			r.admit(it)
		}
	}
	u.sum.Phases = append(u.sum.Phases, Phase{Name: "download", Took: download})
	if r != nil {
		r.finish()
		u.sum.Phases = append(u.sum.Phases, Phase{Name: "install", Took: time.Since(t0)})
	}
	return snap, before
}

// startStream is what happens before the first install of a streamed
// upgrade: pip check's view of the environment before, the snapshot an
// undo goes back to, and the native run (an interrupted earlier install
// was recovered before dists were read). refused says why nothing can be
// installed.
func (u *upgrader) startStream(planned []PlannedUpgrade, dists []Dist, deps *dependencyView, preCheck <-chan pipCheckResult) (snap *Snapshot, before pipCheckResult, r *nativeRun, refused string) {
	// pip check must not read the environment while it changes.
	before = <-preCheck
	snap = newSnapshot(u.e.Interp, dists, planned)
	if err := snap.save(u.stateDir()); err != nil {
		u.sum.Err = fmt.Errorf("%w (nothing was changed: pipup does not upgrade without a snapshot to undo to)", err)
		return nil, before, nil, "no snapshot could be saved"
	}
	return snap, before, u.startNative(dists, deps), ""
}

// dependencyView answers, for a streamed wheel, whether pip must fetch
// some of its requirements from the indexes (as markDependencies does
// once every download is in): what is installed, with the plan's packages
// at their new versions once their files have arrived.
type dependencyView struct {
	markers map[string]string
	arrived map[string]chan struct{} // the plan's packages: closed when their file is in, or never will be

	mu        sync.Mutex
	installed map[string]string // canonical name -> version
}

func newDependencyView(dists []Dist, plan []*planItem, markers map[string]string) *dependencyView {
	v := &dependencyView{markers: markers, arrived: make(map[string]chan struct{}, len(plan)), installed: make(map[string]string, len(dists)+len(plan))}
	for _, d := range dists {
		v.installed[d.Canonical] = d.Version
	}
	for _, it := range plan {
		v.arrived[it.canonical] = make(chan struct{})
	}
	return v
}

// arrive records that it's file is in (a wheel, ready to install) or
// never will be (it failed; cancelled). It reports whether this call was
// the first for it.
func (v *dependencyView) arrive(it *planItem) bool {
	ch := v.arrived[it.canonical]
	v.mu.Lock()
	defer v.mu.Unlock()
	select {
	case <-ch:
		return false
	default:
	}
	if !it.finished && it.file != "" {
		v.installed[it.canonical] = it.to
	}
	close(ch)
	return true
}

// check waits until the plan's packages that it requires have arrived,
// then says what of reqs the environment would lack (needsIndex).
func (v *dependencyView) check(ctx context.Context, it *planItem, reqs []string) (string, bool) {
	for _, name := range it.requires {
		ch, ok := v.arrived[name]
		if !ok || name == it.canonical {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return "", false
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return needsIndex(reqs, v.markers, v.installed)
}

// readRequires reads a wheel's Requires-Dist and notes the projects they
// name in it.requires; nil for a file that is no wheel or cannot be read
// (its install, or pip, says what is wrong with it).
func (u *upgrader) readRequires(it *planItem) []string {
	if !strings.HasSuffix(strings.ToLower(it.file), ".whl") {
		return nil
	}
	reqs, err := u.wheelRequires(it.file)
	if err != nil {
		return nil
	}
	it.requires = requiredNames(reqs)
	return reqs
}
