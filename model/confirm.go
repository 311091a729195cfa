package model

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// confirmModel is the confirm screen: what will change, where, and the keys
// to go on or back. It refuses, with the reason, when the environment must
// not be changed or upgrades are unavailable.
type confirmModel struct {
	st     styles
	keys   confirmKeys
	help   help.Model
	pkgs   []pip.PackageChecked
	target Target
	// refusal is why this run cannot upgrade ("" when it can).
	refusal string
}

func newConfirmModel(st styles, pkgs []pip.PackageChecked, t Target, canUpgrade bool) confirmModel {
	c := confirmModel{st: st, keys: newConfirmKeys(), help: st.newHelp(), pkgs: pkgs, target: t}
	switch {
	case t.ExternallyManaged != "":
		c.refusal = "This environment is externally managed (PEP 668), so pipup will not change it:\n\n" +
			t.ExternallyManaged
	case !canUpgrade:
		c.refusal = "Upgrading is not available in this build of pipup yet.\n" +
			"`pipup list` shows the same packages; upgrade them with pip for now."
	}
	c.keys.canConfirm = c.refusal == ""
	return c
}

func (c confirmModel) update(msg tea.Msg) (confirmModel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return c, nil
	}
	switch {
	case key.Matches(k, c.keys.Confirm) && c.refusal == "":
		return c, emit(upgradeApprovedMsg{})
	case key.Matches(k, c.keys.Back):
		return c, emit(backToListMsg{})
	case key.Matches(k, c.keys.Quit):
		return c, emit(quitRequestedMsg{})
	}
	return c, nil
}

func (c confirmModel) view(w, h int) string {
	st := c.st
	var b strings.Builder
	var major []pip.PackageChecked
	for _, p := range c.pkgs {
		if p.Bump == pip.BumpMajor || p.Bump == pip.BumpPre {
			major = append(major, p)
		}
	}
	title := "Upgrade " + plural(len(c.pkgs), "package", "packages") + "?"
	if len(major) > 0 {
		title += fmt.Sprintf("  (%d major or pre-release)", len(major))
	}
	b.WriteString(st.title.Render(title) + "\n\n")

	python := c.target.Python
	if python == "" {
		python = "(unknown interpreter)"
	}
	b.WriteString(st.subtle.Render("  Interpreter  ") + st.text.Render(python) + "\n")
	env := st.text.Render("virtual environment")
	if !c.target.InVenv {
		env = st.warn.Render("not a virtual environment: this changes the interpreter's own packages")
	}
	b.WriteString(st.subtle.Render("  Environment  ") + env + "\n")
	if c.refusal == "" {
		b.WriteString(c.packagesView(w) + "\n")
	}
	b.WriteString("\n")

	if c.refusal != "" {
		b.WriteString(st.errLine.Render("Nothing will be changed.") + "\n")
		for _, l := range strings.Split(c.refusal, "\n") {
			b.WriteString("  " + st.text.Render(l) + "\n")
		}
		return c.frame(b.String(), w, h)
	}

	// Major upgrades are where breakage lives: name them all (as many as
	// fit); the rest are counted.
	room := max(h-12, 3)
	if len(major) > 0 {
		b.WriteString(st.bumpStyle(pip.BumpMajor).Render("  May break code that uses them:") + "\n")
		for i, p := range major {
			if i == room-1 && len(major) > room {
				b.WriteString(st.subtle.Render(fmt.Sprintf("    … and %d more", len(major)-i)) + "\n")
				break
			}
			b.WriteString("    " + st.text.Render(p.Name) + st.subtle.Render(" "+p.Version+" → ") +
				st.bumpStyle(p.Bump).Render(p.Latest+" "+string(p.Bump)) + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString(st.subtle.Render("  Each package goes to exactly the version shown; one that fails leaves the") + "\n")
	b.WriteString(st.subtle.Render("  others alone. Ctrl-C stops safely. The summary shows how to undo the run.") + "\n")
	return c.frame(b.String(), w, h)
}

// packagesView names the chosen packages, wrapped to the window and cut
// after three lines.
func (c confirmModel) packagesView(w int) string {
	const label, indent = "  Packages     ", "               "
	var lines []string
	line := ""
	for i, p := range c.pkgs {
		name := p.Name
		if i < len(c.pkgs)-1 {
			name += ","
		}
		if line != "" && width(indent+line+" "+name) > w {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += name
	}
	lines = append(lines, line)
	if len(lines) > 3 {
		lines = append(lines[:2], fmt.Sprintf("… and %d more", len(c.pkgs)-strings.Count(strings.Join(lines[:2], " "), ",")))
	}
	out := c.st.subtle.Render(label) + c.st.text.Render(lines[0])
	for _, l := range lines[1:] {
		out += "\n" + indent + c.st.text.Render(l)
	}
	return out
}

func (c confirmModel) frame(body string, w, h int) string {
	c.help.Width = w
	return clipLines(padLines(strings.TrimSuffix(body, "\n"), h-1), w) + "\n" + c.help.View(c.keys)
}
