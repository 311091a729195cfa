package pip

import (
	"bytes"
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
	r := u.startNative(dists, nil)
	for _, it := range items {
		r.admit(it)
	}
	r.finish()
}

// startNative readies a native run over dists. An interrupted earlier
// install was recovered before dists were read (recoverFirst), so they
// show every distribution whole. deps, when set, decides each wheel's
// dependency check as it is admitted (the upgrade's downloads are still
// arriving); nil means the caller has marked needsIndex already.
func (u *upgrader) startNative(dists []Dist, deps *dependencyView) *nativeRun {
	r := &nativeRun{u: u, deps: deps, owner: map[string]chan struct{}{}, slots: make(chan struct{}, u.jobs()), seq: map[*planItem]int{}}
	r.format = make(map[string]string, len(dists))
	r.installed = make(map[string]Dist, len(dists))
	for _, d := range dists {
		if installer.Within(u.e.Interp.Prefix, d.Path) {
			r.format[d.Canonical] = d.Format
		}
		r.installed[d.Canonical] = d
	}
	r.target, r.targetErr = u.e.Interp.InstallTarget()
	if r.targetErr == nil {
		env := u.environ()
		// As pip (and the compiler processes, started in env) see it.
		r.target.Getenv = parseEnviron(env).get
		r.compiler = installer.NewCompiler(r.target.Python, u.jobs(), env)
	}
	return r
}

// nativeRun installs wheels as they are admitted, in parallel, at most
// jobs at a time, replacing the versions installed before. Two packages
// that would write the same file (a namespace package's __init__.py that
// two distributions both ship, a script name two projects both claim) go
// one after the other, in the order they were admitted: pip would
// overwrite the first one's file with the second's; so does this.
// Packages that need pip are kept for finish. On cancel, packages being
// installed commit or roll back, and the rest are not started.
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
	seq   map[*planItem]int // admission order
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
	r.seq[it] = len(r.seq)
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
	var reqs []string
	if r.deps != nil {
		reqs = u.readRequires(it)
	}
	done := make(chan struct{})
	preds := r.predecessors(it, done)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(done)
		if r.deps != nil {
			// Whether pip must fetch dependencies is decided once the
			// plan's packages this one requires have finished downloading.
			if why, ok := r.deps.check(u.ctx, it, reqs); ok && u.canUseIndex() {
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
		u.installOne(it, r.target, r.installed[it.canonical], r.compiler, u.wheels.take(it.file))
	}()
}

// predecessors are the done channels of the packages admitted before it
// that write one of its files; it becomes those files' owner. A wheel
// that cannot be read waits for nobody: its install fails with the
// reason. The wheel read stays open for the install (see openWheels).
func (r *nativeRun) predecessors(it *planItem, done chan struct{}) []chan struct{} {
	w, keep, err := r.u.wheels.open(it.file)
	if err != nil {
		return nil
	}
	dests, err := w.Destinations(r.target)
	if !keep {
		w.Close()
	}
	if err != nil {
		r.u.wheels.drop(it.file) // its install reopens it and says why
		return nil
	}
	var preds []chan struct{}
	seen := map[chan struct{}]bool{done: true} // a wheel may name a path twice (its RECORD)
	for _, d := range dests {
		if p, ok := r.owner[d]; ok && !seen[p] {
			seen[p] = true
			preds = append(preds, p)
		}
		r.owner[d] = done
	}
	return preds
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
	sort.SliceStable(r.viaPip, func(i, j int) bool { return r.seq[r.viaPip[i]] < r.seq[r.viaPip[j]] })
	if len(r.viaPip) > 0 && r.u.ctx.Err() == nil {
		r.u.install(r.viaPip)
	}
}

// installOne installs one wheel and reports the outcome. A cancel during
// it rolls it back (or, past its commit point, lets it finish). w is the
// wheel opened earlier in the run (nil: Install opens it); installOne
// closes it.
func (u *upgrader) installOne(it *planItem, target installer.Target, old Dist, c *installer.Compiler, w *installer.Wheel) {
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
	var err error
	if w != nil {
		_, err = installer.InstallWheel(u.ctx, target, w, opts)
		w.Close()
	} else {
		_, err = installer.Install(u.ctx, target, it.file, opts)
	}
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

// maxOpenWheels bounds the wheels a run keeps open between reading them
// and installing them (openWheels). Each holds a file descriptor and its
// parsed central directory: a couple of hundred are nothing, but a run of
// thousands could meet the descriptor limit, which this process shares
// with its index connections and compile processes (and a soft limit of
// 256, macOS's default, is common where the runtime does not raise it).
// Wheels past the bound are closed and opened again where needed: one
// more read of an archive's directory and RECORD, not a failed install.
const maxOpenWheels = 200

// openWheels are the wheels of a run opened by the installer's reader,
// by file: the dependency check reads METADATA from one, nativeRun
// its Destinations, and its install takes it (take), so each archive is
// opened and its directory and RECORD parsed once. What no install took
// is closed at the end of the run (closeRest). At most maxOpenWheels are
// kept; the rest are opened where needed.
type openWheels struct {
	mu sync.Mutex
	m  map[string]*installer.Wheel
}

// open returns the wheel at path, opened now or earlier. keep reports
// whether it is kept for later (else the caller closes it).
func (o *openWheels) open(path string) (w *installer.Wheel, keep bool, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if w := o.m[path]; w != nil {
		return w, true, nil
	}
	w, err = installer.OpenWheel(path)
	if err != nil {
		return nil, false, err
	}
	if len(o.m) >= maxOpenWheels {
		return w, false, nil
	}
	if o.m == nil {
		o.m = map[string]*installer.Wheel{}
	}
	o.m[path] = w
	return w, true, nil
}

// take hands over the opened wheel at path, nil when there is none; the
// caller closes it.
func (o *openWheels) take(path string) *installer.Wheel {
	o.mu.Lock()
	defer o.mu.Unlock()
	w := o.m[path]
	delete(o.m, path)
	return w
}

// drop closes the wheel at path if it is open.
func (o *openWheels) drop(path string) {
	if w := o.take(path); w != nil {
		w.Close()
	}
}

// closeRest closes the wheels no install took (a cancelled run, a
// package that went to pip).
func (o *openWheels) closeRest() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for path, w := range o.m {
		w.Close()
		delete(o.m, path)
	}
}

// wheelRequires reads Requires-Dist of a downloaded wheel: in a native run
// through the installer's reader, keeping the wheel open for its install;
// else, or when that reader refuses the wheel (the install will then fail
// with the reason, or pip will), with the plain zip reader.
func (u *upgrader) wheelRequires(path string) ([]string, error) {
	if u.nativeMode() {
		if w, keep, err := u.wheels.open(path); err == nil {
			b, err := w.Metadata()
			if !keep {
				w.Close()
			}
			if err == nil {
				if md, err := ParseMetadata(bytes.NewReader(b)); err == nil {
					return md.RequiresDist, nil
				}
			}
		}
	}
	return wheelRequires(path)
}

// errNoPip is the preflight's complaint when pip is missing and the run
// would need it for everything.
var errNoPip = errors.New("pip is not installed")

func (u *upgrader) pipMissing() error {
	in := u.e.Interp
	return fmt.Errorf("%w for %s: --installer pip installs with the environment's own pip (%s -m ensurepip adds it)", errNoPip, in.Executable, in.Executable)
}
