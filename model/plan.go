package model

import (
	"fmt"

	"github.com/charmbracelet/lipgloss"

	"github.com/pipup/pipup/pip"
)

// The confirm screen's account of the plan: how it adjusted the choice,
// what it breaks, what it could not check.

// planStatus is the one line said while the plan is being checked or when
// it failed; nil otherwise.
func (c confirmModel) planStatus(frame int) []string {
	st := c.st
	switch {
	case c.planning:
		return []string{"  " + st.accent.Render(spinnerFrame(frame, 0)) + " " +
			st.text.Render("Checking the plan against the environment…")}
	case c.planErr != nil:
		return []string{
			st.errLine.Render("  The plan could not be checked: ") + st.bad.Render(oneLine(c.planErr.Error())),
			st.subtle.Render("  Nothing will be changed; go back to change the choice, or quit."),
		}
	case c.plan != nil && len(c.plan.Packages) == 0:
		return []string{st.warn.Render("  Every package was dropped: nothing would be left to upgrade.")}
	}
	return nil
}

// planBlocks lists the plan's conflicts, changes and warnings, loudest
// first.
func (c confirmModel) planBlocks() []listBlock {
	if c.plan == nil {
		return nil
	}
	st := c.st
	var out []listBlock
	if len(c.plan.Conflicts) > 0 {
		b := listBlock{head: st.errLine.Render("  These requirements will be broken (--force-latest):")}
		for _, k := range c.plan.Conflicts {
			b.items = append(b.items, st.bad.Render("    ✗ "+k.String()))
		}
		out = append(out, b)
	}
	if len(c.plan.Changes) > 0 {
		b := listBlock{head: st.groupHeader.Render("  The checks changed the choice:")}
		for _, ch := range c.plan.Changes {
			mark, style := changeMark(st, ch.Kind)
			b.items = append(b.items, style.Render("    "+mark+" "+ch.String()))
		}
		out = append(out, b)
	}
	if len(c.plan.Warnings) > 0 {
		b := listBlock{head: st.subtle.Render("  Not checked here (pip's resolver checks these when it installs):")}
		for _, w := range c.plan.Warnings {
			b.items = append(b.items, st.subtle.Render("    · "+w))
		}
		out = append(out, b)
	}
	return out
}

// changeMark is a change's marker and colour: what the plan adds is good
// news, what it holds back is a warning. The marker says it without
// colour; the words come from PlanChange.String.
func changeMark(st styles, k pip.ChangeKind) (string, lipgloss.Style) {
	switch k {
	case pip.ChangeAdded:
		return "+", st.ok
	case pip.ChangeTogether:
		return "↑", st.ok
	case pip.ChangeLowered:
		return "↓", st.warn
	case pip.ChangeDropped:
		return "–", st.warn
	}
	return "·", st.text
}

// listBlock is a heading and its lines, cut to fit by fitBlocks.
type listBlock struct {
	head  string
	items []string
}

func (b listBlock) want() int { return 1 + len(b.items) }

// render writes the block in n lines (heading included), ending the list
// with "… and N more" when it is cut.
func (b listBlock) render(st styles, n int) string {
	if n <= 0 {
		return ""
	}
	out := b.head + "\n"
	if n >= b.want() {
		for _, it := range b.items {
			out += it + "\n"
		}
		return out
	}
	k := max(n-2, 0)
	for _, it := range b.items[:k] {
		out += it + "\n"
	}
	if n >= 2 {
		out += st.subtle.Render(fmt.Sprintf("    … and %d more", len(b.items)-k)) + "\n"
	}
	return out
}

// fitBlocks shares room lines among the blocks: each gets what it wants
// when all fit; otherwise the longest is cut first, one line at a time,
// down to its heading and its "… and N more" line. When even those do not
// fit, the last blocks get nothing.
func fitBlocks(blocks []listBlock, room int) []int {
	n := make([]int, len(blocks))
	total := 0
	for i, b := range blocks {
		n[i] = b.want()
		total += n[i]
	}
	for total > room {
		longest := -1
		for i, b := range blocks {
			if n[i] > min(2, b.want()) && (longest < 0 || n[i] > n[longest]) {
				longest = i
			}
		}
		if longest < 0 {
			break
		}
		n[longest]--
		total--
	}
	for i := len(n) - 1; i >= 0 && total > room; i-- {
		total -= n[i]
		n[i] = 0
	}
	return n
}

// cleanPlan copies a plan with its outside text (names, versions,
// requirements from package metadata) cleaned for the terminal.
func cleanPlan(p *pip.Plan) *pip.Plan {
	out := &pip.Plan{
		Packages:  make([]pip.Upgrade, len(p.Packages)),
		Changes:   make([]pip.PlanChange, len(p.Changes)),
		Conflicts: make([]pip.Conflict, len(p.Conflicts)),
		Warnings:  make([]string, len(p.Warnings)),
	}
	for i, pk := range p.Packages {
		out.Packages[i] = cleanUpgrade(pk)
	}
	for i, c := range p.Changes {
		out.Changes[i] = pip.PlanChange{Kind: c.Kind, Name: clean(c.Name), From: clean(c.From), To: clean(c.To),
			Asked: clean(c.Asked), Reason: oneLine(c.Reason)}
	}
	for i, c := range p.Conflicts {
		out.Conflicts[i] = pip.Conflict{Dependent: clean(c.Dependent), Version: clean(c.Version),
			Requirement: clean(c.Requirement), Name: clean(c.Name), Have: clean(c.Have)}
	}
	for i, w := range p.Warnings {
		out.Warnings[i] = oneLine(w)
	}
	return out
}
