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

	final, err := runGuarded(ctx, New(ctx, e, t, o), o.Interrupts, in, out)
	if err != nil {
		return 1, err
	}
	m, ok := final.(Model)
	if !ok {
		return 1, errors.New("terminal UI: no final state")
	}
	if f := m.Farewell(); f != "" {
		fmt.Fprintln(out, f)
	}
	if err := m.Err(); err != nil {
		return 1, err
	}
	return m.ExitCode(), nil
}

// runGuarded runs a model as a program on in/out (in nil: standard input,
// or the terminal when that is not one) and returns its final state. A panic
// anywhere in the model becomes an error after the terminal is restored.
func runGuarded(ctx context.Context, model tea.Model, later <-chan struct{}, in io.Reader, out io.Writer) (final tea.Model, err error) {
	box := &panicBox{}
	opts := []tea.ProgramOption{tea.WithOutput(out), tea.WithAltScreen(),
		tea.WithoutCatchPanics(), tea.WithoutSignalHandler()}
	if in != nil {
		opts = append(opts, tea.WithInput(in))
	}
	p := tea.NewProgram(guarded{m: model, box: box}, opts...)
	box.quit = func() { go p.Quit() }

	defer func() {
		if r := recover(); r != nil {
			p.Kill()
			restore(p)
			final, err = nil, fmt.Errorf("internal error: %v", r)
		}
	}()

	done := make(chan struct{})
	defer close(done)
	go forwardInterrupts(ctx, later, done, p)

	res, runErr := p.Run()
	if box.err != nil {
		return nil, box.err
	}
	if runErr != nil {
		return nil, fmt.Errorf("terminal UI: %w", runErr)
	}
	g, _ := res.(guarded)
	return g.m, nil
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
	m   tea.Model
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
	g.m, cmd = g.m.Update(msg)
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
