package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// rowState is where one package of the upgrade is.
type rowState int

const (
	statePending rowState = iota
	stateActive
	stateUpgraded
	stateFailed
	stateSkipped
)

func (s rowState) finished() bool { return s >= stateUpgraded }

// upRow is one package of the upgrade.
type upRow struct {
	name, from, to string
	state          rowState
	stage          pip.Stage
	done, total    int64 // bytes while downloading
	reason         string
}

// upgradeModel is the upgrading screen. It runs inline (not in the alternate
// screen): each finished package is printed above the live area, so the
// record stays in the terminal's scrollback, and the live area holds only
// the packages still in flight, which keeps it readable for any number.
type upgradeModel struct {
	st     styles
	keys   upgradeKeys
	help   help.Model
	target Target

	rows  []upRow
	index map[string]int // canonical name -> row

	started, now time.Time
	interrupts   int      // Ctrl-C presses (and signals) so far
	cancelling   bool     // the engine confirmed it is stopping
	installing   []string // the pip run being finished
	rollingBack  []string // the native installs in hand, each rolled back or committed
	done         *pip.UpgradeDone
}

func newUpgradeModel(st styles, pkgs []pip.Upgrade, t Target, now time.Time) upgradeModel {
	u := upgradeModel{st: st, keys: newUpgradeKeys(), help: st.newHelp(), target: t,
		index: map[string]int{}, started: now, now: now}
	for _, p := range pkgs {
		u.row(p.Name, p.From, p.Target)
	}
	return u
}

// row finds or adds the row of a package (the plan may add dependencies).
func (u *upgradeModel) row(name, from, to string) *upRow {
	k := canonical(name)
	i, ok := u.index[k]
	if !ok {
		i = len(u.rows)
		u.index[k] = i
		u.rows = append(u.rows, upRow{name: name, stage: pip.StageQueued})
	}
	r := &u.rows[i]
	if from != "" {
		r.from = from
	}
	if to != "" {
		r.to = to
	}
	return r
}

// apply folds upgrade events into the screen and returns the lines to print
// above it for the packages that finished.
func (u upgradeModel) apply(events []pip.UpgradeEvent) (upgradeModel, tea.Cmd) {
	// Copy on write: earlier copies of the model keep their rows.
	u.rows, u.index = slices.Clone(u.rows), maps.Clone(u.index)
	var printed []string
	for _, ev := range events {
		switch ev := cleanUpgradeEvent(ev).(type) {
		case pip.UpgradeStarted:
			for _, p := range ev.Packages {
				from := p.From
				if from == "" && p.To != "" {
					from = "new" // a dependency the plan installs
				}
				u.row(p.Name, from, p.To)
			}
		case pip.UpgradeProgress:
			r := u.row(ev.Name, "", "")
			if r.state.finished() {
				continue
			}
			r.stage, r.done, r.total = ev.Stage, ev.Done, ev.Total
			r.state = stateActive
			if ev.Stage == pip.StageQueued {
				r.state = statePending
			}
		case pip.PackageUpgraded:
			r := u.row(ev.Name, ev.From, ev.To)
			r.state = stateUpgraded
			printed = append(printed, u.resultLine(*r))
		case pip.UpgradeFailed:
			r := u.row(ev.Name, ev.From, ev.To)
			r.state, r.reason = stateFailed, oneLine(ev.Reason)
			printed = append(printed, u.resultLine(*r))
		case pip.UpgradeSkipped:
			r := u.row(ev.Name, "", "")
			r.state, r.reason = stateSkipped, oneLine(ev.Reason)
			printed = append(printed, u.resultLine(*r))
		case pip.UpgradeCancelling:
			u.cancelling = true
			u.installing = ev.Installing
			u.rollingBack = ev.Native
		case pip.UpgradeDone:
			u.done = &ev
		}
	}
	if len(printed) == 0 {
		return u, nil
	}
	return u, tea.Println(strings.Join(printed, "\n"))
}

// resultLine is the permanent record of one finished package.
func (u upgradeModel) resultLine(r upRow) string {
	st := u.st
	switch r.state {
	case stateUpgraded:
		return st.ok.Render("✓") + " " + st.text.Render(r.name) + " " + st.subtle.Render(r.from+" → ") + st.ok.Render(r.to)
	case stateFailed:
		return st.bad.Render("✗") + " " + st.text.Render(r.name) + " " + st.subtle.Render(r.from+" → "+r.to) +
			" " + st.bad.Render(r.reason)
	case stateSkipped:
		return st.warn.Render("–") + " " + st.text.Render(r.name) + " " + st.subtle.Render("skipped: "+r.reason)
	}
	return r.name
}

