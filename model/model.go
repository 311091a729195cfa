package model

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/pipup/pipup/pip"
)

// Engines are the work the UI drives, injected so tests can use fakes. Each
// is called from a command, never from Update, and reports back only
// through its return value or channel.
type Engines struct {
	// Open prepares the environment (inspects the interpreter, reads pip's
	// configuration) and describes it. Optional: nil means the Target given
	// to New is already complete. Running it here rather than before the
	// program starts keeps the first frame from waiting for Python.
	Open func(ctx context.Context) (Target, error)
	// Scan checks the installed packages; its channel is closed after
	// pip.ScanDone. Cancelling ctx stops it.
	Scan func(ctx context.Context) <-chan pip.ScanEvent
	// Upgrade upgrades the chosen packages; its channel is closed after
	// pip.UpgradeDone. Cancelling ctx is the safe stop: no new work starts
	// and the pip run in progress finishes. nil: upgrades are unavailable
	// and the confirm screen says so.
	Upgrade func(ctx context.Context, pkgs []pip.Upgrade) <-chan pip.UpgradeEvent
	// Details looks up a package's project links, lazily, for the
	// highlighted row; it gets the package as the scan found it. Optional.
	Details func(ctx context.Context, p pip.PackageChecked) (Details, error)
	// Plan checks the chosen packages against the whole environment before
	// the confirm screen lets the user go on; Upgrade then gets the plan's
	// Packages rather than the choice. Cancelling ctx abandons it (the user
	// went back or quit). Optional: nil means Upgrade gets the choice as it
	// is.
	Plan func(ctx context.Context, chosen []pip.Upgrade) (*pip.Plan, error)
	// Ignore adds a package to the user's ignore list from now on, and
	// Unignore takes it out; each returns one line saying what it did
	// (which file it wrote). Optional: nil means the keys say ignoring is
	// not available.
	Ignore, Unignore func(name string) (string, error)
}

// Target is the environment the UI works on, shown on the confirm screen.
type Target struct {
	Python string // interpreter path
	InVenv bool
	// ExternallyManaged is pip's explanation when the environment is
	// externally managed (PEP 668) and must not be changed; "" otherwise.
	ExternallyManaged string
}

// Details is what the details line shows about a package beyond the scan.
type Details struct {
	Summary string
	Links   []Link // in display order: home page, changelog, …
}

// Link is one labelled project URL.
type Link struct {
	Label, URL string
}

