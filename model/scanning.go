package model

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// scanModel is the scanning screen: it accumulates scan events and shows
// progress. It holds no engine handle; stopping is an intent for the root.
type scanModel struct {
	st   styles
	keys scanKeys
	help help.Model

	opening bool   // the environment is still being inspected
	python  string // interpreter path, once known

	counted     bool // ScanStarted arrived: total is known
	total, done int
	checked     int
	outdated    []pip.PackageChecked
	skipped     []pip.PackageSkipped
	failed      []pip.PackageFailed
	ignored     []pip.PackageIgnored
	vulns       []pip.PackageVulnerable // answers that came before the table
	inFlight    map[string]bool
	current     string // the most recently started lookup still in flight

	started, now time.Time
	finished     *pip.ScanDone
}

func newScanModel(st styles, python string, opening bool, now time.Time) scanModel {
	return scanModel{
		st: st, keys: newScanKeys(), help: st.newHelp(),
		opening: opening, python: python,
		inFlight: map[string]bool{},
		started:  now, now: now,
	}
}

// apply folds one scan event into the screen.
func (s scanModel) apply(ev pip.ScanEvent) scanModel {
	switch ev := cleanScanEvent(ev).(type) {
	case pip.ScanStarted:
		s.counted, s.total = true, ev.Total
		if ev.Python != "" {
			s.python = ev.Python
		}
	case pip.PackageChecking:
		s.inFlight[ev.Name] = true
		s.current = ev.Name
	case pip.PackageChecked:
		s.finish(ev.Name)
		s.checked++
		if ev.Outdated() {
			s.outdated = append(s.outdated, ev)
		}
	case pip.PackageSkipped:
		s.finish(ev.Name)
		s.skipped = append(s.skipped, ev)
	case pip.PackageFailed:
		s.finish(ev.Name)
		s.failed = append(s.failed, ev)
	case pip.PackageIgnored:
		s.ignored = append(s.ignored, ev)
	case pip.PackageVulnerable:
		s.vulns = append(s.vulns, ev)
	case pip.ScanDone:
		s.finished = &ev
	}
	return s
}

func (s *scanModel) finish(name string) {
	s.done++
	delete(s.inFlight, name)
	if s.current == name {
		s.current = ""
		for n := range s.inFlight { // any one still in flight will do
			s.current = n
			break
		}
	}
}

// update handles the screen's keys.
func (s scanModel) update(msg tea.Msg) (scanModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, s.keys.Stop) {
		return s, emit(stopScanMsg{})
	}
	return s, nil
}

// stopped reports whether the scan ended early (cancelled or failed).
func (s scanModel) stopped() bool {
	return s.finished != nil && s.finished.Err != nil
}

// scanErr is the scan's fatal error, cancellation excluded.
func (s scanModel) scanErr() error {
	if s.finished == nil || s.finished.Err == nil || errors.Is(s.finished.Err, context.Canceled) {
		return nil
	}
	return s.finished.Err
}

func (s scanModel) elapsed() time.Duration {
	if s.finished != nil && s.finished.Elapsed > 0 {
		return s.finished.Elapsed
	}
	return s.now.Sub(s.started)
}

func (s scanModel) view(w, h, frame int) string {
	st := s.st
	var b strings.Builder
	spin := spinnerFrame(frame, 0)
	target := s.python
	if target == "" {
		target = "the Python environment"
	}
	if s.opening {
		b.WriteString(st.title.Render("pipup") + "  " + st.subtitle.Render("inspecting "+target) + "\n\n")
		b.WriteString(st.accent.Render(spin) + " reading the interpreter's facts and pip's configuration…\n")
		return s.frame(b.String(), w, h)
	}
	if !s.counted {
		b.WriteString(st.title.Render("pipup") + "  " + st.subtitle.Render("reading "+target) + "\n\n")
		b.WriteString(st.accent.Render(spin) + " listing installed distributions…\n")
		return s.frame(b.String(), w, h)
	}
	b.WriteString(st.title.Render("pipup") + "  " +
		st.subtitle.Render(fmt.Sprintf("checking %s · %s", plural(s.total, "package", "packages"), target)) + "\n\n")

	barW := clamp(w-24, 10, 60)
	pct := 0.0
	if s.total > 0 {
		pct = float64(s.done) / float64(s.total)
	}
	bar := st.newBar(barW)
	b.WriteString(bar.ViewAs(pct) + fmt.Sprintf("  %d/%d  %3.0f%%", s.done, s.total, pct*100) + "\n")

	el := s.elapsed()
	rate := 0.0
	if el > 0 {
		rate = float64(s.done) / el.Seconds()
	}
	stats := fmt.Sprintf("%.0f packages/s · %s elapsed", rate, fmtDuration(el))
	if rate > 0 && s.total > s.done {
		left := time.Duration(float64(s.total-s.done) / rate * float64(time.Second))
		stats += " · about " + fmtDuration(left) + " left"
	}
	b.WriteString(st.subtle.Render(stats) + "\n")

	if s.current != "" {
		line := st.accent.Render(spin) + " checking " + st.text.Render(s.current)
		if n := len(s.inFlight) - 1; n > 0 {
			line += st.subtle.Render(fmt.Sprintf(" (+%d more in flight)", n))
		}
		b.WriteString(line)
	}
	b.WriteString("\n")
	b.WriteString("\n")

	head := fmt.Sprintf("Outdated so far: %d", len(s.outdated))
	if n := len(s.skipped) + len(s.failed); n > 0 {
		head += st.subtle.Render(fmt.Sprintf("   skipped %d · failed %d", len(s.skipped), len(s.failed)))
	}
	b.WriteString(st.groupHeader.Render(head) + "\n")

	// The newest finds at the bottom, as many as fit above the help line.
	room := h - strings.Count(b.String(), "\n") - 2
	list := s.outdated
	if room < len(list) {
		list = list[len(list)-max(room, 0):]
	}
	nameW, verW := clamp(w/3, 12, 32), clamp(w/8, 8, 14)
	for _, p := range list {
		b.WriteString("  " + fit(p.Name, nameW) + " " + st.subtle.Render(fit(p.Version, verW)+" → ") +
			st.bumpStyle(p.Bump).Render(fit(p.Latest, verW)+"  "+string(p.Bump)) + "\n")
	}
	return s.frame(b.String(), w, h)
}

// frame pads the body to the window and puts the help bar at the bottom.
func (s scanModel) frame(body string, w, h int) string {
	s.help.Width = w
	return clipLines(padLines(strings.TrimSuffix(body, "\n"), h-1), w) + "\n" + s.help.View(s.keys)
}

// spinnerFrames is the dot spinner; each row starts at its own offset so a
// column of spinners does not move in lock step.
const spinnerGlyphs = "⣾⣽⣻⢿⡿⣟⣯⣷"

func spinnerFrame(frame, offset int) string {
	g := []rune(spinnerGlyphs)
	return string(g[(frame+offset)%len(g)])
}
