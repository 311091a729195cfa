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
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/settings"
)

// runList is `pipup list`: the outdated packages as a table or JSON.
func runList(sig *interrupts, args []string, io stdio) int {
	fs := flag.NewFlagSet("pipup list", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	ef.register(fs)
	asJSON, failOn := listOnlyFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: pipup list [PKG...] [flags]

List the installed packages that have a newer version on the index.
Wanted is the newest version that every installed package's requirements,
pipup's pins and the cooldown allow; when it is below Latest, the note says why.

--fail-on outdated exits 1 when some package's Wanted is above its installed
version (what pipup upgrade --all would do), --fail-on major when that step
is a major one, --fail-on vulnerable when that upgrade fixes a known
vulnerability of the installed version (advisories the upgrade does not
fix are shown in the note but fail nothing); 0 when none is, 2 for bad
usage, 130 when interrupted. A package that could not be checked still
exits 1, and so, with --fail-on vulnerable, does a failed look-up or an
index that gives no vulnerability data (unknown is not clean).

Known vulnerabilities come from the index's PyPI JSON API (pypi.org
serves them from the OSV database), for outdated packages found on the
main index; an index without that API gives none. --no-vulns skips them.

Flags:`)
		printFlags(fs)
	}
	pkgs, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	match, err := failRule(*failOn)
	if err == nil {
		err = vulnFailRuleError(*failOn, ef.noVulns)
	}
	if err != nil {
		fmt.Fprintf(io.err, "pipup list: %v\n", err)
		return exitUsage
	}
	env, err := pip.Open(sig.ctx, ef.options())
	if err != nil {
		return fail(io, sig, err)
	}
	notePending(env, io) // pipup list only looks
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
	if code := res.exitCode(sig); code != exitOK || match == nil {
		return code
	}
	for _, c := range res.checked {
		if match(c, res.vulnsOf(c)) {
			return exitFailed
		}
	}
	if *failOn == "vulnerable" && res.noVulnData != "" {
		fmt.Fprintf(io.err, "pipup: --fail-on vulnerable: no vulnerability data: %s\n", res.noVulnData)
		return exitFailed // unknown is not clean
	}
	if *failOn == "vulnerable" && len(vulnWarnings(res)) > 0 {
		return exitFailed // unknown is not clean
	}
	return exitOK
}

// failRule is --fail-on's test of a checked package (nil: no test). It
// counts the upgrades pipup would make, to Wanted, so that a package held
// at its pin or by an installed dependent does not fail a build.
func failRule(name string) (func(pip.PackageChecked, []pip.Vuln) bool, error) {
	step := func(c pip.PackageChecked) pip.Bump {
		from, err1 := pep440.Parse(c.Version)
		to, err2 := pep440.Parse(c.Wanted)
		if err1 != nil || err2 != nil || to.Compare(from) <= 0 {
			return pip.BumpNone
		}
		return pip.BumpOf(from, to)
	}
	switch name {
	case "":
		return nil, nil
	case "outdated":
		return func(c pip.PackageChecked, _ []pip.Vuln) bool { return step(c) != pip.BumpNone }, nil
	case "major":
		return func(c pip.PackageChecked, _ []pip.Vuln) bool { return step(c) == pip.BumpMajor }, nil
	case "vulnerable":
		return func(_ pip.PackageChecked, v []pip.Vuln) bool { return fixesVulnerability(v) }, nil
	}
	return nil, fmt.Errorf("--fail-on takes outdated, major or vulnerable, not %q", name)
}

// listOnlyFlags registers the flags of pipup list beyond the environment
// flags; the completion scripts register them through here too.
func listOnlyFlags(fs *flag.FlagSet) (asJSON *bool, failOn *string) {
	asJSON = fs.Bool("json", false, "print JSON (pip's keys: name, version, latest_version, latest_filetype; plus bump, summary, wanted_version, held_back_by, pinned_by, lift, latest_uploaded, wanted_uploaded, held_by_cooldown, age_unknown, vulnerabilities)")
	failOn = fs.String("fail-on", "", "exit 1 when some package has an upgrade to Wanted (outdated), a major one (major) or one that fixes a known vulnerability (vulnerable), for CI (`RULE`: outdated, major or vulnerable)")
	return asJSON, failOn
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
	if err := envFlagError(fs); err != nil {
		fmt.Fprintf(fs.Output(), "pipup: %v\n", err)
		return nil, exitUsage, false
	}
	// pipup's settings files go under the flags given.
	if fl := fs.Lookup("no-config"); fl != nil {
		if sw, ok := fl.Value.(*configSwitch); ok {
			if err := sw.f.applySettings(fs); err != nil {
				fmt.Fprintf(fs.Output(), "pipup: %s\n", err)
				return nil, exitUsage, false
			}
		}
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
	ignored []pip.PackageIgnored
	done    pip.ScanDone
	// vulns are the vulnerability answers by canonical name, vulnOrder
	// their names (sorted).
	vulns     map[string]pip.PackageVulnerable
	vulnOrder []string
	// noVulnData says why no vulnerability data could be had ("" when it
	// could, or when nothing was looked up).
	noVulnData string
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
	r := scanResult{vulns: map[string]pip.PackageVulnerable{}}
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
		case pip.PackageIgnored:
			r.ignored = append(r.ignored, ev) // not in the total
		case pip.VulnsUnavailable:
			r.noVulnData = ev.Reason
		case pip.PackageVulnerable:
			c := pypi.Normalize(ev.Name)
			r.vulns[c] = ev
			r.vulnOrder = append(r.vulnOrder, c)
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
	sort.Slice(r.ignored, func(i, j int) bool { return byName(r.ignored[i].Name, r.ignored[j].Name) })
	sort.Strings(r.vulnOrder)
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
	held := false // some row has a note
	for _, c := range r.checked {
		held = held || (c.Outdated() && r.note(c) != "")
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
			fmt.Fprintf(tw, "\t%s", r.note(c))
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

// note is the Note column: the installed version's known vulnerabilities
// (those the upgrade fixes first), then why Wanted is below Latest.
func (r scanResult) note(c pip.PackageChecked) string {
	var parts []string
	if v := pip.VulnNote(r.vulnsOf(c)); v != "" {
		parts = append(parts, v)
	}
	if n := c.ListNote(); n != "" {
		parts = append(parts, n)
	}
	return strings.Join(parts, "; ")
}

func summaryLine(r scanResult) string {
	ignored := ""
	if len(r.ignored) > 0 {
		ignored = fmt.Sprintf(", %d ignored", len(r.ignored))
	}
	s := fmt.Sprintf("%d checked, %d outdated, %d skipped, %d failed%s in %.2fs",
		len(r.checked), r.done.Outdated, len(r.skipped), len(r.failed), ignored, r.done.Elapsed.Seconds())
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
		warnings := append(append([]string{}, r.done.Warnings...), vulnWarnings(r)...)
		if len(r.skipped)+len(r.failed)+len(r.ignored)+len(warnings) == 0 && r.done.Err == nil {
			return
		}
		obj := struct {
			Skipped  []problem `json:"skipped"`
			Failed   []problem `json:"failed"`
			Ignored  []problem `json:"ignored,omitempty"`
			Warnings []string  `json:"warnings,omitempty"`
			Error    string    `json:"error,omitempty"`
		}{Skipped: []problem{}, Failed: []problem{}, Warnings: warnings}
		for _, i := range r.ignored {
			obj.Ignored = append(obj.Ignored, problem{i.Name, i.Version, pip.IgnoredReason})
		}
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
	for _, i := range r.ignored {
		fmt.Fprintf(w, "ignored %s %s: %s\n", i.Name, i.Version, pip.IgnoredReason)
	}
	for _, warning := range append(append([]string{}, r.done.Warnings...), vulnWarnings(r)...) {
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
	PinnedBy       string     `json:"pinned_by,omitempty"`
	Lift           *liftJSON  `json:"lift,omitempty"`
	// Vulnerabilities are the installed version's known ones ([] when none
	// is known or they were not looked up).
	Vulnerabilities []vulnJSON `json:"vulnerabilities"`
	// The first upload of Latest and of Wanted (when above the installed
	// version), RFC 3339 in UTC; left out when the index gives no time.
	LatestUploaded string `json:"latest_uploaded,omitempty"`
	WantedUploaded string `json:"wanted_uploaded,omitempty"`
	// HeldByCooldown is the newest version the cooldown keeps back.
	HeldByCooldown *cooldownJSON `json:"held_by_cooldown,omitempty"`
	// AgeUnknown: the cooldown is on and Wanted's age is unknown, so it is
	// offered unchecked.
	AgeUnknown bool `json:"age_unknown,omitempty"`
}

// cooldownJSON is a version kept back by the cooldown until it is old enough.
type cooldownJSON struct {
	Version  string `json:"version"`
	Uploaded string `json:"uploaded"`
	Until    string `json:"until"` // when it will be offered
	Cooldown string `json:"cooldown"`
}

// jsonTime is t as RFC 3339 in UTC, "" for the zero time.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
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
		o := outdatedJSON{Name: c.Name, Version: c.Version, LatestVersion: c.Latest, LatestFiletype: c.FileType, Bump: string(c.Bump),
			Summary: c.Summary, WantedVersion: c.Wanted, HeldBackBy: holds, PinnedBy: c.PinnedBy, Lift: lift,
			LatestUploaded: jsonTime(c.Candidate.Uploaded), WantedUploaded: jsonTime(c.WantedCandidate.Uploaded),
			Vulnerabilities: vulnsJSON(r.vulnsOf(c))}
		if n := c.Cooldown; n != nil && n.Held {
			o.HeldByCooldown = &cooldownJSON{n.Version, jsonTime(n.Uploaded), jsonTime(n.Until()), settings.FormatDuration(n.Cooldown)}
		} else if n != nil {
			o.AgeUnknown = true
		}
		list = append(list, o)
	}
	enc := json.NewEncoder(io.out)
	if err := enc.Encode(list); err != nil {
		return err
	}
	printProblems(io.err, r, true)
	fmt.Fprintln(io.err, summaryLine(r))
	return nil
}