// Options tune the UI; the zero value is ready to use.
type Options struct {
	// Renderer builds the styles; nil means one for the program's output
	// (honouring NO_COLOR and the terminal's colour support). Tests pass
	// one fixed to termenv.Ascii.
	Renderer *lipgloss.Renderer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Interrupts delivers signals after the first (the first cancels the
	// ctx given to Run); each counts as one more Ctrl-C.
	Interrupts <-chan struct{}
}

// phase is the screen the root model shows.
type phase int

const (
	phaseScanning phase = iota
	phaseChoosing
	phaseConfirming
	phaseUpgrading
	phaseSummary
)

func (p phase) String() string {
	return [...]string{"scanning", "choosing", "confirming", "upgrading", "summary"}[p]
}

// Model is the root Bubble Tea model. It owns the phase, the window size,
// global keys and the engines' lifetimes, and delegates each screen to its
// sub-model.
type Model struct {
	ctx    context.Context
	eng    Engines
	now    func() time.Time
	st     styles
	global globalKeys
	target Target

	phase         phase
	width, height int
	frame, tickID int

	scan    scanModel
	choose  chooseModel
	confirm confirmModel
	upgrade upgradeModel
	summary summaryModel

	scanCh        <-chan pip.ScanEvent
	cancelScan    context.CancelFunc
	upgradeCh     <-chan pip.UpgradeEvent
	cancelUpgrade context.CancelFunc
	// planID numbers plan requests, so an answer to an earlier one is
	// dropped; cancelPlan abandons the one in flight.
	planID     int
	cancelPlan context.CancelFunc

	quitting bool
	exitCode int
	err      error
	farewell string // printed after the program ends
}

// New builds the root model. ctx bounds every engine call.
func New(ctx context.Context, e Engines, t Target, o Options) Model {
	r := o.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	st := newStyles(r)
	t = cleanTarget(t)
	m := Model{ctx: ctx, eng: e, now: now, st: st, global: newGlobalKeys(), target: t,
		width: 80, height: 24}
	m.scan = newScanModel(st, t.Python, e.Open != nil, now())
	return m
}

// Init opens the environment (or starts the scan) and the animation.
func (m Model) Init() tea.Cmd {
	if m.eng.Open != nil {
		return tea.Batch(openCmd(m.ctx, m.eng.Open), tick(m.tickID))
	}
	return tea.Batch(m.startScan(), tick(m.tickID))
}

// Results for Run, read from the final model.

// ExitCode is 0 after a clean run or a quit, 1 when something failed, 130
// after Ctrl-C.
func (m Model) ExitCode() int { return m.exitCode }

// Err is the error that ended the program, if one did.
func (m Model) Err() error { return m.err }

// Farewell is the line to print once the terminal is restored ("" for none).
func (m Model) Farewell() string { return m.farewell }

func (m *Model) startScan() tea.Cmd {
	if m.eng.Scan == nil {
		return emit(fatalMsg{err: errors.New("no scan engine")})
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelScan = cancel
	return startScanCmd(ctx, m.eng.Scan)
}

// animating says whether the screen has anything that moves.
func (m Model) animating() bool {
	return !m.quitting && (m.phase == phaseScanning || m.phase == phaseUpgrading ||
		m.phase == phaseConfirming && m.confirm.planning)
}

// restartTick starts a fresh animation chain; stale ticks are dropped by id.
func (m *Model) restartTick() tea.Cmd {
	m.tickID++
	return tick(m.tickID)
}

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.choose = m.choose.setSize(msg.Width, msg.Height)
		return m, nil
	case tickMsg:
		if msg.id != m.tickID || !m.animating() {
			return m, nil
		}
		m.frame++
		m.scan.now, m.upgrade.now = msg.t, msg.t
		return m, tick(m.tickID)
	case fatalMsg:
		return m.fail(msg.err)
	case interruptMsg:
		return m.interrupt()
	case tea.KeyMsg:
		if key.Matches(msg, m.global.Interrupt) {
			return m.interrupt()
		}
	case quitRequestedMsg:
		return m.quit(0, m.quitFarewell())
	case openedMsg:
		if m.quitting {
			return m, nil // the user left while the environment was inspected
		}
		if msg.err != nil {
			return m.fail(msg.err)
		}
		m.target = cleanTarget(msg.target)
		m.scan.opening = false
		if m.scan.python == "" {
			m.scan.python = msg.target.Python
		}
		return m, m.startScan()
	case scanChanMsg:
		m.scanCh = msg.ch
		return m, waitScan(msg.ch)
	case scanBatchMsg:
		return m.scanEvents(msg)
	case stopScanMsg:
		if m.phase == phaseScanning && m.scan.opening {
			// Nothing was checked yet: there is no list to show, so
			// stopping leaves, and no scan starts once the inspection ends.
			return m.quit(0, "")
		}
		if m.phase == phaseScanning {
			return m.toChoosing(true)
		}
		return m, nil
	case confirmRequestedMsg:
		return m.toConfirming()
	case planReadyMsg:
		if msg.id != m.planID || m.phase != phaseConfirming || !m.confirm.planning {
			return m, nil
		}
		m.stopPlan()
		m.confirm = m.confirm.withPlan(msg.plan, msg.err)
		return m, nil
	case backToListMsg:
		m.stopPlan()
		m.phase = phaseChoosing
		return m, nil
	case upgradeApprovedMsg:
		return m.startUpgrade()
	case upgradeChanMsg:
		m.upgradeCh = msg.ch
		return m, waitUpgrade(msg.ch)
	case upgradeBatchMsg:
		return m.upgradeEvents(msg)
	case ignoreMsg:
		m.choose = m.choose.ignoreDone(msg)
		return m, nil
	}
	return m.delegate(msg)
}

