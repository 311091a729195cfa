package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"

	"github.com/pipup/pipup/model"
	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// nonInteractiveHint follows `pipup list` output when pipup is not run on a
// terminal.
const nonInteractiveHint = "pipup: not a terminal, so no interactive UI; to upgrade non-interactively run `pipup upgrade --all --yes` (or name the packages)"

// runInteractive is `pipup` without a subcommand: the terminal UI when
// standard output is a terminal. Off a terminal there is nothing to pick
// with: a flag that only means something for an upgrade (--all, --yes,
// --latest, --dry-run, ...) makes it `pipup upgrade` with the same
// arguments, so `pipup --all --yes` in a script upgrades, and `pipup
// --latest` says what is missing; otherwise it is `pipup list` and a hint.
func runInteractive(sig *interrupts, args []string, io stdio) int {
	if !isTerminal(io.out) {
		if upgradeFlagIn(args) {
			return runUpgrade(sig, args, io)
		}
		code := runList(sig, args, io)
		fmt.Fprintln(io.err, nonInteractiveHint)
		return code
	}
	fs := flag.NewFlagSet("pipup", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	var cf changeFlags // --yes is accepted and moot: the UI asks once
	var pf planFlags
	ef.register(fs)
	cf.register(fs)
	pf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup [PKG...] [flags]\n\nCheck the installed packages, pick the ones to upgrade and upgrade them.\n\nFlags:")
		printFlags(fs)
	}
	pkgs, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if err := cf.check(); err != nil {
		fmt.Fprintln(io.err, "pipup: "+err.Error())
		return exitUsage
	}

	// Later signals (the first cancels sig.ctx) reach the UI as more
	// Ctrl-Cs, so a second one does not kill pipup with the terminal raw.
	later := make(chan struct{}, 4)
	sig.setRepeat(func(int) {
		select {
		case later <- struct{}{}:
		default:
		}
	})
	defer sig.setRepeat(nil)

	code, err := model.Run(sig.ctx, uiEngines(ef, cf, pf, pkgs), model.Target{Python: ef.python},
		model.Options{Interrupts: later}, uiInput(io.in), io.out)
	if err != nil {
		fmt.Fprintf(io.err, "pipup: %s\n", pypi.RedactURL(err.Error()))
	}
	return code
}

// upgradeFlagIn reports whether args hold a flag of `pipup upgrade` that
// `pipup list` lacks, typed as parseArgs reads it: --name, -name, or a
// shorthand alone or in a cluster (-y, -yf DIR). The flag sets are the
// commands' own, so a flag added to upgrade is covered without a list here.
func upgradeFlagIn(args []string) bool {
	upgrade := flag.NewFlagSet("upgrade", flag.ContinueOnError)
	var ef envFlags
	var cf changeFlags
	var pf planFlags
	ef.register(upgrade)
	cf.register(upgrade)
	pf.register(upgrade)
	allFlag(upgrade)
	list := flag.NewFlagSet("list", flag.ContinueOnError)
	var lf envFlags
	lf.register(list)
	listOnlyFlags(list)
	upgradeOnly := func(f *flag.Flag) bool { return list.Lookup(f.Name) == nil }
	// A flag takes a value unless pflag gives it one when none is typed
	// (booleans); that value may be the next argument, which then is no flag.
	takesValue := func(f *flag.Flag) bool { return f.NoOptDefVal == "" }
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := upgrade.Lookup(name); f != nil { // --name, or -name as singleDashLong reads it
			if upgradeOnly(f) {
				return true
			}
			if takesValue(f) && !hasValue {
				i++
			}
			continue
		}
		if a[1] == '-' {
			continue
		}
		// Shorthands up to the first that takes a value (the rest of the
		// cluster, else the next argument, is that value); one byte at a
		// time, as pflag reads them.
		for j := 1; j < len(a); j++ {
			f := upgrade.ShorthandLookup(a[j : j+1])
			if f == nil {
				break
			}
			if upgradeOnly(f) {
				return true
			}
			if takesValue(f) {
				if j == len(a)-1 {
					i++
				}
				break
			}
		}
	}
	return false
}

// uiEngines wires the real engines. The environment is opened by the UI
// (so its first frame does not wait for Python) and shared by the engines
// it starts afterwards.
func uiEngines(ef envFlags, cf changeFlags, pf planFlags, pkgs []string) model.Engines {
	var env atomic.Pointer[pip.Env]
	e := model.Engines{
		Open: func(ctx context.Context) (model.Target, error) {
			opened, err := pip.Open(ctx, ef.optionsFor("install"))
			if err != nil {
				return model.Target{}, err
			}
			// The UI upgrades: an interrupted install is recovered before
			// its scan reads the environment (not with --dry-run).
			if !cf.dryRun {
				if _, err := opened.Recover(); err != nil {
					return model.Target{}, err
				}
			}
			env.Store(opened)
			return targetOf(opened, cf.breakSystem), nil
		},
		Scan: func(ctx context.Context) <-chan pip.ScanEvent {
			return env.Load().Scan(ctx, pip.ScanRequest{Packages: pkgs, Exclude: ef.exclude})
		},
		Details: func(ctx context.Context, p pip.PackageChecked) (model.Details, error) {
			return uiDetails(ctx, env.Load(), p)
		},
		Plan: func(ctx context.Context, chosen []pip.Upgrade) (*pip.Plan, error) {
			return env.Load().PlanUpgrade(ctx, chosen, pf.options())
		},
		Ignore:   uiIgnore,
		Unignore: uiUnignore,
		Upgrade: func(ctx context.Context, chosen []pip.Upgrade) <-chan pip.UpgradeEvent {
			return env.Load().Upgrade(ctx, chosen, cf.options(&ef))
		},
	}
	return e
}

// targetOf describes an opened environment for the confirm screen; an
// externally-managed one is refused there unless --break-system-packages.
func targetOf(e *pip.Env, breakSystem bool) model.Target {
	t := model.Target{Python: e.Interp.Executable, InVenv: e.Interp.InVenv}
	if e.Interp.ExternallyManaged != "" && !breakSystem {
		t.ExternallyManaged = e.Interp.ExternallyManagedError
		if t.ExternallyManaged == "" {
			t.ExternallyManaged = "The environment is marked as externally managed by " + e.Interp.ExternallyManaged
		}
	}
	return t
}

// uiInput is nil for a file, so that Bubble Tea reads standard input when
// it is a terminal and opens the terminal when it is not (pipup < list.txt).
func uiInput(r io.Reader) io.Reader {
	if _, isFile := r.(*os.File); isFile {
		return nil
	}
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// uiDetails hands the engine's details of the row's latest version to the
// UI (the engine decides what to show; the UI has its own copy of the type
// so that it keeps no engine state).
func uiDetails(ctx context.Context, env *pip.Env, p pip.PackageChecked) (model.Details, error) {
	if env == nil {
		return model.Details{}, nil
	}
	d, err := env.Details(ctx, p.Name, p.Latest, p.Candidate)
	if err != nil {
		return model.Details{}, err
	}
	out := model.Details{Summary: d.Summary}
	for _, l := range d.Links {
		out.Links = append(out.Links, model.Link{Label: l.Label, URL: l.URL})
	}
	return out, nil
}
