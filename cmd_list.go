package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	flag "github.com/spf13/pflag"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// runList is `pipup list`: the outdated packages as a table or JSON.
func runList(sig *interrupts, args []string, io stdio) int {
	fs := flag.NewFlagSet("pipup list", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	ef.register(fs)
	asJSON := fs.Bool("json", false, "print JSON (pip's keys: name, version, latest_version, latest_filetype; plus bump, summary, wanted_version, held_back_by)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup list [PKG...] [flags]\n\nList the installed packages that have a newer version on the index.\nWanted is the newest version that every installed package's requirements\nallow; when it is below Latest, the note says which package holds it back.\n\nFlags:")
		printFlags(fs)
	}
	pkgs, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	env, err := pip.Open(sig.ctx, ef.options())
	if err != nil {
		return fail(io, sig, err)
	}
	events := env.Scan(sig.ctx, pip.ScanRequest{Packages: pkgs, Exclude: ef.exclude})
	res := collect(events, progressWriter(io.err))
	if *asJSON {
		err = printJSON(io, res)
	} else {
		err = printTable(io, sig, res)
	}
	if err != nil {
		return fail(io, sig, err)
	}
	return res.exitCode(sig)
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, as users type them (pflag's interspersed parsing;
// "--" ends the flags). A long flag typed with one dash (-json, as Go's
// flag package accepted) is read as --json, so older scripts keep working.
func parseArgs(fs *flag.FlagSet, args []string) (positional []string, code int, ok bool) {
	if err := fs.Parse(singleDashLong(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK, false
		}
		fmt.Fprintf(fs.Output(), "%s: %v (see %s --help)\n", fs.Name(), err, fs.Name())
		return nil, exitUsage, false
	}
	return fs.Args(), 0, true
}

// fail prints one line for err and picks the exit code.
func fail(io stdio, sig *interrupts, err error) int {
	if sig.interrupted() {
		fmt.Fprintln(io.err, "pipup: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(io.err, "pipup: %s\n", pypi.RedactURL(err.Error()))
	return exitFailed
}

// scanResult is everything a finished scan reported.
type scanResult struct {
	checked []pip.PackageChecked
	skipped []pip.PackageSkipped
	failed  []pip.PackageFailed
	done    pip.ScanDone
}

func (r scanResult) exitCode(sig *interrupts) int {
	switch {
	case sig.interrupted():
		return exitInterrupted
	case len(r.failed) > 0 || r.done.Err != nil:
		return exitFailed
	}
	return exitOK
}

// collect drains a scan, drawing progress on w (nil = no progress).
func collect(events <-chan pip.ScanEvent, w io.Writer) scanResult {
	var r scanResult
	total, n := 0, 0
	start := time.Now()
	for ev := range events {
		switch ev := ev.(type) {
		case pip.ScanStarted:
			total = ev.Total
		case pip.PackageChecked:
			r.checked = append(r.checked, ev)
			n++
		case pip.PackageSkipped:
			r.skipped = append(r.skipped, ev)
			n++
		case pip.PackageFailed:
			r.failed = append(r.failed, ev)
			n++
		case pip.ScanDone:
			r.done = ev
		}
		if w != nil && total > 0 {
			fmt.Fprintf(w, "\r\033[Kchecking %d/%d packages (%.1fs)", n, total, time.Since(start).Seconds())
		}
	}
	if w != nil {
		fmt.Fprint(w, "\r\033[K")
	}
	byName := func(a, b string) bool { return pypi.Normalize(a) < pypi.Normalize(b) }
	sort.Slice(r.checked, func(i, j int) bool { return byName(r.checked[i].Name, r.checked[j].Name) })
	sort.Slice(r.skipped, func(i, j int) bool { return byName(r.skipped[i].Name, r.skipped[j].Name) })
	sort.Slice(r.failed, func(i, j int) bool { return byName(r.failed[i].Name, r.failed[j].Name) })
	return r
}

// progressWriter returns w when it is a terminal, else nil: progress is for
// people, never for logs.
func progressWriter(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return w
	}
	return nil
}

func printTable(io stdio, sig *interrupts, r scanResult) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	held := false
	for _, c := range r.checked {
		held = held || (c.Outdated() && c.HeldBack())
	}
	outdated := 0
	for _, c := range r.checked {
		if !c.Outdated() {
			continue
		}
		if outdated == 0 {
			fmt.Fprint(tw, "Package\tInstalled\tWanted\tLatest\tType")
			if held {
				fmt.Fprint(tw, "\tNote")
			}
			fmt.Fprintln(tw)
		}
		outdated++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s", c.Name, c.Version, c.Wanted, c.Latest, c.Bump)
		if held {
			fmt.Fprintf(tw, "\t%s", holdNote(c.HeldBackBy)+liftNote(c.Lift))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The Note column pads rows that have no note; drop that padding.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		if _, err := fmt.Fprintln(io.out, strings.TrimRight(line, " \n")); err != nil {
			return err
		}
	}
	printProblems(io.err, r, false)
	if r.done.Err != nil && !sig.interrupted() {
		fmt.Fprintf(io.err, "pipup: %s\n", oneLine(pypi.RedactURL(r.done.Err.Error())))
	}
	fmt.Fprintf(io.err, "%s\n", summaryLine(r))
	return nil
}

// holdNote says why a package is held back: `held back by boto3 1.43.11
// (botocore<1.44.0,>=1.43.11)`, dependents joined by commas.
func holdNote(holds []pip.Hold) string {
	if len(holds) == 0 {
		return ""
	}
	parts := make([]string, len(holds))
	for i, h := range holds {
		parts[i] = fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Requirement)
	}
	return "held back by " + strings.Join(parts, ", ")
}

// liftNote says which upgrades of the dependents would free the package:
// `; 2.0 with holder 2.0`.
func liftNote(l *pip.Lift) string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(l.With))
	for i, u := range l.With {
		parts[i] = u.Name + " " + u.To
	}
	return fmt.Sprintf("; %s with %s", l.To, strings.Join(parts, ", "))
}

