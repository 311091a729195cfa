package model

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Run runs the UI with in and out as the terminal until the user quits or
// the upgrade ends. It returns the exit code (0 ok or quit, 1 something
// failed, 130 Ctrl-C) and, when the program could not run or an engine
// failed fatally, an error of one line for the caller to print.
//
// Cancelling ctx counts as the first Ctrl-C; o.Interrupts delivers later
// ones. The terminal is restored on every path, a panic included: Bubble
// Tea's own panic handler prints a stack trace, so it is turned off and
// panics are caught here instead.
func Run(ctx context.Context, e Engines, t Target, o Options, in io.Reader, out io.Writer) (code int, err error) {
	if o.Renderer == nil {
		r := lipgloss.NewRenderer(out)
		// Ask about colours and the background now, before the program
		// reads the terminal, so the terminal's answer cannot be read as keys.
		r.ColorProfile()
		r.HasDarkBackground()
		o.Renderer = r
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	box := &panicBox{}
	p := tea.NewProgram(guarded{m: New(ctx, e, t, o), box: box},
		tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(),
		tea.WithoutCatchPanics(), tea.WithoutSignalHandler())
	box.quit = func() { go p.Quit() }

	defer func() {
		if r := recover(); r != nil {
			p.Kill()
			restore(p)
			code, err = 1, fmt.Errorf("internal error: %v", r)
		}
	}()

	done := make(chan struct{})
	defer close(done)
	go forwardInterrupts(ctx, o.Interrupts, done, p)

	final, runErr := p.Run()
	if box.err != nil {
		return 1, box.err
	}
	g, ok := final.(guarded)
	if runErr != nil || !ok {
		if runErr == nil {
			runErr = errors.New("no final state")
		}
		return 1, fmt.Errorf("terminal UI: %w", runErr)
	}
	if f := g.m.Farewell(); f != "" {
		fmt.Fprintln(out, f)
	}
	if err := g.m.Err(); err != nil {
		return 1, err
	}
	return g.m.ExitCode(), nil
}

// forwardInterrupts turns the cancellation of ctx (the first signal) and
// each later signal into an interrupt message.
func forwardInterrupts(ctx context.Context, later <-chan struct{}, done <-chan struct{}, p *tea.Program) {
	select {
	case <-ctx.Done():
		p.Send(interruptMsg{})
	case <-done:
		return
	}
	for {
		select {
		case _, ok := <-later:
			if !ok {
				return
			}
			p.Send(interruptMsg{})
		case <-done:
			return
		}
	}
}

// restore puts the terminal back after a panic escaped the program.
func restore(p *tea.Program) {
	defer func() { _ = recover() }()
	_ = p.ReleaseTerminal()
}

// panicBox records a panic caught in Update or View; it is shared by the
// copies of the guarded model, which is what lets View (which cannot return
// a command) end the program.
type panicBox struct {
	err  error
	quit func()
}

// guarded wraps the root model so that a panic in Init, Update or View
// becomes an orderly quit with an error instead of a dead terminal.
type guarded struct {
	m   Model
	box *panicBox
}

func (g guarded) caught(r any) {
	if g.box.err == nil {
		g.box.err = fmt.Errorf("internal error: %v", r)
	}
}

func (g guarded) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.caught(r)
			cmd = tea.Quit
		}
	}()
	return g.m.Init()
}

func (g guarded) Update(msg tea.Msg) (next tea.Model, cmd tea.Cmd) {
	if g.box.err != nil {
		return g, tea.Quit
	}
	defer func() {
		if r := recover(); r != nil {
			g.caught(r)
			next, cmd = g, tea.Quit
		}
	}()
	m, cmd := g.m.Update(msg)
	g.m = m.(Model)
	return g, cmd
}

func (g guarded) View() (s string) {
	if g.box.err != nil {
		return ""
	}
	defer func() {
		if r := recover(); r != nil {
			g.caught(r)
			if g.box.quit != nil {
				g.box.quit()
			}
			s = ""
		}
	}()
	return g.m.View()
}
