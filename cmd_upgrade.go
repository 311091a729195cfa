package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// changeFlags are the flags of the commands that change an environment.
type changeFlags struct {
	yes, dryRun, breakSystem bool
	timeout                  time.Duration
	batchSize                int
	installer                string
	jobs                     int
	noCompile                bool
	timings                  bool
}

func (c *changeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.yes, "yes", false, "do not ask for confirmation")
	fs.BoolVar(&c.yes, "y", false, "short for --yes")
	fs.BoolVar(&c.dryRun, "dry-run", false, "show what would change, change nothing")
	fs.BoolVar(&c.breakSystem, "break-system-packages", false, "allow changing an externally-managed (PEP 668) environment")
	fs.IntVar(&c.batchSize, "batch-size", 0, "packages per pip run (`N`; default 10 for the first run, then "+itoa(pip.DefaultBatchSize)+")")
	fs.DurationVar(&c.timeout, "timeout", 0, "bound one pip run to `D`, a duration such as 10m (default: no bound)")
	fs.StringVar(&c.installer, "installer", pip.InstallerNative, "`HOW` to install wheels: native (pipup writes them, in parallel, each atomically) or pip (the environment's pip, in batches)")
	fs.IntVar(&c.jobs, "jobs", 0, "packages installed at once by the native installer (`N`; default: one per CPU)")
	fs.BoolVar(&c.noCompile, "no-compile", false, "do not byte-compile the installed .py files (as pip's --no-compile)")
	fs.BoolVar(&c.timings, "timings", false, "print where the time went (download, install, compile, pip check) after the summary")
}

// check refuses flag values no command can use.
func (c *changeFlags) check() error {
	if c.installer != pip.InstallerNative && c.installer != pip.InstallerPip {
		return fmt.Errorf("--installer %q: use native or pip", c.installer)
	}
	if c.jobs < 0 {
		return fmt.Errorf("--jobs %d: use a positive number (0 means one per CPU)", c.jobs)
	}
	return nil
}

func (c *changeFlags) options(ef *envFlags) pip.UpgradeOptions {
	return pip.UpgradeOptions{
		Concurrency:         ef.concurrency,
		Timeout:             c.timeout,
		DryRun:              c.dryRun,
		BreakSystemPackages: c.breakSystem,
		BatchSize:           c.batchSize,
		Installer:           c.installer,
		Jobs:                c.jobs,
		NoCompile:           c.noCompile,
	}
}

// planFlags choose what an upgrade plan aims for.
type planFlags struct{ latest, forceLatest bool }

func (p *planFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&p.latest, "latest", false, "aim at the latest versions, also upgrading the installed packages whose newer versions allow them; what would still break a package goes as far as it allows")
	fs.BoolVar(&p.forceLatest, "force-latest", false, "upgrade to the latest versions even where an installed package's requirement excludes them (each such conflict is listed)")
}

func (p *planFlags) options() pip.PlanOptions {
	return pip.PlanOptions{Latest: p.latest, ForceLatest: p.forceLatest}
}

