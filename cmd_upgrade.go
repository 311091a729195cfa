package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
	flag "github.com/spf13/pflag"
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
	fs.BoolVarP(&c.yes, "yes", "y", false, "do not ask for confirmation")
	fs.BoolVar(&c.dryRun, "dry-run", false, "show what would change, change nothing")
	fs.BoolVar(&c.breakSystem, "break-system-packages", false, "allow changing an externally-managed (PEP 668) environment")
	fs.IntVar(&c.batchSize, "batch-size", 0, "packages per pip run (`N`; default 10 for the first run, then "+itoa(pip.DefaultBatchSize)+")")
	fs.DurationVar(&c.timeout, "timeout", 0, "bound one pip run to `D`, a duration such as 10m (default: no bound)")
	fs.StringVar(&c.installer, "installer", pip.InstallerNative, "`HOW` to install wheels: native (pipup writes them, in parallel, each atomically) or pip (the environment's pip, in batches)")
	fs.IntVar(&c.jobs, "jobs", 0, "packages installed at once by the native installer (`N`; default: one per CPU)")
	fs.BoolVar(&c.noCompile, "no-compile", false, "do not byte-compile the installed .py files (as pip's --no-compile)")
	fs.BoolVar(&c.timings, "timings", false, "print where the time went after the summary (download, install, compile, pip check; an upgrade also times open, scan and plan)")
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

// allFlag registers pipup upgrade's --all; the completion scripts and
// upgradeFlagIn register it through here too.
func allFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("all", false, "upgrade every outdated package")
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
	all := allFlag(fs)
	var pf planFlags
	pf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup upgrade [PKG...] [--all] [--yes] [--dry-run] [flags]\n\nUpgrade the named packages (or --all outdated ones) to the newest versions on the index that\nthe installed packages' requirements allow. Before anything is installed, the whole environment\nafter the upgrade is checked: new requirements add upgrades or installs, a version that would\nbreak an installed package is lowered or left out, and each adjustment is printed.\n--latest also upgrades the packages holding others back where their newer versions allow it;\n--force-latest installs the latest versions regardless and lists what that breaks.\n\nFlags:")
		printFlags(fs)
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
	o := ef.optionsFor("install")
	o.NoVulns = true       // an upgrade does not use them, and its scan's end would wait for them
	var phases []pip.Phase // for --timings: the steps before the upgrade's own
	lap := phaseClock(&phases)
	env, err := pip.Open(sig.ctx, o)
	if err != nil {
		return fail(io, sig, err)
	}
	lap("open")
	if in := env.Interp; in.ExternallyManaged != "" && !cf.breakSystem {
		// Refuse before the scan: nothing will change, so do not make the user wait.
		fmt.Fprintf(io.err, "pipup: %s is externally managed (PEP 668): %s\npipup: nothing was changed; --break-system-packages overrides this\n",
			in.Prefix, strings.Join(strings.Fields(in.ExternallyManagedError), " "))
		return exitFailed
	}
	if err := settleInterrupted(env, cf.dryRun, io); err != nil {
		return fail(io, sig, err)
	}
	// A plan of the outdated packages follows: read what it needs during the
	// scan (the scan's time then includes those reads, the plan's less).
	res := collect(env.Scan(sig.ctx, pip.ScanRequest{Packages: pkgs, Exclude: ef.exclude, PrefetchPlan: true}), progressWriter(io.err))
	lap("scan")
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
	var chosen []pip.Upgrade
	for _, c := range res.checked {
		if c.Outdated() {
			chosen = append(chosen, c.ToLatest())
		} else if len(pkgs) > 0 {
			fmt.Fprintf(io.err, "%s %s is up to date\n", c.Name, c.Version)
		}
	}
	var outdated []pip.Upgrade
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
		lap("plan")
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
	p := &printer{io: io, title: "upgraded", start: start, timings: cf.timings, before: phases}
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

// outdatedPlan is the printer's rows for the plan's upgrades.
func outdatedPlan(pkgs []pip.Upgrade) []pip.PlannedUpgrade {
	out := make([]pip.PlannedUpgrade, len(pkgs))
	for i, u := range pkgs {
		out[i] = pip.PlannedUpgrade{Name: u.Name, From: u.From, To: u.Target}
	}
	return out
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

// phaseClock returns a function that appends, under a name, the time
// since its previous call (or since phaseClock was called).
func phaseClock(phases *[]pip.Phase) func(name string) {
	last := time.Now()
	return func(name string) {
		now := time.Now()
		*phases = append(*phases, pip.Phase{Name: name, Took: now.Sub(last)})
		last = now
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
