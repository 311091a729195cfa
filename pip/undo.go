package pip

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrNothingToUndo is UpgradeDone.Err of an Undo when the environment has
// no snapshot left to restore.
var ErrNothingToUndo = errors.New("nothing to undo: pipup has no upgrade snapshot of this environment that is not undone yet")

// LastSnapshot is the newest snapshot of the environment not yet undone,
// or nil. stateDir "" means the Env's StateDir.
func (e *Env) LastSnapshot(stateDir string) (*Snapshot, error) {
	if stateDir == "" {
		stateDir = e.StateDir
	}
	snaps, err := e.snapshots(stateDir)
	if err != nil {
		return nil, err
	}
	for i := range snaps {
		if snaps[i].UndoneAt == nil {
			return &snaps[i], nil
		}
	}
	return nil, nil
}

// UndoPlan is what an undo will do, planned once: the plan shown to the
// user is the one RunUndo carries out, however long the confirmation took.
type UndoPlan struct {
	// Snapshot is the snapshot restored, marked undone once it is.
	Snapshot *Snapshot
	// Packages are the rows to show: each package restored (From the
	// version installed when planned, To the snapshot's), then each one
	// removed (To "").
	Packages []PlannedUpgrade

	restore, remove []planItem
	// dists is the environment as planned; nil once handed out, as the
	// install must then read where each package's files are now.
	dists []Dist
}

// PlanUndo plans the restoring of the last snapshot, changing nothing but
// recovering an interrupted install first (unless o.DryRun). Its error is
// ErrNothingToUndo when there is no snapshot left to restore, or why the
// environment must not be changed (as Undo's UpgradeDone.Err).
func (e *Env) PlanUndo(o UpgradeOptions) (*UndoPlan, error) {
	u := &upgrader{e: e, o: o}
	p, err := u.planUndo()
	if p != nil {
		p.dists = nil
	}
	return p, err
}

// Undo restores the last snapshot: every package the upgrade changed goes
// back to its exact old version (from the indexes, or pip's cache), and
// packages the upgrade added are removed. It sends the same events as
// Upgrade; with DryRun it only sends the plan. It is PlanUndo and RunUndo
// in one.
func (e *Env) Undo(ctx context.Context, o UpgradeOptions) <-chan UpgradeEvent {
	return e.runUndo(ctx, nil, o)
}

// RunUndo carries out plan, from PlanUndo: exactly its packages, to its
// versions, whatever the environment or the snapshots show now. It sends
// the same events as Undo, UpgradeStarted listing plan.Packages.
func (e *Env) RunUndo(ctx context.Context, plan *UndoPlan, o UpgradeOptions) <-chan UpgradeEvent {
	if plan == nil {
		plan = &UndoPlan{} // restores nothing, marks nothing
	}
	return e.runUndo(ctx, plan, o)
}

func (e *Env) runUndo(ctx context.Context, plan *UndoPlan, o UpgradeOptions) <-chan UpgradeEvent {
	out := make(chan UpgradeEvent, 64)
	go func() {
		defer close(out)
		defer e.forgetDists() // whatever it changed, the next reading is fresh
		u := &upgrader{e: e, o: o, ctx: ctx, events: newSender(ctx, out)}
		u.finish(u.undo(plan))
	}()
	return out
}

// planUndo reads the last snapshot and the environment, once.
func (u *upgrader) planUndo() (*UndoPlan, error) {
	if err := u.preflight(); err != nil {
		return nil, err
	}
	if err := u.recoverFirst(); err != nil {
		return nil, err
	}
	snap, err := u.e.LastSnapshot(u.stateDir())
	if err != nil {
		return nil, err
	}
	if snap == nil {
		return nil, ErrNothingToUndo
	}
	now, err := InstalledDists(u.e.Interp)
	if err != nil {
		return nil, fmt.Errorf("read installed packages: %w", err)
	}
	restore, remove := undoPlan(snap, now)
	p := &UndoPlan{Snapshot: snap, dists: now}
	for _, it := range restore {
		p.restore = append(p.restore, *it)
		p.Packages = append(p.Packages, PlannedUpgrade{Name: it.name, From: it.from, To: it.to})
	}
	for _, it := range remove {
		p.remove = append(p.remove, *it)
		p.Packages = append(p.Packages, PlannedUpgrade{Name: it.name, From: it.from})
	}
	return p, nil
}

