package pip

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pypi"
)

// Installer names, for UpgradeOptions.Installer and --installer.
const (
	// InstallerNative writes wheels with package installer: every package
	// in parallel, each one atomic, no pip process. The default.
	InstallerNative = "native"
	// InstallerPip installs with the environment's pip, in batches.
	InstallerPip = "pip"
)

// nativeMode reports whether the run installs wheels itself.
func (u *upgrader) nativeMode() bool { return u.o.Installer != InstallerPip }

func (u *upgrader) hasPip() bool { return u.e.Interp != nil && u.e.Interp.PipVersion != "" }

func (u *upgrader) jobs() int {
	if u.o.Jobs > 0 {
		return u.o.Jobs
	}
	return max(1, runtime.NumCPU())
}

// noPipReason is why a package that needs pip fails in an environment
// without it. pipup never installs pip there.
func (u *upgrader) noPipReason(what string) string {
	return what + ", which needs pip, and pip is not installed in this environment (pipup does not add it; " +
		u.e.Interp.Executable + " -m ensurepip would)"
}

// installAny installs the items: wheels natively (unless --installer pip),
// the rest with pip. Packages whose dependencies must come from the
// indexes go through pip, which fetches them. dists is what the caller
// read of the environment, which nothing has changed since.
func (u *upgrader) installAny(items []*planItem, dists []Dist) {
	if !u.nativeMode() {
		u.install(items)
		return
	}
	// An interrupted earlier install was recovered before dists were
	// read (recoverFirst), so they show every distribution whole.
	format := make(map[string]string, len(dists))
	for _, d := range dists {
		if installer.Within(u.e.Interp.Prefix, d.Path) {
			format[d.Canonical] = d.Format
		}
	}
	var native, viaPip []*planItem
	for _, it := range items {
		f := format[it.canonical]
		switch {
		case it.finished:
		case f != "" && f != "dist-info":
			// Only pip knows how to remove an egg-info or egg install.
			if !u.hasPip() {
				u.fail(it, u.noPipReason("it is installed as "+f+": replacing it"))
				continue
			}
			viaPip = append(viaPip, it)
		case it.needsIndex != "" && u.canUseIndex():
			if !u.hasPip() {
				u.fail(it, u.noPipReason("it "+it.needsIndex+" from the indexes"))
				continue
			}
			viaPip = append(viaPip, it)
		case strings.HasSuffix(strings.ToLower(it.file), ".whl"):
			native = append(native, it)
		case !u.hasPip():
			u.fail(it, u.noPipReason("there is no wheel to install"))
		default:
			viaPip = append(viaPip, it)
		}
	}
	u.installNative(native, dists)
	if len(viaPip) > 0 && u.ctx.Err() == nil {
		u.install(viaPip)
	}
}

// installNative installs wheels in parallel, at most jobs at a time,
// replacing the versions in dists (as installAny has them). Two
// packages that would write the same file go one after the other (pip
// would overwrite the first one's file with the second's; so does this,
// in the plan's order). On cancel, packages being installed commit or roll
// back, and the rest are not started.
func (u *upgrader) installNative(items []*planItem, dists []Dist) {
	if len(items) == 0 || u.ctx.Err() != nil {
		return
	}
	target, err := u.e.Interp.InstallTarget()
	if err != nil {
		u.failAll(items, err.Error())
		return
	}
	env := u.environ()
	// As pip (and the compiler processes, started in env) see it.
	target.Getenv = parseEnviron(env).get
	installed := make(map[string]Dist, len(dists))
	for _, d := range dists {
		installed[d.Canonical] = d
	}

	chains := u.overlapChains(items, target)
	compiler := installer.NewCompiler(target.Python, min(u.jobs(), len(items)), env)
	defer compiler.Close()

	work := make(chan []*planItem)
	var wg sync.WaitGroup
	for range min(u.jobs(), len(chains)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chain := range work {
				for _, it := range chain {
					if u.ctx.Err() != nil {
						break // the rest of the chain is reported as not started
					}
					u.installOne(it, target, installed[it.canonical], compiler)
				}
			}
		}()
	}
	for _, c := range chains {
		if u.ctx.Err() != nil {
			break
		}
		work <- c
	}
	close(work)
	wg.Wait()
}

// installOne installs one wheel and reports the outcome. A cancel during
// it rolls it back (or, past its commit point, lets it finish).
func (u *upgrader) installOne(it *planItem, target installer.Target, old Dist, c *installer.Compiler) {
	u.markInstalling(it.name, true)
	defer u.markInstalling(it.name, false)
	u.send(UpgradeProgress{Name: it.name, Stage: StageInstalling})
	opts := installer.Options{Compiler: c, Requested: true, NoCompile: u.o.NoCompile}
	if old.Format == "dist-info" && installer.Within(target.Root, old.Path) {
		// Replaced in place. A version outside the environment (the base
		// Python's, seen through --system-site-packages) is left alone and
		// shadowed, as pip leaves it ("outside environment").
		opts.Old = old.Path
	}
	var compileStart time.Time
	opts.Progress = func(p installer.Progress) {
		switch {
		case p.Stage == installer.StageCompiling && compileStart.IsZero():
			compileStart = time.Now()
			u.send(UpgradeProgress{Name: it.name, Stage: StageCompiling})
		case p.Stage == installer.StageCommitting && !compileStart.IsZero():
			u.compileNanos.Add(int64(time.Since(compileStart)))
		}
	}
	// The install sees the run's context: cancelled, it stops before its
	// commit point and restores the old version.
	_, err := installer.Install(u.ctx, target, it.file, opts)
	switch {
	case err == nil:
		u.succeed(it)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		u.skipItem(it, "cancelled while installing: rolled back to "+orNone(it.from))
	default:
		u.fail(it, pypi.RedactURL(err.Error()))
	}
}

func (u *upgrader) markInstalling(name string, on bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if on {
		u.native = append(u.native, name)
		return
	}
	for i, n := range u.native {
		if n == name {
			u.native = append(u.native[:i], u.native[i+1:]...)
			break
		}
	}
}

// overlapChains groups the items into chains that share no file: items
// writing a common path (a namespace package's __init__.py that two
// distributions both ship, a script name two projects both claim) land in
// one chain, in plan order, so they never install at the same time. A
// wheel that cannot be read forms its own chain (its install fails with
// the reason).
func (u *upgrader) overlapChains(items []*planItem, target installer.Target) [][]*planItem {
	parent := make([]int, len(items))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, it := range items {
		w, err := installer.OpenWheel(it.file)
		if err != nil {
			continue
		}
		dests, err := w.Destinations(target)
		w.Close()
		if err != nil {
			continue
		}
		for _, d := range dests {
			if j, ok := owner[d]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[d] = i
			}
		}
	}
	groups := map[int][]*planItem{}
	var roots []int
	for i, it := range items {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], it)
	}
	sort.Ints(roots)
	out := make([][]*planItem, 0, len(roots))
	for _, r := range roots {
		out = append(out, groups[r])
	}
	return out
}

// errNoPip is the preflight's complaint when pip is missing and the run
// would need it for everything.
var errNoPip = errors.New("pip is not installed")

func (u *upgrader) pipMissing() error {
	in := u.e.Interp
	return fmt.Errorf("%w for %s: --installer pip installs with the environment's own pip (%s -m ensurepip adds it)", errNoPip, in.Executable, in.Executable)
}
