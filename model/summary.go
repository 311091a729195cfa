package model

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/pip"
)

// summaryModel is the last screen: counts, time, pip check and the undo
// command. It is the program's final frame, left in the terminal.
type summaryModel struct {
	st       styles
	done     pip.UpgradeDone
	rows     []upRow
	notStart int // packages that never started (cancelled runs)
}

func newSummaryModel(st styles, u upgradeModel, done pip.UpgradeDone) summaryModel {
	s := summaryModel{st: st, done: done, rows: u.rows}
	for _, r := range u.rows {
		if !r.state.finished() {
			s.notStart++
		}
	}
	return s
}

// exitCode: 130 for an interrupted run, 1 when anything failed, else 0.
func (s summaryModel) exitCode() int {
	switch {
	case s.done.Cancelled:
		return 130
	case s.done.Failed > 0 || s.done.Err != nil:
		return 1
	}
	return 0
}

func (s summaryModel) view(w int) string {
	st := s.st
	d := s.done
	var b strings.Builder
	head := st.ok.Render(fmt.Sprintf("✓ %d upgraded", d.Upgraded)) + st.subtle.Render(" · ") +
		st.bad.Render(fmt.Sprintf("✗ %d failed", d.Failed)) + st.subtle.Render(" · ") +
		st.warn.Render(fmt.Sprintf("– %d skipped", d.Skipped)) + st.subtle.Render(" · "+fmtDuration(d.Elapsed))
	if d.Cancelled {
		stop := "Stopped by Ctrl-C."
		if s.notStart > 0 {
			stop = fmt.Sprintf("Stopped by Ctrl-C: %s left as they were.", plural(s.notStart, "package", "packages"))
		}
		b.WriteString(st.warn.Render(stop) + "\n")
	}
	b.WriteString(head + "\n")
	for _, r := range s.rows {
		if r.state == stateFailed {
			b.WriteString("  " + st.bad.Render("✗ "+r.name) + st.subtle.Render(" stays at "+r.from+":") + "\n")
			b.WriteString("    " + r.reason + "\n")
		}
	}
	if d.Err != nil {
		b.WriteString(st.errLine.Render("Error: ") + oneLine(d.Err.Error()) + "\n")
	}
	switch {
	case d.PipCheckOK == nil:
		b.WriteString(st.subtle.Render("pip check: not run") + "\n")
	case *d.PipCheckOK:
		b.WriteString(st.ok.Render("pip check: no broken requirements") + "\n")
	default:
		b.WriteString(st.bad.Render("pip check found problems:") + "\n")
		lines := strings.Split(strings.TrimSpace(d.PipCheck), "\n")
		for i, l := range lines {
			if i == 8 {
				b.WriteString(st.subtle.Render(fmt.Sprintf("  … %d more lines", len(lines)-i)) + "\n")
				break
			}
			b.WriteString("  " + l + "\n")
		}
	}
	if d.UndoCommand != "" {
		b.WriteString(st.subtle.Render("To undo: ") + st.accent.Render(d.UndoCommand) + "\n")
	} else if d.Upgraded == 0 {
		b.WriteString(st.subtle.Render("Nothing was changed.") + "\n")
	}
	return clipLines(b.String(), w)
}
