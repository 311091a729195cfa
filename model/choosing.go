package model

import (
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// sortMode is how the table is ordered; `s` cycles through them.
type sortMode int

const (
	sortBump sortMode = iota // grouped by bump kind, like `ncu -i --format group`
	sortName
	numSortModes
)

func (s sortMode) String() string {
	if s == sortName {
		return "name"
	}
	return "bump kind"
}

// bumpOrder is the group order: the safest upgrades first.
func bumpOrder(b pip.Bump) int {
	switch b {
	case bumpSecurity:
		return -1
	case pip.BumpPatch:
		return 0
	case pip.BumpMinor:
		return 1
	case pip.BumpMajor:
		return 2
	case pip.BumpPre:
		return 3
	}
	return 4
}

// rowKind tells table rows apart.
type rowKind int

const (
	rowPackage    rowKind = iota
	rowGroup              // a bump-kind heading
	rowNotChecked         // the heading of skipped and failed packages
	rowSkipped
	rowFailed
	rowIgnoredHead // the Ignored group's heading: space opens it
	rowIgnored
)

// row is one line of the table; idx points into the choice's offers,
// skipped, failed or ignored.
type row struct {
	kind rowKind
	idx  int
	bump pip.Bump
}

// detailState is the lazily fetched details of one package.
type detailState struct {
	loading bool
	details Details
	err     error
}

// scanSummary is what the choosing screen says about the scan it came from.
type scanSummary struct {
	checked int
	elapsed time.Duration
	stopped bool  // the user stopped the scan early
	total   int   // packages the scan meant to check
	err     error // the scan ended with this error
}

// chooseModel is the choosing screen: a selectable, filterable table of
// the outdated packages, with skipped and failed ones in their own section.
type chooseModel struct {
	st     styles
	keys   chooseKeys
	help   help.Model
	filter textinput.Model

	// choice is the offers and what is ticked; pip decides what each key
	// does to it (versions, pre-selection, pairs).
	choice  pip.Choice
	skipped []pip.PackageSkipped
	failed  []pip.PackageFailed
	ignored []ignoredPkg
	// ignoredOpen shows the Ignored group's packages (it starts closed).
	ignoredOpen bool
	// ignore and unignore are Engines.Ignore and Unignore, called only in
	// commands; nil when the engine has none.
	ignore, unignore func(name string) (string, error)
	scan             scanSummary
	target           Target

	sort   sortMode
	rows   []row // derived from the above by rebuild
	cursor int   // index into rows
	offset int   // first row shown
	width  int
	height int
	status string    // a transient hint, cleared by the next key
	now    time.Time // when the table appeared: release ages are told from it

	// fetch starts a details lookup; nil when the engine has none.
	fetch      func(pip.PackageChecked) tea.Cmd
	details    map[string]detailState
	detailsSeq int
}

func newChooseModel(st styles, s scanModel, sum scanSummary, t Target, fetch func(pip.PackageChecked) tea.Cmd) chooseModel {
	c := chooseModel{
		st: st, keys: newChooseKeys(), help: st.newHelp(), filter: st.newFilterInput(),
		skipped: s.skipped, failed: s.failed, scan: sum, target: t, now: s.now,
		fetch: fetch, details: map[string]detailState{},
		width: 80, height: 24,
	}
	c.choice = pip.NewChoice(s.outdated)
	for _, v := range s.vulns {
		c.choice = c.choice.WithVulns(v)
	}
	c.ignored = ignoredOf(s.ignored)
	c.rebuild()
	return c
}

// init starts the details lookup for the first highlighted package.
func (c chooseModel) init() (chooseModel, tea.Cmd) { return c.cursorMoved() }

func (c chooseModel) setSize(w, h int) chooseModel {
	c.width, c.height = w, h
	c.help.Width = w
	c.filter.Width = max(w-20, 10)
	c.scrollToCursor()
	return c
}

// rebuild derives the rows from the choice, the sort and the filter,
// keeping the cursor on the same package when it is still shown.
func (c *chooseModel) rebuild() {
	var keep *row
	if c.cursor >= 0 && c.cursor < len(c.rows) {
		r := c.rows[c.cursor]
		keep = &r
	}
	q := canonical(strings.TrimSpace(c.filter.Value()))
	match := func(name string) bool { return q == "" || strings.Contains(canonical(name), q) }

	// Each shown offer's group and sort name, read once: the sort compares
	// them many times, and groupOf measures every advisory of the offer.
	var pkgs []int
	group, name := make([]pip.Bump, c.choice.Len()), make([]string, c.choice.Len())
	for i := range c.choice.Len() {
		if n := c.choice.Offer(i).Package.Name; match(n) {
			pkgs = append(pkgs, i)
			group[i], name[i] = c.groupOf(i), canonical(n)
		}
	}
	sort.SliceStable(pkgs, func(a, b int) bool {
		ga, gb := group[pkgs[a]], group[pkgs[b]]
		if c.sort == sortBump && bumpOrder(ga) != bumpOrder(gb) {
			return bumpOrder(ga) < bumpOrder(gb)
		}
		return name[pkgs[a]] < name[pkgs[b]]
	})

	c.rows = nil // a fresh slice: earlier copies of the model keep theirs
	for n, i := range pkgs {
		b := group[i]
		if c.sort == sortBump && (n == 0 || group[pkgs[n-1]] != b) {
			c.rows = append(c.rows, row{kind: rowGroup, bump: b})
		}
		c.rows = append(c.rows, row{kind: rowPackage, idx: i, bump: b})
	}
	var rest []row
	for i, s := range c.skipped {
		if match(s.Name) {
			rest = append(rest, row{kind: rowSkipped, idx: i})
		}
	}
	for i, f := range c.failed {
		if match(f.Name) {
			rest = append(rest, row{kind: rowFailed, idx: i})
		}
	}
	if len(rest) > 0 {
		c.rows = append(c.rows, row{kind: rowNotChecked})
		c.rows = append(c.rows, rest...)
	}
	c.rows = append(c.rows, c.ignoredRows(match)...)

	c.cursor = c.firstSelectable(0, 1)
	if keep != nil {
		for i, r := range c.rows {
			if r.kind == keep.kind && r.idx == keep.idx && r.kind != rowGroup && r.kind != rowNotChecked {
				c.cursor = i
				break
			}
		}
	}
	c.scrollToCursor()
}

func selectable(r row) bool { return r.kind != rowGroup && r.kind != rowNotChecked }

// firstSelectable finds the nearest selectable row from i in direction dir,
// falling back to the other direction; -1 when the table has none.
func (c chooseModel) firstSelectable(i, dir int) int {
	for j := i; j >= 0 && j < len(c.rows); j += dir {
		if selectable(c.rows[j]) {
			return j
		}
	}
	for j := i; j >= 0 && j < len(c.rows); j -= dir {
		if selectable(c.rows[j]) {
			return j
		}
	}
	return -1
}

// move puts the cursor n selectable rows away (negative: up), clamped.
func (c *chooseModel) move(n int) {
	if c.cursor < 0 {
		return
	}
	dir := 1
	if n < 0 {
		dir, n = -1, -n
	}
	for ; n > 0; n-- {
		next := -1
		for j := c.cursor + dir; j >= 0 && j < len(c.rows); j += dir {
			if selectable(c.rows[j]) {
				next = j
				break
			}
		}
		if next < 0 {
			break
		}
		c.cursor = next
	}
	c.scrollToCursor()
}

// page moves the cursor one screen of rows up or down, onto the nearest
// selectable row.
func (c *chooseModel) page(dir int) {
	if c.cursor < 0 {
		return
	}
	target := clamp(c.cursor+dir*c.tableHeight(), 0, len(c.rows)-1)
	if j := c.firstSelectable(target, dir); j >= 0 {
		c.cursor = j
	}
	c.scrollToCursor()
}

// scrollToCursor keeps the cursor row (and the heading right above it) in
// view.
func (c *chooseModel) scrollToCursor() {
	h := c.tableHeight()
	if c.cursor < 0 {
		c.offset = 0
		return
	}
	top := c.cursor
	if top > 0 && !selectable(c.rows[top-1]) {
		top-- // show the group heading with its first row
	}
	if top < c.offset {
		c.offset = top
	}
	if c.cursor >= c.offset+h {
		c.offset = c.cursor - h + 1
	}
	c.offset = clamp(c.offset, 0, len(c.rows)-h)
}

func (c chooseModel) update(msg tea.Msg) (chooseModel, tea.Cmd) {
	switch msg := msg.(type) {
	case detailsDueMsg:
		if msg.seq != c.detailsSeq || c.fetch == nil {
			return c, nil
		}
		if _, ok := c.details[canonical(msg.pkg.Name)]; ok {
			return c, nil
		}
		c.details = maps.Clone(c.details)
		c.details[canonical(msg.pkg.Name)] = detailState{loading: true}
		return c, c.fetch(msg.pkg)
	case detailsMsg:
		c.details = maps.Clone(c.details)
		c.details[canonical(msg.name)] = detailState{details: cleanDetails(msg.details), err: msg.err}
		return c, nil
	case tea.KeyMsg:
		if c.keys.filtering {
			return c.updateFilter(msg)
		}
		return c.updateKey(msg)
	}
	return c, nil
}

func (c chooseModel) updateKey(msg tea.KeyMsg) (chooseModel, tea.Cmd) {
	c.status = ""
	k := c.keys
	switch {
	case key.Matches(msg, k.Up):
		c.move(-1)
	case key.Matches(msg, k.Down):
		c.move(1)
	case key.Matches(msg, k.PageUp):
		c.page(-1)
	case key.Matches(msg, k.PageDown):
		c.page(1)
	case key.Matches(msg, k.Home):
		c.move(-len(c.rows))
	case key.Matches(msg, k.End):
		c.move(len(c.rows))
	case key.Matches(msg, k.Ignore), key.Matches(msg, k.Unignore):
		return c.ignoreKey(key.Matches(msg, k.Unignore))
	case key.Matches(msg, k.Toggle):
		if r, ok := c.current(); ok && r.kind == rowIgnoredHead {
			c.ignoredOpen = !c.ignoredOpen
			c.rebuild()
			return c, nil
		}
		if r, ok := c.current(); ok && r.kind == rowPackage {
			c.tick(!c.choice.Ticked(r.idx), r.idx)
		}
		return c, nil
	case key.Matches(msg, k.Pair):
		if r, ok := c.current(); ok && r.kind == rowPackage {
			c.choice = c.choice.TickPair(r.idx)
			c.rebuild() // the bump kind, and so the group, may have changed
		}
		return c, nil
	case key.Matches(msg, k.All), key.Matches(msg, k.None):
		var shown []int
		for _, r := range c.rows {
			if r.kind == rowPackage {
				shown = append(shown, r.idx)
			}
		}
		c.tick(key.Matches(msg, k.All), shown...)
		return c, nil
	case key.Matches(msg, k.Filter):
		c.keys.filtering = true
		return c, c.filter.Focus()
	case key.Matches(msg, k.FilterClear) && c.filter.Value() != "":
		c.filter.SetValue("")
		c.rebuild()
	case key.Matches(msg, k.Sort):
		c.sort = (c.sort + 1) % numSortModes
		c.rebuild()
	case key.Matches(msg, k.Continue):
		if c.selectedCount() == 0 {
			c.status = "Nothing is selected: space ticks the highlighted package, a ticks all."
			return c, nil
		}
		return c, emit(confirmRequestedMsg{})
	case key.Matches(msg, k.Help):
		c.help.ShowAll = !c.help.ShowAll
		c.scrollToCursor()
		return c, nil
	case key.Matches(msg, k.Quit):
		return c, emit(quitRequestedMsg{})
	default:
		return c, nil
	}
	return c.cursorMoved()
}

// updateFilter sends keys to the filter box; arrows still move the cursor.
func (c chooseModel) updateFilter(msg tea.KeyMsg) (chooseModel, tea.Cmd) {
	k := c.keys
	switch {
	case key.Matches(msg, k.FilterClear):
		c.filter.SetValue("")
		c.filter.Blur()
		c.keys.filtering = false
		c.rebuild()
		return c.cursorMoved()
	case key.Matches(msg, k.FilterAccept):
		c.filter.Blur()
		c.keys.filtering = false
		return c, nil
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown:
		if msg.Type == tea.KeyUp {
			c.move(-1)
		} else {
			c.move(1)
		}
		return c.cursorMoved()
	}
	before := c.filter.Value()
	var cmd tea.Cmd
	c.filter, cmd = c.filter.Update(msg)
	if c.filter.Value() != before {
		c.rebuild()
		next, dcmd := c.cursorMoved()
		return next, tea.Batch(cmd, dcmd)
	}
	return c, cmd
}

// cursorMoved schedules the details lookup for the highlighted package.
func (c chooseModel) cursorMoved() (chooseModel, tea.Cmd) {
	r, ok := c.current()
	if !ok || r.kind != rowPackage || c.fetch == nil {
		return c, nil
	}
	p := c.choice.Offer(r.idx).Package
	if _, ok := c.details[canonical(p.Name)]; ok {
		return c, nil
	}
	c.detailsSeq++
	return c, detailsAfter(p, c.detailsSeq)
}

func (c chooseModel) current() (row, bool) {
	if c.cursor < 0 || c.cursor >= len(c.rows) {
		return row{}, false
	}
	return c.rows[c.cursor], true
}

func (c chooseModel) selectedCount() int {
	n := 0
	for i := range c.choice.Len() {
		if c.choice.Ticked(i) {
			n++
		}
	}
	return n
}

// tick ticks or unticks offers; the status line says when that broke a
// pair, and the rows follow the versions the choice settled on.
func (c *chooseModel) tick(on bool, idx ...int) {
	var note string
	c.choice, note = c.choice.Tick(on, idx...)
	if note != "" {
		c.status = note
	}
	c.rebuild()
}

// selection is what the user ticked, in name order (filtered-out rows
// that are ticked included: the filter narrows the view, not the choice).
func (c chooseModel) selection() []pip.Upgrade { return c.choice.Chosen() }
