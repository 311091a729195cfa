package model

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"

	"github.com/pipup/pipup/pip"
)

// palette is every colour the UI uses. Each is adaptive so the UI reads on
// light and dark terminals; with NO_COLOR or a colourless terminal the
// renderer's profile drops them all, so nothing may depend on colour alone
// (the cursor has a marker, bump kinds have names, results have ✓/✗).
type palette struct {
	text, subtle, faint, accent, ok, warn, bad lipgloss.AdaptiveColor
	patch, minor, major, pre                   lipgloss.AdaptiveColor
	barFull, barEmpty                          lipgloss.AdaptiveColor
}

func defaultPalette() palette {
	return palette{
		text:     lipgloss.AdaptiveColor{Light: "#1a1a1a", Dark: "#dddddd"},
		subtle:   lipgloss.AdaptiveColor{Light: "#6b6b6b", Dark: "#9a9a9a"},
		faint:    lipgloss.AdaptiveColor{Light: "#a0a0a0", Dark: "#5c5c5c"},
		accent:   lipgloss.AdaptiveColor{Light: "#5a56e0", Dark: "#7d79f6"},
		ok:       lipgloss.AdaptiveColor{Light: "#0b8a5a", Dark: "#04b575"},
		warn:     lipgloss.AdaptiveColor{Light: "#a86500", Dark: "#e8a838"},
		bad:      lipgloss.AdaptiveColor{Light: "#c4243b", Dark: "#ff5f73"},
		patch:    lipgloss.AdaptiveColor{Light: "#0b8a5a", Dark: "#04b575"},
		minor:    lipgloss.AdaptiveColor{Light: "#1f6fd1", Dark: "#5fa8ff"},
		major:    lipgloss.AdaptiveColor{Light: "#c4243b", Dark: "#ff5f73"},
		pre:      lipgloss.AdaptiveColor{Light: "#8a3fb5", Dark: "#d78cff"},
		barFull:  lipgloss.AdaptiveColor{Light: "#5a56e0", Dark: "#7d79f6"},
		barEmpty: lipgloss.AdaptiveColor{Light: "#d0d0d0", Dark: "#3a3a3a"},
	}
}

// styles holds every lipgloss style, built once from the palette by the
// renderer that writes to the program's output (so its colour profile and
// background are the terminal's, not os.Stdout's).
type styles struct {
	r   *lipgloss.Renderer
	pal palette

	title, subtitle, text, subtle, faint, accent lipgloss.Style
	ok, warn, bad, errLine                       lipgloss.Style
	header, groupHeader, cursorRow, checked      lipgloss.Style
	bump                                         map[pip.Bump]lipgloss.Style
	link                                         lipgloss.Style
	security                                     lipgloss.Style // a fix of a known vulnerability

	help help.Styles
}

func newStyles(r *lipgloss.Renderer) styles {
	p := defaultPalette()
	fg := func(c lipgloss.AdaptiveColor) lipgloss.Style { return r.NewStyle().Foreground(c) }
	s := styles{
		r:           r,
		pal:         p,
		title:       r.NewStyle().Bold(true).Foreground(p.accent),
		subtitle:    fg(p.subtle),
		text:        fg(p.text),
		subtle:      fg(p.subtle),
		faint:       fg(p.faint),
		accent:      fg(p.accent),
		ok:          fg(p.ok),
		warn:        fg(p.warn),
		bad:         fg(p.bad),
		errLine:     r.NewStyle().Bold(true).Foreground(p.bad),
		header:      r.NewStyle().Bold(true).Foreground(p.subtle),
		groupHeader: r.NewStyle().Bold(true),
		cursorRow:   r.NewStyle().Bold(true).Foreground(p.accent),
		checked:     fg(p.accent),
		link:        r.NewStyle().Underline(true).Foreground(p.subtle),
		security:    r.NewStyle().Bold(true).Foreground(p.bad),
		bump: map[pip.Bump]lipgloss.Style{
			pip.BumpPatch: fg(p.patch),
			pip.BumpMinor: fg(p.minor),
			pip.BumpMajor: r.NewStyle().Bold(true).Foreground(p.major),
			pip.BumpPre:   fg(p.pre),
			pip.BumpNone:  fg(p.subtle),
			bumpSecurity:  r.NewStyle().Bold(true).Foreground(p.bad),
		},
	}
	s.help = help.Styles{
		Ellipsis:       fg(p.faint),
		ShortKey:       fg(p.subtle),
		ShortDesc:      fg(p.faint),
		ShortSeparator: fg(p.faint),
		FullKey:        fg(p.subtle),
		FullDesc:       fg(p.faint),
		FullSeparator:  fg(p.faint),
	}
	return s
}

// bumpStyle is the colour of a bump kind; unknown kinds render plain.
func (s styles) bumpStyle(b pip.Bump) lipgloss.Style {
	if st, ok := s.bump[b]; ok {
		return st
	}
	return s.text
}

// newHelp is a help view styled from the palette.
func (s styles) newHelp() help.Model {
	h := help.New()
	h.Styles = s.help
	return h
}

// newBar is a progress bar drawn in the palette with the renderer's colour
// profile; only ViewAs is used, so it never animates (and never needs
// frame messages).
func (s styles) newBar(width int) progress.Model {
	full, empty := s.pal.barFull.Light, s.pal.barEmpty.Light
	if s.r.HasDarkBackground() {
		full, empty = s.pal.barFull.Dark, s.pal.barEmpty.Dark
	}
	b := progress.New(
		progress.WithSolidFill(full),
		progress.WithoutPercentage(),
		progress.WithWidth(width),
		progress.WithColorProfile(s.r.ColorProfile()),
	)
	b.EmptyColor = empty
	return b
}

// newFilterInput is the `/` filter box, styled and with a steady cursor so it
// sends no blink messages.
func (s styles) newFilterInput() textinput.Model {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "filter by name"
	ti.CharLimit = 64
	ti.PromptStyle = s.accent
	ti.TextStyle = s.text
	ti.PlaceholderStyle = s.faint
	ti.Cursor.Style = s.accent
	ti.Cursor.TextStyle = s.text
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}