// runUpgrade is `pipup upgrade`: scan, show the plan, confirm, upgrade.
func runUpgrade(sig *interrupts, args []string, io stdio) int {
	start := time.Now()
	fs := flag.NewFlagSet("pipup upgrade", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	var cf changeFlags
	ef.register(fs)
	cf.register(fs)
	all := fs.Bool("all", false, "upgrade every outdated package")
	var pf planFlags
	pf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup upgrade [PKG...] [--all] [--yes] [--dry-run] [flags]\n\nUpgrade the named packages (or --all outdated ones) to the newest versions on the index that\nthe installed packages' requirements allow. Before anything is installed, the whole environment\nafter the upgrade is checked: new requirements add upgrades or installs, a version that would\nbreak an installed package is lowered or left out, and each adjustment is printed.\n--latest also upgrades the packages holding others back where their newer versions allow it;\n--force-latest installs the latest versions regardless and lists what that breaks.\n\nFlags:")
		fs.PrintDefaults()
	}
	pkgs, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if err := cf.check(); err != nil {
		fmt.Fprintln(io.err, "pipup upgrade: "+err.Error())
		return exitUsage
	}
	if *all == (len(pkgs) > 0) {
		fmt.Fprintln(io.err, "pipup upgrade: name the packages to upgrade, or pass --all (not both)")
		return exitUsage
	}
	env, err := pip.Open(sig.ctx, ef.optionsFor("install"))
	if err != nil {
		return fail(io, sig, err)
	}
	if in := env.Interp; in.ExternallyManaged != "" && !cf.breakSystem {
		// Refuse before the scan: nothing will change, so do not make the user wait.
		fmt.Fprintf(io.err, "pipup: %s is externally managed (PEP 668): %s\npipup: nothing was changed; --break-system-packages overrides this\n",
			in.Prefix, strings.Join(strings.Fields(in.ExternallyManagedError), " "))
		return exitFailed
	}
	res := collect(env.Scan(sig.ctx, pip.ScanRequest{Packages: pkgs, Exclude: ef.exclude}), progressWriter(io.err))
	if sig.interrupted() {
		fmt.Fprintln(io.err, "pipup: interrupted; nothing was changed")
		return exitInterrupted
	}
	if res.done.Err != nil {
		return fail(io, sig, res.done.Err)
	}
	for _, f := range res.failed {
		fmt.Fprintf(io.err, "pipup: could not check %s: %s\n", f.Name, oneLine(pypi.RedactURL(f.Err.Error())))
	}
	var chosen []pip.PackageChecked
	for _, c := range res.checked {
		if c.Outdated() {
			chosen = append(chosen, c)
		} else if len(pkgs) > 0 {
			fmt.Fprintf(io.err, "%s %s is up to date\n", c.Name, c.Version)
		}
	}
	var outdated []pip.PackageChecked
	if len(chosen) > 0 {
		plan, err := env.PlanUpgrade(sig.ctx, chosen, pf.options())
		if err != nil {
			if sig.interrupted() {
				fmt.Fprintln(io.err, "pipup: interrupted; nothing was changed")
				return exitInterrupted
			}
			return fail(io, sig, err)
		}
		printPlanNotes(io.err, plan)
		outdated = plan.Packages
	}
	if len(pkgs) > 0 {
		for _, s := range res.skipped {
			fmt.Fprintf(io.err, "skipped %s: %s\n", s.Name, s.Reason)
		}
	}
	scanFailed := len(res.failed) > 0 || (len(pkgs) > 0 && len(res.skipped) > 0)
	if len(outdated) == 0 {
		fmt.Fprintln(io.err, "Nothing to upgrade.")
		if scanFailed {
			return exitFailed
		}
		return exitOK
	}
	p := &printer{io: io, title: "upgraded", start: start, timings: cf.timings}
	p.plan(outdatedPlan(outdated))
	if cf.dryRun {
		p.dryRun(outdatedPlan(outdated))
		return exitOK
	}
	if c, ok := confirm(io, cf.yes, fmt.Sprintf("Upgrade %s?", plural(len(outdated), "package")), func() { p.showPlan(outdatedPlan(outdated)) }); !ok {
		return c
	}
	code = p.follow(sig, env.Upgrade(sig.ctx, outdated, cf.options(&ef)))
	if code == exitOK && scanFailed {
		code = exitFailed
	}
	return code
}

func outdatedPlan(pkgs []pip.PackageChecked) []pip.PlannedUpgrade {
	out := make([]pip.PlannedUpgrade, len(pkgs))
	for i, c := range pkgs {
		out[i] = pip.PlannedUpgrade{Name: c.Name, From: c.Version, To: c.Latest}
	}
	return out
}