// undo carries out plan, or (nil) plans and carries out at once.
func (u *upgrader) undo(plan *UndoPlan) time.Time {
	start := time.Now()
	if plan == nil {
		var err error
		if plan, err = u.planUndo(); err != nil {
			u.sum.Err = err
			return start
		}
	} else if err := u.preflight(); err != nil {
		u.sum.Err = err
		return start
	}
	u.send(UpgradeStarted{Packages: plan.Packages})
	if u.o.DryRun {
		return start
	}
	if plan.Snapshot == nil {
		return start
	}
	if len(plan.Packages) == 0 {
		u.markUndone(plan.Snapshot)
		return start
	}
	// Fresh items: a run marks them as it goes.
	restore, remove := make([]*planItem, len(plan.restore)), make([]*planItem, len(plan.remove))
	for i := range plan.restore {
		it := plan.restore[i]
		restore[i] = &it
	}
	for i := range plan.remove {
		it := plan.remove[i]
		remove[i] = &it
	}
	now := plan.dists
	if now == nil {
		// Planned earlier: what to restore is fixed, but where each
		// package's files are is read now (the user may have taken minutes
		// to confirm, and installs replace the files that are there).
		if err := u.recoverFirst(); err != nil {
			u.sum.Err = err
			return start
		}
		var err error
		if now, err = InstalledDists(u.e.Interp); err != nil {
			u.sum.Err = fmt.Errorf("read installed packages: %w", err)
			return start
		}
	}
	for _, p := range plan.Packages {
		u.send(UpgradeProgress{Name: p.Name, Stage: StageQueued})
	}
	stopWatch := u.watchCancel()
	defer stopWatch()
	if err := u.makeWorkDir(); err != nil {
		u.sum.Err = err
		return start
	}
	defer u.removeWorkDir()
	defer u.wheels.closeRest()

	t0 := time.Now()
	u.undoFiles(restore, now)
	u.phase("download", t0)
	t0 = time.Now()
	u.installAny(restore, now)
	if u.ctx.Err() == nil && len(remove) > 0 {
		u.uninstallAny(remove)
	}
	u.phase("install", t0)
	u.compilePhase()
	u.skipUnfinished(restore, "cancelled before it was restored")
	u.skipUnfinished(remove, "cancelled before it was removed")
	if u.sum.Failed == 0 && u.sum.Skipped == 0 && u.sum.Err == nil {
		u.markUndone(plan.Snapshot)
	}
	if u.ctx.Err() == nil && u.sum.Upgraded > 0 {
		t0 = time.Now()
		u.reportPipCheck(pipCheckResult{}, u.pipCheck(nil))
		u.phase("pip check", t0)
	}
	return start
}

// undoPlan compares the snapshot with the environment now. A snapshot
// whose run recorded its changes restores those; one whose run was cut
// short restores every difference from the versions before it.
func undoPlan(s *Snapshot, now []Dist) (restore, remove []*planItem) {
	changes := s.Changes
	if !s.Finished {
		changes = diffDists(s.Before, now)
	}
	cur := make(map[string]Dist, len(now))
	for _, d := range now {
		cur[d.Canonical] = d
	}
	for _, c := range changes {
		name := canonicalName(c.Name)
		d, installed := cur[name]
		switch {
		case c.From == "" && installed:
			remove = append(remove, &planItem{name: d.Name, canonical: name, from: d.Version})
		case c.From != "" && (!installed || !sameVersion(d.Version, c.From)):
			it := &planItem{name: c.Name, canonical: name, to: c.From}
			if installed {
				it.name, it.from = d.Name, d.Version
			}
			restore = append(restore, it)
		}
	}
	sort.Slice(restore, func(i, j int) bool { return restore[i].canonical < restore[j].canonical })
	sort.Slice(remove, func(i, j int) bool { return remove[i].canonical < remove[j].canonical })
	return restore, remove
}

// uninstall removes the packages an upgrade added, in one pip run.
func (u *upgrader) uninstall(items []*planItem) {
	args := append([]string{"uninstall", "--yes"}, u.breakSystemArgs()...)
	var names []string
	for _, it := range items {
		names = append(names, it.name)
		u.send(UpgradeProgress{Name: it.name, Stage: StageInstalling})
	}
	u.mu.Lock()
	u.installing = names
	u.mu.Unlock()
	res := runPip(u.pipCmd(append(args, names...), false, false), u.ctx.Done())
	u.mu.Lock()
	u.installing = nil
	u.mu.Unlock()
	now, err := InstalledDists(u.e.Interp)
	if err != nil {
		u.failAll(items, "cannot read the environment after pip ran: "+err.Error())
		return
	}
	left := map[string]bool{}
	for _, d := range now {
		left[d.Canonical] = true
	}
	for _, it := range items {
		if left[it.canonical] {
			reason := "pip uninstall did not remove it"
			if !res.ok() {
				reason = pipError(res.output)
			}
			u.fail(it, reason)
		} else {
			u.succeed(it)
		}
	}
}

func (u *upgrader) markUndone(s *Snapshot) {
	t := time.Now().UTC()
	s.UndoneAt = &t
	if err := s.save(u.stateDir()); err != nil && u.sum.Err == nil {
		u.sum.Err = fmt.Errorf("restored, but could not mark the snapshot undone: %w", err)
	}
}

// Describe is a one-line summary of a snapshot for listings.
func (s *Snapshot) Describe() string {
	var parts []string
	for _, c := range s.Changes {
		switch {
		case c.From == "":
			parts = append(parts, c.Name+" (new "+c.To+")")
		case c.To == "":
			parts = append(parts, c.Name+" (removed)")
		default:
			parts = append(parts, c.Name+" "+c.From+" → "+c.To)
		}
	}
	return strings.Join(parts, ", ")
}
