package main

import (
	"fmt"
	"time"

	"github.com/pipup/pipup/pip"
	flag "github.com/spf13/pflag"
)

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
		printFlags(fs)
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
	// An environment undo will refuse to change (PEP 668) is not written
	// to by the recovery either.
	refused := env.Interp.ExternallyManaged != "" && !cf.breakSystem
	if err := settleInterrupted(env, cf.dryRun || refused, io); err != nil {
		return fail(io, sig, err)
	}
	o := cf.options(&ef)
	// Planned once: the real run carries out exactly the plan shown and
	// confirmed, not a new one made after the question.
	up, err := env.PlanUndo(o)
	if err != nil {
		return fail(io, sig, err)
	}
	plan := up.Packages
	p := &printer{io: io, title: "restored", start: start, timings: cf.timings}
	if len(plan) == 0 {
		fmt.Fprintln(io.err, "The environment already has the versions of the last snapshot.")
		for range env.RunUndo(sig.ctx, up, o) { // marks the snapshot undone (not in a dry run)
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
	return p.follow(sig, env.RunUndo(sig.ctx, up, o))
}

// runHistory is `pipup history`: the snapshots of the environment.
func runHistory(sig *interrupts, args []string, io stdio) int {
	fs := flag.NewFlagSet("pipup history", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	ef.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup history [flags]\n\nList the snapshots pipup saved before each upgrade of the environment, newest first.\n\nFlags:")
		printFlags(fs)
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
	snaps, err := env.History()
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