// delegate hands a message to the current screen.
func (m Model) delegate(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.phase {
	case phaseScanning:
		m.scan, cmd = m.scan.update(msg)
	case phaseChoosing:
		m.choose, cmd = m.choose.update(msg)
	case phaseConfirming:
		m.confirm, cmd = m.confirm.update(msg)
	}
	return m, cmd
}

func (m Model) scanEvents(msg scanBatchMsg) (tea.Model, tea.Cmd) {
	// After the table is shown, the vulnerability answers still come
	// (the scan looks them up beside the checks, so the table never waits
	// for them) and mark their rows; the rest of a stopped scan's events
	// are drained (so the engine never blocks on a send) and dropped.
	if m.phase != phaseScanning {
		if m.phase == phaseChoosing || m.phase == phaseConfirming {
			for _, ev := range msg.events {
				if v, ok := ev.(pip.PackageVulnerable); ok {
					m.choose = m.choose.withVulns(cleanVulnerable(v))
				}
			}
		}
		if msg.closed {
			return m, nil
		}
		return m, waitScan(m.scanCh)
	}
	m.scan.inFlight = maps.Clone(m.scan.inFlight) // copy on write, once per batch
	for _, ev := range msg.events {
		m.scan = m.scan.apply(ev)
	}
	if msg.closed || m.scan.finished != nil {
		if m.scan.finished == nil {
			m.scan.finished = &pip.ScanDone{Err: errors.New("the scan ended without a result")}
		}
		if err := m.scan.scanErr(); err != nil && len(m.scan.outdated)+len(m.scan.skipped)+len(m.scan.failed) == 0 {
			return m.fail(err)
		}
		next, cmd := m.toChoosing(false)
		if !msg.closed {
			return next, tea.Batch(cmd, waitScan(m.scanCh))
		}
		return next, cmd
	}
	return m, waitScan(m.scanCh)
}

// toChoosing ends the scan (stopping it when the user asked) and shows the
// table, or says everything is up to date.
func (m Model) toChoosing(stopped bool) (tea.Model, tea.Cmd) {
	// A stopped scan's waiter stays armed and drains what is still coming.
	if stopped && m.cancelScan != nil {
		m.cancelScan()
	}
	s := m.scan
	sum := scanSummary{checked: s.checked, elapsed: s.elapsed(), stopped: stopped || s.stopped() && s.scanErr() == nil,
		total: s.total, err: s.scanErr()}
	if len(s.outdated)+len(s.skipped)+len(s.failed) == 0 && !sum.stopped && sum.err == nil {
		return m.quit(0, fmt.Sprintf("✓ All %s are up to date (checked in %s).",
			plural(s.checked, "package", "packages"), fmtDuration(sum.elapsed)))
	}
	var fetch func(pip.PackageChecked) tea.Cmd
	if m.eng.Details != nil {
		get, ctx := m.eng.Details, m.ctx
		fetch = func(p pip.PackageChecked) tea.Cmd { return fetchDetailsCmd(ctx, get, p) }
	}
	m.phase = phaseChoosing
	m.choose = newChooseModel(m.st, s, sum, m.target, fetch).setSize(m.width, m.height)
	m.choose.ignore, m.choose.unignore = m.eng.Ignore, m.eng.Unignore
	var cmd tea.Cmd
	m.choose, cmd = m.choose.init()
	return m, cmd
}

// toConfirming shows the confirm screen and, with a Plan engine, starts
// checking the choice against the environment.
func (m Model) toConfirming() (tea.Model, tea.Cmd) {
	m.stopPlan()
	sel := m.choose.selection()
	m.phase = phaseConfirming
	m.confirm = newConfirmModel(m.st, sel, m.target, m.eng.Upgrade != nil)
	if m.eng.Plan == nil || m.confirm.refusal != "" {
		return m, nil
	}
	m.planID++
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelPlan = cancel
	m.confirm = m.confirm.planStarted()
	return m, tea.Batch(planCmd(ctx, m.eng.Plan, sel, m.planID), m.restartTick())
}

// stopPlan abandons the plan request in flight, if any; its answer, should
// one still come, is dropped by id.
func (m *Model) stopPlan() {
	if m.cancelPlan != nil {
		m.cancelPlan()
		m.cancelPlan = nil
	}
	m.planID++
}