func summaryLine(r scanResult) string {
	s := fmt.Sprintf("%d checked, %d outdated, %d skipped, %d failed in %.2fs",
		len(r.checked), r.done.Outdated, len(r.skipped), len(r.failed), r.done.Elapsed.Seconds())
	if r.done.Err != nil {
		s += " (stopped)"
	}
	return s
}

// problem is a skipped or failed package in --json mode's stderr object.
type problem struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

func printProblems(w io.Writer, r scanResult, asJSON bool) {
	if asJSON {
		if len(r.skipped)+len(r.failed)+len(r.done.Warnings) == 0 && r.done.Err == nil {
			return
		}
		obj := struct {
			Skipped  []problem `json:"skipped"`
			Failed   []problem `json:"failed"`
			Warnings []string  `json:"warnings,omitempty"`
			Error    string    `json:"error,omitempty"`
		}{Skipped: []problem{}, Failed: []problem{}, Warnings: r.done.Warnings}
		for _, s := range r.skipped {
			obj.Skipped = append(obj.Skipped, problem{s.Name, s.Version, s.Reason})
		}
		for _, f := range r.failed {
			obj.Failed = append(obj.Failed, problem{f.Name, f.Version, pypi.RedactURL(f.Err.Error())})
		}
		if r.done.Err != nil {
			obj.Error = pypi.RedactURL(r.done.Err.Error())
		}
		b, _ := json.Marshal(obj)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	for _, s := range r.skipped {
		fmt.Fprintf(w, "skipped %s %s: %s\n", s.Name, s.Version, s.Reason)
	}
	for _, f := range r.failed {
		fmt.Fprintf(w, "failed %s %s: %s\n", f.Name, f.Version, oneLine(pypi.RedactURL(f.Err.Error())))
	}
	for _, warning := range r.done.Warnings {
		fmt.Fprintf(w, "warning: %s\n", oneLine(warning))
	}
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// outdatedJSON carries pip's `list --outdated --format=json` keys first.
type outdatedJSON struct {
	Name           string     `json:"name"`
	Version        string     `json:"version"`
	LatestVersion  string     `json:"latest_version"`
	LatestFiletype string     `json:"latest_filetype"`
	Bump           string     `json:"bump"`
	Summary        string     `json:"summary,omitempty"`
	WantedVersion  string     `json:"wanted_version"`
	HeldBackBy     []holdJSON `json:"held_back_by"` // [] when nothing holds it back
	Lift           *liftJSON  `json:"lift,omitempty"`
}

// liftJSON is a version above wanted_version that upgrading the listed
// dependents (to their latest versions) would allow.
type liftJSON struct {
	Version string        `json:"version"`
	With    []upgradeJSON `json:"with"`
}

type upgradeJSON struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

type holdJSON struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Requirement string `json:"requirement"`
}

func printJSON(io stdio, r scanResult) error {
	list := []outdatedJSON{}
	for _, c := range r.checked {
		if !c.Outdated() {
			continue
		}
		holds := make([]holdJSON, len(c.HeldBackBy))
		for i, h := range c.HeldBackBy {
			holds[i] = holdJSON(h)
		}
		var lift *liftJSON
		if c.Lift != nil {
			lift = &liftJSON{Version: c.Lift.To}
			for _, u := range c.Lift.With {
				lift.With = append(lift.With, upgradeJSON(u))
			}
		}
		list = append(list, outdatedJSON{c.Name, c.Version, c.Latest, c.FileType, string(c.Bump), c.Summary, c.Wanted, holds, lift})
	}
	enc := json.NewEncoder(io.out)
	if err := enc.Encode(list); err != nil {
		return err
	}
	printProblems(io.err, r, true)
	fmt.Fprintln(io.err, summaryLine(r))
	return nil
}
