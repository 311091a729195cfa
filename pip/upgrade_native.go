package pip

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pipup/pipup/pip/installer"
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
	r, err := u.startNative(dists, nil)
	if err != nil {
		u.failAll(items, err.Error())
		return
	}
	for _, it := range items {
		r.admit(it)
	}
	r.finish()
}

// startNative readies a native run over dists: an interrupted earlier
// install is recovered first. deps, when set, decides each wheel's
// dependency check as it is admitted (the upgrade's downloads are still
// arriving); nil means the caller has marked needsIndex already.
func (u *upgrader) startNative(dists []Dist, deps *dependencyView) (*nativeRun, error) {
	// A run killed mid-install left a journal: finish or undo it before
	// relying on what is installed.
	recovered, err := installer.Recover(u.e.Interp.Prefix)
	if err != nil {
		return nil, errors.New("an interrupted earlier install could not be recovered: " + err.Error())
	}
	if len(recovered) > 0 {
		// The recovery changed the environment: read it again (only
		// then, as reading every installed distribution is not free).
		if dists, err = InstalledDists(u.e.Interp); err != nil {
			return nil, errors.New("read installed packages: " + err.Error())
		}
	}
	r := &nativeRun{u: u, deps: deps, owner: map[string]chan struct{}{}, slots: make(chan struct{}, u.jobs())}
	r.format = make(map[string]string, len(dists))
	r.installed = make(map[string]Dist, len(dists))
	for _, d := range dists {
		if within(u.e.Interp.Prefix, d.Path) {
			r.format[d.Canonical] = d.Format
		}
		r.installed[d.Canonical] = d
	}
	r.target, r.targetErr = u.e.Interp.InstallTarget()
	if r.targetErr == nil {
		env := u.environ()
		// As pip (and the compiler processes, started in env) see it.
		lookup := environMap(env)
		r.target.Getenv = func(k string) (string, bool) { v, ok := lookup[k]; return v, ok }
		r.compiler = installer.NewCompiler(r.target.Python, u.jobs(), env)
	}
	return r, nil
}

// nativeRun installs wheels as they are admitted, in parallel, at most
// jobs at a time, replacing the versions installed before. Two packages
// that would write the same file go one after the other, in the order
// they were admitted (pip would overwrite the first one's file with the
// second's; so does this). Packages that need pip are kept for finish.
// On cancel, packages being installed commit or roll back, and the rest
// are not started.
type nativeRun struct {
	u         *upgrader
	deps      *dependencyView
	format    map[string]string // canonical -> installed format, inside the environment
	installed map[string]Dist
	target    installer.Target
	targetErr error
	compiler  *installer.Compiler
	slots     chan struct{}

	// owner maps each destination path to the done channel of the last
	// admitted package writing it: the next one waits for it.
	owner map[string]chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	viaPip []*planItem
}

// admit classifies it and, for a wheel to install natively, starts its
// install once the packages admitted before it that write a same file
// are done. Called from one goroutine, in the order installs should go.
func (r *nativeRun) admit(it *planItem) {
	u := r.u
	if it.finished || u.ctx.Err() != nil {
		return // reported already, or reported as not started at the end
	}
	f := r.format[it.canonical]
	switch {
	case f != "" && f != "dist-info":
		// Only pip knows how to remove an egg-info or egg install.
		if !u.hasPip() {
			u.fail(it, u.noPipReason("it is installed as "+f+": replacing it"))
			return
		}
		r.toPip(it)
		return
	case r.deps == nil && it.needsIndex != "" && u.canUseIndex():
		if !u.hasPip() {
			u.fail(it, u.noPipReason("it "+it.needsIndex+" from the indexes"))
			return
		}
		r.toPip(it)
		return
	case !strings.HasSuffix(strings.ToLower(it.file), ".whl"):
		if !u.hasPip() {
			u.fail(it, u.noPipReason("there is no wheel to install"))
			return
		}
		r.toPip(it)
		return
	case r.targetErr != nil:
		u.fail(it, r.targetErr.Error())
		return
	}
	var preds []chan struct{}
	done := make(chan struct{})
	if w, err := installer.OpenWheel(it.file); err == nil {
		// A wheel that cannot be read waits for nobody: its install fails
		// with the reason.
		dests, err := w.Destinations(r.target)
		w.Close()
		if err == nil {
			seen := map[chan struct{}]bool{}
			for _, d := range dests {
				if p, ok := r.owner[d]; ok && p != done && !seen[p] { // a wheel may name a path twice (its RECORD)
					seen[p] = true
					preds = append(preds, p)
				}
				r.owner[d] = done
			}
		}
	}
	var reqs []string
	if r.deps != nil {
		reqs, _ = wheelRequires(it.file) // a bad file: the install says what is wrong
		it.requires = requiredNames(reqs)
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(done)
		if r.deps != nil {
			// Decide whether pip must fetch dependencies only once the
			// plan's packages it requires have finished downloading.
			why, ok := r.deps.check(u.ctx, it, reqs)
			if ok && u.canUseIndex() {
				it.needsIndex = why
				if !u.hasPip() {
					u.fail(it, u.noPipReason("it "+why+" from the indexes"))
					return
				}
				r.toPip(it)
				return
			}
		}
		for _, p := range preds {
			select {
			case <-p:
			case <-u.ctx.Done():
				return
			}
		}
		select {
		case r.slots <- struct{}{}:
		case <-u.ctx.Done():
			return
		}
		defer func() { <-r.slots }()
		if u.ctx.Err() != nil {
			return
		}
		u.installOne(it, r.target, r.installed[it.canonical], r.compiler)
	}()
}

func (r *nativeRun) toPip(it *planItem) {
	r.mu.Lock()
	r.viaPip = append(r.viaPip, it)
	r.mu.Unlock()
}

// finish waits for the native installs, then installs with pip what
// needs it, in the order admitted.
func (r *nativeRun) finish() {
	r.wg.Wait()
	if r.compiler != nil {
		r.compiler.Close()
	}
	if len(r.viaPip) > 0 && r.u.ctx.Err() == nil {
		r.u.install(r.viaPip)
	}
}

// installOne installs one wheel and reports the outcome. A cancel during
// it rolls it back (or, past its commit point, lets it finish).
func (u *upgrader) installOne(it *planItem, target installer.Target, old Dist, c *installer.Compiler) {
	u.markInstalling(it.name, true)
	defer u.markInstalling(it.name, false)
	u.send(UpgradeProgress{Name: it.name, Stage: StageInstalling})
	opts := installer.Options{Compiler: c, Requested: true, NoCompile: u.o.NoCompile}
	if old.Format == "dist-info" && within(target.Root, old.Path) {
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
		u.fail(it, redactText(err.Error()))
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

// errNoPip is the preflight's complaint when pip is missing and the run
// would need it for everything.
var errNoPip = errors.New("pip is not installed")

func (u *upgrader) pipMissing() error {
	in := u.e.Interp
	return fmt.Errorf("%w for %s: --installer pip installs with the environment's own pip (%s -m ensurepip adds it)", errNoPip, in.Executable, in.Executable)
}

// within reports whether p is dir or below it, lexically.
func within(dir, p string) bool {
	if dir == "" || p == "" {
		return false
	}
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
