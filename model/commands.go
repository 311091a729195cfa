package model

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/pipup/pipup/pip"
)

// Messages. The engines run in their own goroutines and only ever send
// events on channels; the commands below turn those into messages, so
// nothing but Update touches model state.
type (
	openedMsg struct {
		target Target
		err    error
	}
	scanChanMsg  struct{ ch <-chan pip.ScanEvent }
	scanBatchMsg struct {
		events []pip.ScanEvent
		closed bool // the channel is closed: no more events, stop waiting
	}
	upgradeChanMsg  struct{ ch <-chan pip.UpgradeEvent }
	upgradeBatchMsg struct {
		events []pip.UpgradeEvent
		closed bool
	}
	// tickMsg drives spinners and elapsed times; id drops stale tick chains.
	tickMsg struct {
		id int
		t  time.Time
	}
	// detailsDueMsg fires when the cursor has rested on a package long
	// enough to be worth a lookup.
	detailsDueMsg struct {
		pkg pip.PackageChecked
		seq int
	}
	detailsMsg struct {
		name    string
		details Details
		err     error
	}
	// planReadyMsg is the Plan engine's answer to request id; an answer
	// to an earlier request (the user went back and asked again) is
	// dropped by id.
	planReadyMsg struct {
		id   int
		plan *pip.Plan
		err  error
	}
	// interruptMsg is Ctrl-C or a signal.
	interruptMsg struct{}
	// fatalMsg ends the program with an error (a panic in a command, an
	// environment that cannot be opened).
	fatalMsg struct{ err error }

	// Intents: a screen asks the root model to change phase.
	stopScanMsg         struct{}
	confirmRequestedMsg struct{}
	backToListMsg       struct{}
	upgradeApprovedMsg  struct{}
	quitRequestedMsg    struct{}
)

// maxBatch bounds how many queued events one message carries: a fast scan
// sends thousands of events a second, and taking whatever is already queued
// in one go costs one Update and one render instead of hundreds.
const maxBatch = 256

// tickInterval paces spinners and timers.
const tickInterval = 100 * time.Millisecond

// detailsDelay is how long the cursor must rest before links are fetched,
// so scrolling through a long list does not fire a request per row.
const detailsDelay = 150 * time.Millisecond

// detailsTimeout bounds one lazy details lookup.
const detailsTimeout = 15 * time.Second

// guard turns a panic inside a command into a fatalMsg, so the program shuts
// down through its normal path and restores the terminal.
func guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = fatalMsg{err: fmt.Errorf("internal error: %v", r)}
			}
		}()
		return cmd()
	}
}

// emit returns a command that delivers msg; screens use it for intents.
func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// receive waits for the next event, then takes whatever else is already
// queued (up to maxBatch) without waiting.
func receive[E any](ch <-chan E) (events []E, closed bool) {
	ev, ok := <-ch
	if !ok {
		return nil, true
	}
	events = append(events, ev)
	for len(events) < maxBatch {
		select {
		case ev, ok := <-ch:
			if !ok {
				return events, true
			}
			events = append(events, ev)
		default:
			return events, false
		}
	}
	return events, false
}

// waitScan waits for the next scan events; Update re-arms it after each.
func waitScan(ch <-chan pip.ScanEvent) tea.Cmd {
	return guard(func() tea.Msg {
		evs, closed := receive(ch)
		return scanBatchMsg{events: evs, closed: closed}
	})
}

// waitUpgrade waits for the next upgrade events; Update re-arms it.
func waitUpgrade(ch <-chan pip.UpgradeEvent) tea.Cmd {
	return guard(func() tea.Msg {
		evs, closed := receive(ch)
		return upgradeBatchMsg{events: evs, closed: closed}
	})
}

// openCmd runs the environment's Open off the UI goroutine, so the first
// frame never waits for the interpreter.
func openCmd(ctx context.Context, open func(context.Context) (Target, error)) tea.Cmd {
	return guard(func() tea.Msg {
		t, err := open(ctx)
		return openedMsg{target: t, err: err}
	})
}

// startScanCmd starts the scan engine and hands its channel to Update.
func startScanCmd(ctx context.Context, scan func(context.Context) <-chan pip.ScanEvent) tea.Cmd {
	return guard(func() tea.Msg { return scanChanMsg{ch: scan(ctx)} })
}

// startUpgradeCmd starts the upgrade engine and hands its channel to Update.
func startUpgradeCmd(ctx context.Context, up func(context.Context, []pip.Upgrade) <-chan pip.UpgradeEvent, pkgs []pip.Upgrade) tea.Cmd {
	return guard(func() tea.Msg { return upgradeChanMsg{ch: up(ctx, pkgs)} })
}

// planCmd checks the chosen packages against the environment.
func planCmd(ctx context.Context, plan func(context.Context, []pip.Upgrade) (*pip.Plan, error), chosen []pip.Upgrade, id int) tea.Cmd {
	return guard(func() tea.Msg {
		p, err := plan(ctx, chosen)
		if err == nil && p == nil {
			err = errors.New("the plan engine returned no plan")
		}
		return planReadyMsg{id: id, plan: p, err: err}
	})
}

// tick schedules the next animation frame of chain id.
func tick(id int) tea.Cmd {
	return tea.Tick(tickInterval, func(t time.Time) tea.Msg { return tickMsg{id: id, t: t} })
}

// detailsAfter asks for the details of p once the cursor has rested.
func detailsAfter(p pip.PackageChecked, seq int) tea.Cmd {
	return tea.Tick(detailsDelay, func(time.Time) tea.Msg { return detailsDueMsg{pkg: p, seq: seq} })
}

// fetchDetailsCmd runs the lazy details lookup with a deadline.
func fetchDetailsCmd(ctx context.Context, get func(context.Context, pip.PackageChecked) (Details, error), p pip.PackageChecked) tea.Cmd {
	return guard(func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, detailsTimeout)
		defer cancel()
		d, err := get(ctx, p)
		return detailsMsg{name: p.Name, details: d, err: err}
	})
}
