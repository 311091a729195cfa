package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// confirmModel is the confirm screen: what will change, where, and the keys
// to go on or back. It refuses, with the reason, when the environment must
// not be changed or upgrades are unavailable. With a Plan engine it shows
// the plan (how it adjusts the choice, what it breaks) and approves only
// the plan, once it has arrived.
type confirmModel struct {
	st     styles
	keys   confirmKeys
	help   help.Model
	pkgs   []pip.Upgrade // the choice
	target Target
	// refusal is why this run cannot upgrade ("" when it can).
	refusal string

	planned  bool      // a Plan engine checks the choice
	planning bool      // its answer has not come yet
	plan     *pip.Plan // cleaned; nil until it comes
	planErr  error
}

func newConfirmModel(st styles, pkgs []pip.Upgrade, t Target, canUpgrade bool) confirmModel {
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

// planStarted waits for the plan before anything can be approved.
func (c confirmModel) planStarted() confirmModel {
	c.planned, c.planning = true, true
	c.keys.canConfirm = false
	return c
}

// withPlan takes the Plan engine's answer.
func (c confirmModel) withPlan(p *pip.Plan, err error) confirmModel {
	c.planning = false
	c.plan, c.planErr = nil, err
	if err == nil {
		c.plan = cleanPlan(p)
	}
	_, c.keys.canConfirm = c.approved()
	return c
}

// approved is what Enter upgrades, and whether it may: the plan's packages
// once the plan is in (and not empty), the choice when there is no Plan
// engine.
func (c confirmModel) approved() ([]pip.Upgrade, bool) {
	switch {
	case c.refusal != "":
		return nil, false
	case !c.planned:
		return c.pkgs, len(c.pkgs) > 0
	case c.planning || c.planErr != nil || c.plan == nil || len(c.plan.Packages) == 0:
		return nil, false
	}
	return c.plan.Packages, true
}

// upgrades are the packages the screen counts and names: the plan's once
// it is in, the choice until then.
func (c confirmModel) upgrades() []pip.Upgrade {
	if c.plan != nil {
		return c.plan.Packages
	}
	return c.pkgs
}

func (c confirmModel) update(msg tea.Msg) (confirmModel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return c, nil
	}
	switch {
	case key.Matches(k, c.keys.Confirm):
		if _, ok := c.approved(); ok {
			return c, emit(upgradeApprovedMsg{})
		}
	case key.Matches(k, c.keys.Back):
		return c, emit(backToListMsg{})
	case key.Matches(k, c.keys.Quit):
		return c, emit(quitRequestedMsg{})
	}
	return c, nil
}

func (c confirmModel) view(w, h, frame int) string {
	st := c.st
	var b strings.Builder
	pkgs := c.upgrades()
	var major []pip.Upgrade
	for _, p := range pkgs {
		if p.Bump == pip.BumpMajor || p.Bump == pip.BumpPre {
			major = append(major, p)
		}
	}
	empty := c.plan != nil && len(pkgs) == 0
	title := "Upgrade " + plural(len(pkgs), "package", "packages") + "?"
	if len(major) > 0 {
		title += fmt.Sprintf("  (%d major or pre-release)", len(major))
	}
	if empty {
		title = "Nothing to upgrade after the checks"
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

	if c.refusal != "" {
		b.WriteString("\n")
		b.WriteString(st.errLine.Render("Nothing will be changed.") + "\n")
		for _, l := range strings.Split(c.refusal, "\n") {
			b.WriteString("  " + st.text.Render(l) + "\n")
		}
		return c.frame(b.String(), w, h)
	}

	// Everything but the lists has a fixed height; the lists share what is
	// left of the window, each cut with "… and N more" as needed.
	status := c.planStatus(frame)
	var pkgLines []string
	if !empty {
		pkgLines = c.packagesView(pkgs, w)
	}
	_, canConfirm := c.approved()
	fixed := strings.Count(b.String(), "\n") + len(pkgLines) + 1
	if canConfirm {
		fixed += 2 // the closing note
	}
	planBlocks := c.planBlocks()
	if len(status) > 0 || len(planBlocks) > 0 {
		fixed++ // the blank line above the plan
	}
	if (len(status) > 0 || len(planBlocks) > 0) && len(pkgLines) > 0 {
		fixed++ // and below it
	}
	fixed += len(status)
	blocks := planBlocks
	if len(major) > 0 {
		fixed++ // the blank line below the majors
		// Major upgrades are where breakage lives: name them all (as many
		// as fit); the rest are counted.
		mb := listBlock{head: st.bumpStyle(pip.BumpMajor).Render("  May break code that uses them:")}
		for _, p := range major {
			mb.items = append(mb.items, "    "+st.text.Render(p.Name)+st.subtle.Render(" "+p.From+" → ")+
				st.bumpStyle(p.Bump).Render(p.Target+" "+string(p.Bump)))
		}
		blocks = append(blocks, mb)
	}
	shown := fitBlocks(blocks, h-1-fixed)

	if len(status) > 0 || len(planBlocks) > 0 {
		b.WriteString("\n")
	}
	for _, l := range status {
		b.WriteString(l + "\n")
	}
	for i, bl := range planBlocks {
		b.WriteString(bl.render(st, shown[i]))
	}
	if (len(status) > 0 || len(planBlocks) > 0) && len(pkgLines) > 0 {
		b.WriteString("\n")
	}
	for _, l := range pkgLines {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	if len(major) > 0 {
		b.WriteString(blocks[len(blocks)-1].render(st, shown[len(blocks)-1]) + "\n")
	}
	if canConfirm {
		b.WriteString(st.subtle.Render("  Each package goes to exactly the version shown; one that fails leaves the") + "\n")
		b.WriteString(st.subtle.Render("  others alone. Ctrl-C stops safely. The summary shows how to undo the run.") + "\n")
	}
	return c.frame(b.String(), w, h)
}

// packagesView names the packages in name order (as the choice is),
// wrapped to the window and cut after three lines.
func (c confirmModel) packagesView(pkgs []pip.Upgrade, w int) []string {
	const label, indent = "  Packages     ", "               "
	pkgs = slices.Clone(pkgs)
	slices.SortStableFunc(pkgs, func(a, b pip.Upgrade) int { return strings.Compare(canonical(a.Name), canonical(b.Name)) })
	var lines []string
	line := ""
	for i, p := range pkgs {
		name := p.Name
		if i < len(pkgs)-1 {
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
		lines = append(lines[:2], fmt.Sprintf("… and %d more", len(pkgs)-strings.Count(strings.Join(lines[:2], " "), ",")))
	}
	out := []string{c.st.subtle.Render(label) + c.st.text.Render(lines[0])}
	for _, l := range lines[1:] {
		out = append(out, indent+c.st.text.Render(l))
	}
	return out
}

func (c confirmModel) frame(body string, w, h int) string {
	c.help.Width = w
	return clipLines(padLines(strings.TrimSuffix(body, "\n"), h-1), w) + "\n" + c.help.View(c.keys)
}