// runUndo is `pipup undo`: restore the versions the last upgrade replaced.
func runUndo(sig *interrupts, args []string, io stdio) int {
	start := time.Now()
	fs := flag.NewFlagSet("pipup undo", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	var cf changeFlags
	ef.register(fs)
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup undo [--yes] [--dry-run] [flags]\n\nRestore the exact versions the last pipup upgrade replaced, and remove what it added.\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if err := cf.check(); err != nil {
		fmt.Fprintln(io.err, "pipup undo: "+err.Error())
		return exitUsage
	}
	if len(rest) > 0 {
		fmt.Fprintf(io.err, "pipup undo: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	env, err := pip.Open(sig.ctx, ef.optionsFor("install"))
	if err != nil {
		return fail(io, sig, err)
	}
	o := cf.options(&ef)
	dry := o
	dry.DryRun = true
	var plan []pip.PlannedUpgrade
	for ev := range env.Undo(sig.ctx, dry) {
		switch ev := ev.(type) {
		case pip.UpgradeStarted:
			plan = ev.Packages
		case pip.UpgradeDone:
			if ev.Err != nil {
				return fail(io, sig, ev.Err)
			}
		}
	}
	p := &printer{io: io, title: "restored", start: start, timings: cf.timings}
	if len(plan) == 0 {
		fmt.Fprintln(io.err, "The environment already has the versions of the last snapshot.")
		for range env.Undo(sig.ctx, o) { // marks the snapshot undone
		}
		return exitOK
	}
	p.plan(plan)
	if cf.dryRun {
		p.dryRun(plan)
		return exitOK
	}
	if c, ok := confirm(io, cf.yes, fmt.Sprintf("Restore %s?", plural(len(plan), "package")), func() { p.showPlan(plan) }); !ok {
		return c
	}
	return p.follow(sig, env.Undo(sig.ctx, o))
}

// runHistory is `pipup history`: the snapshots of the environment.
func runHistory(sig *interrupts, args []string, io stdio) int {
	fs := flag.NewFlagSet("pipup history", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	ef.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup history [flags]\n\nList the snapshots pipup saved before each upgrade of the environment, newest first.\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(io.err, "pipup history: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	env, err := pip.Open(sig.ctx, ef.options())
	if err != nil {
		return fail(io, sig, err)
	}
	snaps, err := pip.History("", env.Interp)
	if err != nil {
		return fail(io, sig, err)
	}
	if len(snaps) == 0 {
		fmt.Fprintf(io.err, "No snapshots for %s yet.\n", env.Interp.Prefix)
		return exitOK
	}
	for _, s := range snaps {
		state := ""
		switch {
		case s.UndoneAt != nil:
			state = " (undone " + s.UndoneAt.Local().Format("2006-01-02 15:04") + ")"
		case !s.Finished:
			state = " (run did not finish)"
		}
		what := s.Describe()
		if what == "" {
			what = fmt.Sprintf("planned %s", plural(len(s.Planned), "upgrade"))
		}
		fmt.Fprintf(io.out, "%s  %s%s\n", s.Created.Local().Format("2006-01-02 15:04:05"), what, state)
	}
	return exitOK
}

// confirm shows the plan and asks once on a terminal. Without a terminal
// and without --yes it refuses, since nobody can answer.
func confirm(io stdio, yes bool, question string, showPlan func()) (code int, ok bool) {
	if yes {
		return 0, true
	}
	f, isFile := io.in.(*os.File)
	if !isFile || !isatty.IsTerminal(f.Fd()) {
		fmt.Fprintln(io.err, "pipup: not a terminal, so not asking: pass --yes to go ahead (or --dry-run to look)")
		return exitUsage, false
	}
	showPlan()
	fmt.Fprintf(io.err, "%s [y/N] ", question)
	line, _ := bufio.NewReader(io.in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return 0, true
	}
	fmt.Fprintln(io.err, "Nothing was changed.")
	return exitOK, false
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printer prints an upgrade's results as they complete.
type printer struct {
	timings  bool // --timings: print UpgradeDone.Phases
	io       stdio
	start    time.Time // the command's start: the summary's time includes the scan
	title    string    // status word for success: "upgraded" or "restored"
	w        [3]int    // column widths
	progress io.Writer

	mu         sync.Mutex
	installing map[string]bool
	finishing  []string // the pip run UpgradeCancelling named
	lastLine   time.Time
}

func (p *printer) plan(plan []pip.PlannedUpgrade) {
	p.w = [3]int{len("Package"), len("From"), len("To")}
	for _, u := range plan {
		p.w[0] = max(p.w[0], len(u.Name))
		p.w[1] = max(p.w[1], len(u.From))
		p.w[2] = max(p.w[2], len(u.To))
	}
	p.progress = progressWriter(p.io.err)
}

func (p *printer) row(name, from, to, status string) {
	p.clearProgress()
	fmt.Fprintf(p.io.out, "%-*s  %-*s  %-*s  %s\n", p.w[0], name, p.w[1], from, p.w[2], to, status)
}

func (p *printer) header() { p.row("Package", "From", "To", "Status") }

func (p *printer) dryRun(plan []pip.PlannedUpgrade) {
	p.planRows(plan, "would be ")
	fmt.Fprintf(p.io.err, "%s; dry run: nothing was changed\n", plural(len(plan), "package"))
}

// showPlan lists what is about to change, before the question.
func (p *printer) showPlan(plan []pip.PlannedUpgrade) { p.planRows(plan, "to be ") }

func (p *printer) planRows(plan []pip.PlannedUpgrade, prefix string) {
	p.header()
	for _, u := range plan {
		from, to, status := u.From, u.To, prefix+p.title
		switch {
		case to == "":
			to, status = "-", prefix+"removed"
		case from == "":
			from, status = "-", prefix+"installed"
		}
		p.row(u.Name, from, to, status)
	}
}

// follow drains the events, prints them and returns the exit code.
func (p *printer) follow(sig *interrupts, events <-chan pip.UpgradeEvent) int {
	p.installing = map[string]bool{}
	sig.setRepeat(p.onRepeat)
	defer sig.setRepeat(nil)
	p.header()
	var done pip.UpgradeDone
	downloaded, total := 0, 0
	for ev := range events {
		switch ev := ev.(type) {
		case pip.UpgradeStarted:
			total = len(ev.Packages)
		case pip.UpgradeProgress:
			p.mu.Lock()
			if ev.Stage == pip.StageInstalling {
				p.installing[ev.Name] = true
			}
			if ev.Stage == pip.StageVerifying {
				downloaded++
			}
			p.mu.Unlock()
			p.showProgress(downloaded, total)
		case pip.PackageUpgraded:
			p.settle(ev.Name)
			from, to, status := ev.From, ev.To, p.title
			switch {
			case to == "":
				to, status = "-", "removed"
			case from == "":
				from, status = "-", "installed"
			}
			p.row(ev.Name, from, to, status)
		case pip.UpgradeFailed:
			p.settle(ev.Name)
			from := ev.From
			if from == "" {
				from = "-"
			}
			p.row(ev.Name, from, ev.To, "failed: "+oneLine(pypi.RedactURL(ev.Reason)))
		case pip.UpgradeSkipped:
			p.settle(ev.Name)
			p.row(ev.Name, "", "", "skipped: "+oneLine(ev.Reason))
		case pip.UpgradeCancelling:
			p.mu.Lock()
			p.finishing = ev.Installing
			p.mu.Unlock()
			p.clearProgress()
			if len(ev.Installing) > 0 {
				fmt.Fprintf(p.io.err, "pipup: interrupted: letting the pip run in progress finish (%s); no new install starts\n", strings.Join(ev.Installing, ", "))
			} else if len(ev.Native) > 0 {
				fmt.Fprintf(p.io.err, "pipup: interrupted: rolling back what is being installed (%s); no new install starts\n", strings.Join(ev.Native, ", "))
			} else {
				fmt.Fprintln(p.io.err, "pipup: interrupted: stopping")
			}
		case pip.UpgradeDone:
			done = ev
		}
	}
	p.clearProgress()
	p.summary(done)
	switch {
	case done.Cancelled:
		return exitInterrupted
	case done.Err != nil || done.Failed > 0:
		return exitFailed
	}
	return exitOK
}

func (p *printer) settle(name string) {
	p.mu.Lock()
	delete(p.installing, name)
	p.mu.Unlock()
}

func (p *printer) summary(d pip.UpgradeDone) {
	w := p.io.err
	fmt.Fprintf(w, "%d %s, %d failed, %d skipped in %.1f s\n", d.Upgraded, p.title, d.Failed, d.Skipped, time.Since(p.start).Seconds())
	if p.timings && len(d.Phases) > 0 {
		parts := make([]string, len(d.Phases))
		for i, ph := range d.Phases {
			parts[i] = fmt.Sprintf("%s %.2f s", ph.Name, ph.Took.Seconds())
		}
		fmt.Fprintln(w, "timings: "+strings.Join(parts, ", "))
	}
	if d.PipCheckOK != nil {
		if *d.PipCheckOK {
			fmt.Fprintln(w, "pip check: no new broken requirements")
		} else {
			fmt.Fprintln(w, "pip check found broken requirements:")
		}
		for _, l := range strings.Split(d.PipCheck, "\n") {
			if l != "" {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}
	if d.Err != nil {
		msg := pypi.RedactURL(d.Err.Error())
		if errors.Is(d.Err, pip.ErrNothingToUndo) {
			msg = d.Err.Error()
		}
		fmt.Fprintf(w, "pipup: %s\n", msg)
	}
	if d.Cancelled {
		fmt.Fprintln(w, "pipup: interrupted; every package above is at the version shown, the others are unchanged")
	}
	if d.UndoCommand != "" {
		fmt.Fprintf(w, "To undo: %s\n", d.UndoCommand)
	}
}

// onRepeat answers the second and later Ctrl-C.
func (p *printer) onRepeat(n int) {
	p.mu.Lock()
	names := append([]string(nil), p.finishing...)
	if len(names) == 0 {
		for k := range p.installing {
			names = append(names, k)
		}
	}
	p.mu.Unlock()
	if len(names) == 0 || n >= 3 {
		if len(names) > 0 {
			fmt.Fprintf(p.io.err, "\npipup: quitting; pip goes on in the background and finishes installing %s\n", strings.Join(names, ", "))
		}
		os.Exit(exitInterrupted)
	}
	sort.Strings(names)
	fmt.Fprintf(p.io.err, "\npipup: still finishing the install of %s (stopping pip mid-install would break the environment); press Ctrl-C again to quit now and let pip finish in the background\n", strings.Join(names, ", "))
}

func (p *printer) showProgress(downloaded, total int) {
	if p.progress == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.lastLine) < 100*time.Millisecond {
		return
	}
	p.lastLine = time.Now()
	msg := fmt.Sprintf("downloaded %d/%d", downloaded, total)
	if n := len(p.installing); n > 0 {
		msg += fmt.Sprintf(", installing %s", plural(n, "package"))
	}
	fmt.Fprintf(p.progress, "\r\033[K%s", msg)
}

func (p *printer) clearProgress() {
	if p.progress != nil {
		fmt.Fprint(p.progress, "\r\033[K")
	}
}
