package model

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/pipup/pipup/pip"
)

// clean drops control characters from text that comes from outside (package
// metadata, index pages, pip's output): an escape sequence in a summary must
// not reach the terminal. Tabs and newlines become spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r >= 0x7f && r < 0xa0:
			return -1
		}
		return r
	}, s)
}

// fit truncates plain text to w cells with an ellipsis and pads it to
// exactly w cells, so columns line up whatever the names are.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(clean(s), w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// clip truncates a line (which may carry styles) to w cells.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// clipLines clips every line of a block to w cells.
func clipLines(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clip(l, w)
	}
	return strings.Join(lines, "\n")
}

// width is the display width of a string, styles ignored.
func width(s string) int { return ansi.StringWidth(s) }

// fmtDuration prints a duration the way a person reads it: 0.4s, 12.3s,
// 2m05s.
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// fmtBytes prints a byte count in SI units, as pip's progress bars do.
func fmtBytes(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// plural picks the singular or plural noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// canonical is the PEP 503 normalised name, used for sorting and matching
// engine events to rows whatever spelling each side uses.
func canonical(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		b.WriteRune(r)
	}
	return b.String()
}

// oneLine keeps the first line of a message, for reasons and errors that
// must fit a row.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	return clean(s)
}

// padLines makes a block exactly h lines tall (cutting the end if longer),
// so screens fill the window and the help bar stays at the bottom.
func padLines(s string, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		hi = lo
	}
	return max(lo, min(v, hi))
}

// cleanLines is clean for text whose line breaks matter (pip's messages).
func cleanLines(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return strings.Join(lines, "\n")
}

// cleanScanEvent cleans the text of a scan event as it arrives, so nothing
// downstream renders raw outside text.
func cleanScanEvent(ev pip.ScanEvent) pip.ScanEvent {
	switch e := ev.(type) {
	case pip.ScanStarted:
		e.Python = clean(e.Python)
		return e
	case pip.PackageChecking:
		e.Name = clean(e.Name)
		return e
	case pip.PackageChecked:
		e.Name, e.Version, e.Latest, e.Summary = clean(e.Name), clean(e.Version), clean(e.Latest), clean(e.Summary)
		e.Wanted = clean(e.Wanted)
		if len(e.HeldBackBy) > 0 {
			holds := make([]pip.Hold, len(e.HeldBackBy))
			for i, h := range e.HeldBackBy {
				holds[i] = pip.Hold{Name: clean(h.Name), Version: clean(h.Version), Requirement: clean(h.Requirement)}
			}
			e.HeldBackBy = holds
		}
		e.Lift = cleanLift(e.Lift)
		return e
	case pip.PackageSkipped:
		e.Name, e.Version, e.Reason = clean(e.Name), clean(e.Version), clean(e.Reason)
		return e
	case pip.PackageFailed:
		e.Name, e.Version = clean(e.Name), clean(e.Version)
		return e
	case pip.PackageIgnored:
		e.Name, e.Version = clean(e.Name), clean(e.Version)
		return e
	case pip.PackageVulnerable:
		return cleanVulnerable(e)
	}
	return ev
}

// cleanLift copies a Lift with its text cleaned; nil stays nil.
func cleanLift(in *pip.Lift) *pip.Lift {
	if in == nil {
		return nil
	}
	l := *in
	l.To = clean(l.To)
	l.With = make([]pip.PlannedUpgrade, len(in.With))
	for i, u := range in.With {
		l.With[i] = pip.PlannedUpgrade{Name: clean(u.Name), From: clean(u.From), To: clean(u.To)}
	}
	return &l
}

// cleanUpgrade cleans the text of a planned upgrade.
func cleanUpgrade(u pip.Upgrade) pip.Upgrade {
	u.Name, u.From, u.Target, u.FileType, u.Why = clean(u.Name), clean(u.From), clean(u.Target), clean(u.FileType), oneLine(u.Why)
	u.Lift = cleanLift(u.Lift)
	return u
}

// cleanUpgradeEvent is cleanScanEvent for upgrade events.
func cleanUpgradeEvent(ev pip.UpgradeEvent) pip.UpgradeEvent {
	switch e := ev.(type) {
	case pip.UpgradeStarted:
		pkgs := make([]pip.PlannedUpgrade, len(e.Packages))
		for i, p := range e.Packages {
			pkgs[i] = pip.PlannedUpgrade{Name: clean(p.Name), From: clean(p.From), To: clean(p.To)}
		}
		e.Packages = pkgs
		return e
	case pip.UpgradeProgress:
		e.Name = clean(e.Name)
		return e
	case pip.PackageUpgraded:
		e.Name, e.From, e.To = clean(e.Name), clean(e.From), clean(e.To)
		return e
	case pip.UpgradeFailed:
		e.Name, e.From, e.To, e.Reason = clean(e.Name), clean(e.From), clean(e.To), cleanLines(e.Reason)
		return e
	case pip.UpgradeSkipped:
		e.Name, e.Reason = clean(e.Name), cleanLines(e.Reason)
		return e
	case pip.UpgradeCancelling:
		names := make([]string, len(e.Installing))
		for i, n := range e.Installing {
			names[i] = clean(n)
		}
		e.Installing = names
		return e
	case pip.UpgradeDone:
		e.PipCheck, e.UndoCommand = cleanLines(e.PipCheck), clean(e.UndoCommand)
		return e
	}
	return ev
}

// cleanTarget and cleanDetails clean what the engines describe.
func cleanTarget(t Target) Target {
	t.Python, t.ExternallyManaged = clean(t.Python), cleanLines(t.ExternallyManaged)
	return t
}

func cleanDetails(d Details) Details {
	links := make([]Link, len(d.Links))
	for i, l := range d.Links {
		links[i] = Link{Label: clean(l.Label), URL: clean(l.URL)}
	}
	d.Summary, d.Links = clean(d.Summary), links
	return d
}