// startUpgrade leaves the alternate screen (finished rows are printed into
// the scrollback from now on) and starts the engine.
func (m Model) startUpgrade() (tea.Model, tea.Cmd) {
	if m.eng.Upgrade == nil || m.target.ExternallyManaged != "" || m.phase != phaseConfirming {
		return m, nil
	}
	pkgs, ok := m.confirm.approved()
	if !ok {
		return m, nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancelUpgrade = cancel
	m.phase = phaseUpgrading
	m.upgrade = newUpgradeModel(m.st, pkgs, m.target, m.now())
	return m, tea.Batch(
		tea.Sequence(tea.ExitAltScreen, startUpgradeCmd(ctx, m.eng.Upgrade, pkgs)),
		m.restartTick(),
	)
}

func (m Model) upgradeEvents(msg upgradeBatchMsg) (tea.Model, tea.Cmd) {
	if m.phase != phaseUpgrading {
		return m, nil
	}
	var cmd tea.Cmd
	m.upgrade, cmd = m.upgrade.apply(msg.events)
	if m.upgrade.done == nil && !msg.closed {
		return m, tea.Batch(cmd, waitUpgrade(m.upgradeCh))
	}
	done := pip.UpgradeDone{Err: errors.New("the upgrade ended without a summary")}
	if m.upgrade.done != nil {
		done = *m.upgrade.done
	}
	m.phase = phaseSummary
	m.summary = newSummaryModel(m.st, m.upgrade, done)
	next, quit := m.quit(m.summary.exitCode(), "")
	return next, tea.Sequence(cmd, quit)
}

// interrupt is Ctrl-C or a signal. Outside an upgrade it quits at once;
// during one, the first asks the engine to stop safely, the second says how
// to force the issue, the third quits without waiting.
func (m Model) interrupt() (tea.Model, tea.Cmd) {
	if m.phase != phaseUpgrading {
		code := 130
		if m.phase == phaseSummary {
			code = m.summary.exitCode()
		}
		return m.quit(code, "")
	}
	m.upgrade.interrupts++
	switch m.upgrade.interrupts {
	case 1:
		if m.cancelUpgrade != nil {
			m.cancelUpgrade()
		}
		return m, nil
	case 2:
		return m, nil
	}
	msg := "pipup: quit without waiting for pip"
	if len(m.upgrade.installing) > 0 {
		msg += ", which is still installing " + fmt.Sprint(m.upgrade.installing)
	}
	return m.quit(130, msg+"; run `pip check` once it has finished.")
}

func (m Model) fail(err error) (tea.Model, tea.Cmd) {
	m.err = err
	return m.quit(1, "")
}

// quit stops every engine and ends the program.
func (m Model) quit(code int, farewell string) (tea.Model, tea.Cmd) {
	if m.cancelScan != nil {
		m.cancelScan()
	}
	if m.cancelUpgrade != nil {
		m.cancelUpgrade()
	}
	m.stopPlan()
	m.quitting, m.exitCode, m.farewell = true, code, farewell
	return m, tea.Quit
}

// quitFarewell is the reminder left after quitting the list.
func (m Model) quitFarewell() string {
	if m.phase == phaseChoosing || m.phase == phaseConfirming {
		if n := m.choose.choice.Len(); n > 0 {
			return fmt.Sprintf("Nothing upgraded; %s (see `pipup list`).", plural(n, "package is outdated", "packages are outdated"))
		}
	}
	return ""
}

func (m Model) View() string {
	if m.quitting && m.phase != phaseSummary && m.phase != phaseUpgrading {
		return "" // the alternate screen closes; the farewell is printed after
	}
	switch m.phase {
	case phaseChoosing:
		return m.choose.view()
	case phaseConfirming:
		return m.confirm.view(m.width, m.height, m.frame)
	case phaseUpgrading:
		return m.upgrade.view(m.width, m.height, m.frame)
	case phaseSummary:
		return m.summary.view(m.width)
	}
	return m.scan.view(m.width, m.height, m.frame)
}
