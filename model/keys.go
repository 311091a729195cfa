package model

import "github.com/charmbracelet/bubbles/key"

// Key bindings are declared once here; Update code matches them with
// key.Matches and the help bar renders them, so what the screen says and
// what the keys do cannot drift apart.

// globalKeys work on every screen.
type globalKeys struct {
	Interrupt key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// scanKeys are the scanning screen's keys.
type scanKeys struct {
	Stop, Interrupt key.Binding
}

func newScanKeys() scanKeys {
	return scanKeys{
		Stop:      key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "stop and show what was found")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

func (k scanKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Stop, k.Interrupt} }
func (k scanKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// chooseKeys are the table's keys; the filter keys take over while the
// filter box has focus.
type chooseKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Toggle, All, None, Filter, Sort       key.Binding
	Continue, Help, Quit                  key.Binding
	FilterAccept, FilterClear             key.Binding
	// Pair ticks a held-back package with the upgrades that free it; it
	// is shown only while the highlighted package has such a pair.
	Pair key.Binding
	// Ignore ignores the highlighted package from now on; Unignore, on a
	// row of the Ignored group, takes it back.
	Ignore, Unignore key.Binding
	// move only labels ↑/↓ in the short help, which has no room for both.
	move      key.Binding
	filtering bool
	pairable  bool
	onIgnored bool // the cursor is in the Ignored group
}

func newChooseKeys() chooseKeys {
	return chooseKeys{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first")),
		End:          key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last")),
		Toggle:       key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", "toggle")),
		All:          key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "select all shown")),
		None:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "select none")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:         key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Continue:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "upgrade…")),
		Help:         key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:         key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "quit")),
		FilterAccept: key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "keep filter")),
		FilterClear:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Pair:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "select pair")),
		Ignore:       key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "ignore")),
		Unignore:     key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "un-ignore")),
		move:         key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
	}
}

func (k chooseKeys) ShortHelp() []key.Binding {
	if k.filtering {
		return []key.Binding{k.FilterAccept, k.FilterClear, k.move}
	}
	if k.onIgnored {
		return []key.Binding{k.move, k.Unignore, k.Continue, k.Help, k.Quit}
	}
	if k.pairable {
		// Filter and sort give way (the full help has them), so an 80-column
		// help line still ends with quit.
		return []key.Binding{k.move, k.Toggle, k.Pair, k.Continue, k.Help, k.Quit}
	}
	return []key.Binding{k.move, k.Toggle, k.Continue, k.Filter, k.Sort, k.Help, k.Quit}
}

func (k chooseKeys) FullHelp() [][]key.Binding {
	if k.filtering {
		return [][]key.Binding{k.ShortHelp()}
	}
	sel := []key.Binding{k.Toggle, k.All, k.None, k.Sort}
	if k.pairable {
		sel = []key.Binding{k.Toggle, k.Pair, k.All, k.None, k.Sort}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		sel,
		{k.Ignore, k.Unignore, k.Filter},
		{k.Continue, k.Help, k.Quit},
	}
}

// confirmKeys answer the confirm screen.
type confirmKeys struct {
	Confirm, Back, Quit key.Binding
	canConfirm          bool
}

func newConfirmKeys() confirmKeys {
	return confirmKeys{
		Confirm: key.NewBinding(key.WithKeys("enter", "y"), key.WithHelp("enter/y", "upgrade now")),
		Back:    key.NewBinding(key.WithKeys("esc", "n", "backspace"), key.WithHelp("esc/n", "back to the list")),
		Quit:    key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
}

func (k confirmKeys) ShortHelp() []key.Binding {
	if !k.canConfirm {
		return []key.Binding{k.Back, k.Quit}
	}
	return []key.Binding{k.Confirm, k.Back, k.Quit}
}
func (k confirmKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// upgradeKeys: the upgrade runs on its own; the only key stops it safely.
type upgradeKeys struct {
	Cancel key.Binding
}

func newUpgradeKeys() upgradeKeys {
	return upgradeKeys{
		Cancel: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "stop safely (the install in progress finishes)")),
	}
}

func (k upgradeKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Cancel} }
func (k upgradeKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