func (u upgradeModel) counts() (upgraded, failed, skipped, finished int) {
	for _, r := range u.rows {
		switch r.state {
		case stateUpgraded:
			upgraded++
		case stateFailed:
			failed++
		case stateSkipped:
			skipped++
		}
	}
	return upgraded, failed, skipped, upgraded + failed + skipped
}

func (u upgradeModel) view(w, h, frame int) string {
	st := u.st
	var b strings.Builder
	b.WriteString(st.title.Render("pipup") + "  " + st.subtitle.Render(
		fmt.Sprintf("upgrading %s · %s", plural(len(u.rows), "package", "packages"), u.target.Python)) + "\n")

	// In flight first, then the queue, as many as fit.
	var active, queued []int
	for i, r := range u.rows {
		switch r.state {
		case stateActive:
			active = append(active, i)
		case statePending:
			queued = append(queued, i)
		}
	}
	room := max(h-7, 2)
	shown := 0
	nameW := clamp(w/4, 12, 30)
	verW := clamp(w/8, 8, 14)
	for _, i := range append(active, queued...) {
		if shown == room-1 && len(active)+len(queued) > room {
			b.WriteString(st.subtle.Render(fmt.Sprintf("  … and %d more queued", len(active)+len(queued)-shown)) + "\n")
			break
		}
		b.WriteString(u.rowView(u.rows[i], i, frame, nameW, verW, w) + "\n")
		shown++
	}
	upgraded, failed, skipped, finished := u.counts()
	if finished == len(u.rows) && len(u.rows) > 0 && u.done == nil {
		// Every package has its result; the engine is checking the
		// environment before it reports the summary.
		b.WriteString("  " + st.accent.Render(spinnerFrame(frame, 0)) + " running pip check…\n")
	}
	b.WriteString("\n")

	pct := 0.0
	if len(u.rows) > 0 {
		pct = float64(finished) / float64(len(u.rows))
	}
	bar := st.newBar(clamp(w-50, 10, 40))
	b.WriteString(bar.ViewAs(pct) + fmt.Sprintf("  %d of %d done  ", finished, len(u.rows)) +
		st.ok.Render(fmt.Sprintf("✓ %d", upgraded)) + "  " + st.bad.Render(fmt.Sprintf("✗ %d", failed)) + "  " +
		st.warn.Render(fmt.Sprintf("– %d", skipped)) + st.subtle.Render("  "+fmtDuration(u.now.Sub(u.started))) + "\n")

	if u.interrupts == 0 && !u.cancelling {
		u.help.Width = w
		return clipLines(b.String(), w) + u.help.View(u.keys)
	}
	// Once stopping, the banner replaces the help: Ctrl-C means something
	// else now, and the banner says what.
	b.WriteString(st.warn.Render("Stopping safely: no new package will start.") + "\n")
	if len(u.installing) > 0 {
		b.WriteString(st.warn.Render("Finishing the install in progress: "+strings.Join(u.installing, ", ")+"…") + "\n")
	}
	if len(u.rollingBack) > 0 {
		b.WriteString(st.warn.Render("Rolling back what is being installed: "+strings.Join(u.rollingBack, ", ")+"…") + "\n")
	}
	if u.interrupts >= 2 {
		b.WriteString(st.warn.Render("Press Ctrl-C again to quit without waiting;") + "\n")
		if len(u.installing) > 0 {
			b.WriteString(st.warn.Render("the running pip is not stopped and finishes on its own.") + "\n")
		} else {
			b.WriteString(st.warn.Render("an install cut short is put right by the next pipup upgrade or undo.") + "\n")
		}
	}
	return clipLines(strings.TrimSuffix(b.String(), "\n"), w)
}

func (u upgradeModel) rowView(r upRow, i, frame, nameW, verW, w int) string {
	st := u.st
	head := fmt.Sprintf("%s %s %s", fit(r.name, nameW), fit(r.from, verW), "→ "+fit(r.to, verW))
	if r.state == statePending {
		return "  " + st.faint.Render("· "+head+"  queued")
	}
	line := "  " + st.accent.Render(spinnerFrame(frame, i)) + " " + st.text.Render(head) + "  " + st.accent.Render(string(r.stage))
	if r.stage != pip.StageDownloading || r.done <= 0 && r.total <= 0 {
		return line
	}
	if r.total <= 0 {
		return line + " " + st.subtle.Render(fmtBytes(r.done))
	}
	bytes := fmtBytes(r.done) + " / " + fmtBytes(r.total)
	// The bar takes what the row leaves, and is dropped when that is too
	// little to read.
	if bw := min(w-width(line)-width(bytes)-2, 20); bw >= 5 {
		bar := st.newBar(bw)
		line += " " + bar.ViewAs(float64(r.done)/float64(r.total))
	}
	return line + " " + st.subtle.Render(bytes)
}
