package model

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// The Ignored group: packages pipup's settings say never to offer, shown
// collapsed under the table. `i` ignores the highlighted package from now
// on and `u` takes an ignored one back; the engine writes the settings
// file (Engines.Ignore, Unignore), the model only asks and shows.

// ignoredPkg is one row of the Ignored group.
type ignoredPkg struct {
	name, version string
	now           bool // ignored in this run, with `i`
	back          bool // taken back with `u`: offered from the next run
}

// ignoreMsg is the engine's answer to `i` (back false) or `u` (back true).
type ignoreMsg struct {
	name, version string
	back          bool
	line          string // what was done, for the status line
	err           error
}

func ignoreCmd(f func(name string) (string, error), name, version string, back bool) tea.Cmd {
	return guard(func() tea.Msg {
		line, err := f(name)
		return ignoreMsg{name: name, version: version, back: back, line: line, err: err}
	})
}

func ignoredOf(evs []pip.PackageIgnored) []ignoredPkg {
	out := make([]ignoredPkg, len(evs))
	for i, e := range evs {
		out[i] = ignoredPkg{name: e.Name, version: e.Version}
	}
	return out
}

// ignoreKey handles `i` and `u` on the highlighted row.
func (c chooseModel) ignoreKey(back bool) (chooseModel, tea.Cmd) {
	r, ok := c.current()
	f := c.ignore
	if back {
		f = c.unignore
	}
	switch {
	case !ok || (!back && r.kind != rowPackage) || (back && r.kind != rowIgnored):
		return c, nil
	case f == nil:
		c.status = "Ignoring is not available here."
		return c, nil
	}
	if back {
		p := c.ignored[r.idx]
		if p.back {
			return c, nil
		}
		return c, ignoreCmd(f, p.name, p.version, true)
	}
	p := c.choice.Offer(r.idx).Package
	return c, ignoreCmd(f, p.Name, p.Version, false)
}

// ignoreDone shows the engine's answer: an ignored package leaves the
// table for the Ignored group; one taken back is marked so.
func (c chooseModel) ignoreDone(msg ignoreMsg) chooseModel {
	if msg.err != nil {
		verb := "ignore"
		if msg.back {
			verb = "take back"
		}
		c.status = fmt.Sprintf("Could not %s %s: %s", verb, msg.name, oneLine(msg.err.Error()))
		return c
	}
	c.status = msg.line
	c.ignored = append([]ignoredPkg(nil), c.ignored...) // copy on write
	if msg.back {
		for i, p := range c.ignored {
			if canonical(p.name) == canonical(msg.name) {
				c.ignored[i].back = true
			}
		}
		c.rebuild()
		return c
	}
	var note string
	c.choice, note = c.choice.Without(msg.name)
	if note != "" {
		c.status += " " + note
	}
	c.ignored = append(c.ignored, ignoredPkg{name: msg.name, version: msg.version, now: true})
	c.rebuild()
	return c
}

// ignoredRows are the Ignored group's rows: its heading, and its packages
// when it is open (or when the filter matches them).
func (c chooseModel) ignoredRows(match func(string) bool) []row {
	if len(c.ignored) == 0 {
		return nil
	}
	var rows []row
	for i, p := range c.ignored {
		if match(p.name) {
			rows = append(rows, row{kind: rowIgnored, idx: i})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if !c.ignoredOpen {
		rows = nil
	}
	return append([]row{{kind: rowIgnoredHead}}, rows...)
}

func (c chooseModel) ignoredHeadView(cur bool) string {
	st := c.st
	marker := "  "
	if cur {
		marker = st.cursorRow.Render("›") + " "
	}
	show := "space shows them"
	if c.ignoredOpen {
		show = "space hides them"
	}
	return marker + st.groupHeader.Render("Ignored") + "  " +
		st.subtle.Render(fmt.Sprintf("%s, never offered · %s", plural(len(c.ignored), "package", "packages"), show))
}

func (c chooseModel) ignoredRowView(i int, cur bool, col columns) string {
	st := c.st
	p := c.ignored[i]
	marker, nameStyle := "  ", st.text
	if cur {
		marker, nameStyle = st.cursorRow.Render("›")+" ", st.cursorRow
	}
	state := "ignored by pipup's settings"
	switch {
	case p.back:
		state = "taken back: offered from the next run"
	case p.now:
		state = "ignored from now on"
	}
	return marker + st.faint.Render(" ·  ") + nameStyle.Render(fit(p.name, col.name)) + " " +
		st.subtle.Render(fit(p.version, col.installed)+"   "+state)
}

func (c chooseModel) ignoredDetails(i int) (string, string) {
	st := c.st
	p := c.ignored[i]
	if p.back {
		return st.text.Render(p.name+" "+p.version) + st.subtle.Render(" was taken back: the next run offers it again."), ""
	}
	return st.text.Render(p.name+" "+p.version) + st.subtle.Render(" is ignored: pipup does not look it up or offer it."),
		st.faint.Render(c.keys.Unignore.Help().Key + " takes it back (from the next run)")
}
