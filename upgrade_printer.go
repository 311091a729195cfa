package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// printer prints an upgrade's results as they complete.
type printer struct {
	timings  bool        // --timings: print before and UpgradeDone.Phases
	before   []pip.Phase // what the command timed before the upgrade (open, scan, plan)
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
		case pip.UpgradeNote:
			p.clearProgress()
			fmt.Fprintf(p.io.err, "pipup: %s %s: %s\n", ev.Name, ev.Version, oneLine(pypi.RedactURL(ev.Text)))
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
	if phases := append(append([]pip.Phase(nil), p.before...), d.Phases...); p.timings && len(phases) > 0 {
		parts := make([]string, len(phases))
		for i, ph := range phases {
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

// printPlanNotes prints how the plan differs from what was asked, the
// requirements it could not check, and (--force-latest) what it breaks, in
// pip check's words, before anything is confirmed.
func printPlanNotes(w io.Writer, plan *pip.Plan) {
	for _, c := range plan.Changes {
		fmt.Fprintln(w, c.String())
	}
	for _, s := range plan.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
	for _, c := range plan.Conflicts {
		fmt.Fprintf(w, "warning: --force-latest: %s\n", c.String())
	}
}
