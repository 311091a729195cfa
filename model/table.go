package model

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/pip"
)

// Rendering of the choosing screen. bubbles/table styles whole rows only;
// this table needs per-cell colour (bump kinds), group headings and
// unselectable rows for skipped packages, so it draws its own rows.

// chrome is the lines around the table: title, (warning,) note, column
// heading above; blank, two details lines and the status line below, then
// the help.
const chromeBelow = 4

func (c chooseModel) chromeAbove() int {
	if c.warning() != "" {
		return 4
	}
	return 3
}

func (c chooseModel) helpView() string {
	c.help.Width = c.width
	k := c.keys
	if r, ok := c.current(); ok && r.kind == rowPackage {
		_, k.pairable = c.choice.PairWith(r.idx)
	}
	if r, ok := c.current(); ok && r.kind == rowIgnored {
		k.onIgnored = true
	}
	return c.help.View(k)
}

func (c chooseModel) tableHeight() int {
	helpLines := strings.Count(c.helpView(), "\n") + 1
	return max(c.height-c.chromeAbove()-chromeBelow-helpLines, 1)
}

// columns are the cell widths for the current window.
type columns struct {
	name, installed, latest, summary int
}

func (c chooseModel) columns() columns {
	name, inst, latest := 7, 9, 6
	for i := range c.choice.Len() {
		u := c.choice.Upgrade(i)
		name = max(name, width(u.Name))
		inst = max(inst, width(u.From))
		latest = max(latest, width(u.Target))
	}
	for _, s := range c.skipped {
		name = max(name, width(s.Name))
	}
	for _, f := range c.failed {
		name = max(name, width(f.Name))
	}
	// Long names give way first, so the summary keeps some room.
	col := columns{name: min(name, clamp(c.width/3-2, 12, 32)), installed: min(inst, 16), latest: min(latest, 16)}
	// Fixed cells: cursor 2, checkbox 4, gaps, the arrow and the bump kind.
	fixed := 2 + 4 + 1 + 3 + 2 + 5 + 2
	if over := fixed + col.name + col.installed + col.latest - c.width; over > 0 {
		col.name = max(col.name-over, 8)
	}
	col.summary = c.width - fixed - col.name - col.installed - col.latest
	if col.summary < 10 {
		col.summary = 0
	}
	return col
}

func (c chooseModel) view() string {
	st := c.st
	var b strings.Builder
	b.WriteString(c.titleLine() + "\n")
	if w := c.warning(); w != "" {
		b.WriteString(st.warn.Render(w) + "\n")
	}
	b.WriteString(st.subtle.Render(c.preselectNote()) + "\n")

	col := c.columns()
	head := "      " + fit("Package", col.name) + " " + fit("Installed", col.installed) + "   " +
		fit("Latest", col.latest) + "  " + fit("Bump", 5)
	if col.summary > 0 {
		head += "  " + "Summary"
	}
	b.WriteString(st.header.Render(head) + "\n")

	h := c.tableHeight()
	var lines []string
	if len(c.rows) == 0 {
		switch {
		case c.filter.Value() != "":
			lines = append(lines, st.subtle.Render("  No package matches the filter."))
		default:
			lines = append(lines, st.ok.Render(fmt.Sprintf("  ✓ Everything is up to date (%s checked).", plural(c.scan.checked, "package", "packages"))))
		}
	}
	for i := c.offset; i < len(c.rows) && i < c.offset+h; i++ {
		lines = append(lines, c.rowView(c.rows[i], i == c.cursor, col))
	}
	b.WriteString(padLines(strings.Join(lines, "\n"), h) + "\n\n")
	d1, d2 := c.detailsView()
	b.WriteString(d1 + "\n" + d2 + "\n")
	b.WriteString(c.statusView() + "\n")
	return clipLines(b.String(), c.width) + c.helpView()
}

func (c chooseModel) titleLine() string {
	st := c.st
	n := c.choice.Len()
	line := st.title.Render("pipup") + "  " + st.text.Render(fmt.Sprintf("%d outdated", n))
	info := fmt.Sprintf(" · %d checked in %s", c.scan.checked, fmtDuration(c.scan.elapsed))
	if c.target.Python != "" {
		info += " · " + c.target.Python
	}
	return line + st.subtle.Render(info)
}

// warning says when the list is partial.
func (c chooseModel) warning() string {
	switch {
	case c.scan.err != nil:
		return "The scan failed, the list is partial: " + oneLine(c.scan.err.Error())
	case c.scan.stopped:
		return fmt.Sprintf("The scan was stopped at %d of %d packages: the list is partial.", c.scan.checked+len(c.skipped)+len(c.failed), c.scan.total)
	}
	return ""
}

