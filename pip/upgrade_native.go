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
					u.installOne(it, target, installed[it.canonical], compiler, u.wheels.take(it.file))
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
// by file: the dependency check reads METADATA from one, overlapChains
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

// overlapChains groups the items into chains that share no file: items
// writing a common path (a namespace package's __init__.py that two
// distributions both ship, a script name two projects both claim) land in
// one chain, in plan order, so they never install at the same time. A
// wheel that cannot be read forms its own chain (its install fails with
// the reason). The wheels it reads stay open for their installs (see
// openWheels).
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
		w, keep, err := u.wheels.open(it.file)
		if err != nil {
			continue
		}
		dests, err := w.Destinations(target)
		if !keep {
			w.Close()
		}
		if err != nil {
			u.wheels.drop(it.file) // its install reopens it and says why
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