func (c chooseModel) rowView(r row, cur bool, col columns) string {
	st := c.st
	marker := "  "
	if cur {
		marker = st.cursorRow.Render("›") + " "
	}
	nameStyle := st.text
	if cur {
		nameStyle = st.cursorRow
	}
	switch r.kind {
	case rowGroup:
		n, sel := 0, 0
		for _, rr := range c.rows {
			if rr.kind == rowPackage && rr.bump == r.bump {
				n++
				if c.choice.Ticked(rr.idx) {
					sel++
				}
			}
		}
		label, about := groupLabel(r.bump)
		return "  " + st.bumpStyle(r.bump).Bold(true).Render(label) + "  " +
			st.subtle.Render(fmt.Sprintf("%s · %d of %d selected", about, sel, n))
	case rowIgnoredHead:
		return c.ignoredHeadView(cur)
	case rowIgnored:
		return c.ignoredRowView(r.idx, cur, col)
	case rowNotChecked:
		return "  " + st.groupHeader.Render("Not checked") + "  " +
			st.subtle.Render(fmt.Sprintf("%d skipped, %d failed: not upgraded", len(c.skipped), len(c.failed)))
	case rowSkipped:
		s := c.skipped[r.idx]
		return marker + st.faint.Render(" -  ") + nameStyle.Render(fit(s.Name, col.name)) + " " +
			st.subtle.Render(fit(s.Version, col.installed)+"   skipped: "+oneLine(s.Reason))
	case rowFailed:
		f := c.failed[r.idx]
		msg := "failed"
		if f.Err != nil {
			msg = "failed: " + oneLine(f.Err.Error())
		}
		return marker + st.bad.Render(" ✗  ") + nameStyle.Render(fit(f.Name, col.name)) + " " +
			st.subtle.Render(fit(f.Version, col.installed)+"   ") + st.bad.Render(msg)
	}
	u, summary := c.choice.Upgrade(r.idx), c.choice.Offer(r.idx).Package.Summary
	box := st.faint.Render("[ ] ")
	if c.choice.Ticked(r.idx) {
		box = st.checked.Render("[x] ")
	}
	bs := st.bumpStyle(u.Bump)
	line := marker + box + nameStyle.Render(fit(u.Name, col.name)) + " " +
		st.subtle.Render(fit(u.From, col.installed)) + st.faint.Render(" → ") +
		bs.Render(fit(u.Target, col.latest)) + "  " + bs.Render(fit(string(u.Bump), 5))
	if cell := c.vulnCell(r.idx, col.summary); col.summary > 0 && cell != "" {
		line += "  " + cell
	} else if col.summary > 0 && summary != "" {
		line += "  " + st.faint.Render(fit(oneLine(summary), col.summary))
	}
	return line
}

// groupLabel names a bump kind's group and what it usually means.
func groupLabel(b pip.Bump) (label, about string) {
	switch b {
	case pip.BumpPatch:
		return "Patch", "backwards-compatible fixes"
	case pip.BumpMinor:
		return "Minor", "backwards-compatible features"
	case pip.BumpMajor:
		return "Major", "may break code that uses it"
	case pip.BumpPre:
		return "Pre-release", "not a final release"
	case bumpSecurity:
		return "Security", "fixes a known vulnerability"
	}
	return "Other", "newer version"
}

// detailsView is two lines about the highlighted row: its summary and the
// project's links (fetched lazily), or why it was not checked.
func (c chooseModel) detailsView() (string, string) {
	st := c.st
	r, ok := c.current()
	if !ok {
		return "", ""
	}
	switch r.kind {
	case rowSkipped:
		s := c.skipped[r.idx]
		return st.text.Render(s.Name+" "+s.Version) + st.subtle.Render(" was not checked: "+oneLine(s.Reason)), ""
	case rowFailed:
		f := c.failed[r.idx]
		msg := "unknown error"
		if f.Err != nil {
			msg = oneLine(f.Err.Error())
		}
		return st.text.Render(f.Name+" "+f.Version) + st.subtle.Render(" could not be checked:"), st.bad.Render(msg)
	case rowIgnored:
		return c.ignoredDetails(r.idx)
	case rowPackage:
	default:
		return "", ""
	}
	p, u := c.choice.Offer(r.idx).Package, c.choice.Upgrade(r.idx)
	d := c.details[canonical(p.Name)]
	summary := p.Summary
	if summary == "" {
		summary = d.details.Summary
	}
	first := st.text.Render(u.Name) + st.subtle.Render(" "+u.From+" → ") + st.bumpStyle(u.Bump).Render(u.Target)
	if u.FileType != "" {
		first += st.faint.Render(" (" + u.FileType + ")")
	}
	if summary != "" {
		first += st.subtle.Render(" · " + oneLine(summary))
	}
	var second string
	switch {
	case c.fetch == nil:
	case d.loading:
		second = st.faint.Render("links: looking up…")
	case d.err != nil:
		second = st.faint.Render("links unavailable: " + oneLine(d.err.Error()))
	case len(d.details.Links) > 0:
		var parts []string
		for _, l := range d.details.Links {
			parts = append(parts, st.subtle.Render(l.Label+" ")+st.link.Render(l.URL))
		}
		second = strings.Join(parts, st.faint.Render(" · "))
	}
	if note := pip.DetailsNote(p, u.Candidate, c.now); note != "" {
		if second != "" {
			second = st.faint.Render(" · ") + second
		}
		second = st.subtle.Render(note) + second
	}
	if p.HeldBack() {
		hold := st.warn.Render(c.choice.HoldNote(r.idx, c.keys.Pair.Help().Key))
		if second != "" {
			hold += st.faint.Render(" · ") + second
		}
		second = hold
	}
	if v := c.vulnLine(r.idx); v != "" {
		// The advisories come first: they are why the row is where it is.
		if second != "" {
			v += st.faint.Render(" · ") + second
		}
		second = v
	}
	return first, second
}

func (c chooseModel) statusView() string {
	st := c.st
	if c.keys.filtering {
		return c.filter.View()
	}
	if c.status != "" {
		return st.warn.Render(c.status)
	}
	n, major := 0, 0
	for i := range c.choice.Len() {
		if c.choice.Ticked(i) {
			n++
			if c.choice.Upgrade(i).Bump == pip.BumpMajor {
				major++
			}
		}
	}
	s := fmt.Sprintf("%d of %d selected", n, c.choice.Len())
	if major > 0 {
		s += fmt.Sprintf(" (%d major)", major)
	}
	s += " · sorted by " + c.sort.String()
	if q := c.filter.Value(); q != "" {
		shown := 0
		for _, r := range c.rows {
			if r.kind == rowPackage {
				shown++
			}
		}
		s += fmt.Sprintf(" · filter %q: %d shown", q, shown)
	}
	return st.subtle.Render(s)
}
