package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pipup/pipup/pip"
)

// t0 is the fixed start of every test clock.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// asciiRenderer renders without colour or attributes, as goldens need.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(d time.Duration) {
	c.mu.Lock()
	c.t = t0.Add(d)
	c.mu.Unlock()
}

func pkg(name, from, to string, b pip.Bump, summary string) pip.PackageChecked {
	return pip.PackageChecked{Name: name, Version: from, Latest: to, Bump: b, FileType: "wheel", Summary: summary}
}

// toLatest is each package's upgrade to its latest version.
func toLatest(pkgs []pip.PackageChecked) []pip.Upgrade {
	out := make([]pip.Upgrade, len(pkgs))
	for i, p := range pkgs {
		out[i] = p.ToLatest()
	}
	return out
}

// outdated is a realistic mix of bump kinds, found in this order.
func outdated() []pip.PackageChecked {
	return []pip.PackageChecked{
		pkg("requests", "2.31.0", "2.32.3", pip.BumpMinor, "Python HTTP for Humans."),
		pkg("urllib3", "2.2.1", "2.2.3", pip.BumpPatch, "HTTP library with thread-safe connection pooling, file post, and more."),
		pkg("Django", "4.2.11", "5.1.4", pip.BumpMajor, "A high-level Python web framework that encourages rapid development and clean, pragmatic design."),
		pkg("numpy", "1.26.4", "2.2.0", pip.BumpMajor, "Fundamental package for array computing in Python"),
		pkg("certifi", "2024.2.2", "2024.12.14", pip.BumpMinor, "Python package for providing Mozilla's CA Bundle."),
		pkg("idna", "3.6", "3.10", pip.BumpMinor, "Internationalized Domain Names in Applications (IDNA)"),
		pkg("a-package-with-an-extraordinarily-long-name-for-truncation", "0.1.0", "0.1.1", pip.BumpPatch, ""),
		pkg("attrs", "23.2.0", "24.3.0", pip.BumpMajor, "Classes Without Boilerplate"),
		pkg("charset-normalizer", "3.3.2", "3.4.0", pip.BumpMinor, "The Real First Universal Charset Detector."),
		pkg("packaging", "23.2", "24.2", pip.BumpMajor, "Core utilities for Python packages"),
		pkg("typing_extensions", "4.10.0", "4.12.2", pip.BumpMinor, "Backported and Experimental Type Hints for Python 3.8+"),
		pkg("pydantic", "2.9.2", "2.10.0b1", pip.BumpPre, "Data validation using Python type hints"),
		pkg("six", "1.16.0", "1.17.0", pip.BumpMinor, "Python 2 and 3 compatibility utilities"),
		pkg("setuptools", "69.1.1", "75.6.0", pip.BumpMajor, "Easily download, build, install, upgrade, and uninstall Python packages"),
	}
}

// scanEvents is a whole scan of 20 distributions: the outdated ones, a few
// current ones, two skipped and one failed.
func scanEvents() []pip.ScanEvent {
	evs := []pip.ScanEvent{pip.ScanStarted{Total: 20, Python: "/home/me/proj/.venv/bin/python"}}
	for _, p := range outdated() {
		evs = append(evs, pip.PackageChecking{Name: p.Name}, p)
	}
	for _, n := range []string{"pip", "wheel", "tomli"} {
		evs = append(evs, pip.PackageChecking{Name: n}, pip.PackageChecked{Name: n, Version: "1.0", Latest: "1.0"})
	}
	evs = append(evs,
		pip.PackageSkipped{Name: "myproject", Version: "0.0.1", Reason: "editable install"},
		pip.PackageSkipped{Name: "internal-tool", Version: "3.1", Reason: "not on any index"},
		pip.PackageFailed{Name: "flaky", Version: "1.2", Err: errors.New("index returned 503 Service Unavailable")},
		pip.ScanDone{Checked: 17, Outdated: 14, Skipped: 2, Failed: 1, Elapsed: 1234 * time.Millisecond},
	)
	return evs
}

var venv = Target{Python: "/home/me/proj/.venv/bin/python", InVenv: true}

// fakes are engines that record what the model asked of them.
type fakes struct {
	mu          sync.Mutex
	scanEvents  []pip.ScanEvent
	scanCtx     context.Context
	upgradeCtx  context.Context
	upgraded    []pip.Upgrade
	upgradeCh   chan pip.UpgradeEvent
	details     map[string]Details
	detailCalls []string
	// With plan or planErr set, the engines include Plan, which answers
	// with them and records each request.
	plan     *pip.Plan
	planErr  error
	planReqs []planReq
}

// planReq is one call of the fake Plan engine.
type planReq struct {
	ctx    context.Context
	chosen []pip.Upgrade
}

func (f *fakes) engines() Engines {
	e := Engines{
		Scan: func(ctx context.Context) <-chan pip.ScanEvent {
			f.mu.Lock()
			f.scanCtx = ctx
			evs := f.scanEvents
			f.mu.Unlock()
			ch := make(chan pip.ScanEvent, len(evs))
			for _, e := range evs {
				ch <- e
			}
			close(ch)
			return ch
		},
		Upgrade: func(ctx context.Context, pkgs []pip.Upgrade) <-chan pip.UpgradeEvent {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.upgradeCtx, f.upgraded = ctx, pkgs
			if f.upgradeCh == nil {
				f.upgradeCh = make(chan pip.UpgradeEvent, 64)
			}
			return f.upgradeCh
		},
		Details: func(ctx context.Context, p pip.PackageChecked) (Details, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.detailCalls = append(f.detailCalls, p.Name)
			if d, ok := f.details[p.Name]; ok {
				return d, nil
			}
			return Details{}, fmt.Errorf("no details for %s", p.Name)
		},
	}
	if f.plan != nil || f.planErr != nil {
		e.Plan = func(ctx context.Context, chosen []pip.Upgrade) (*pip.Plan, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.planReqs = append(f.planReqs, planReq{ctx, chosen})
			return f.plan, f.planErr
		}
	}
	return e
}

// newTest builds a root model on the ASCII renderer and the test clock.
func newTest(e Engines, t Target, c *clock) Model {
	return New(context.Background(), e, t, Options{Renderer: asciiRenderer(), Now: c.Now})
}

// update sends msgs in turn and returns the model and the last command.
func update(t *testing.T, m Model, msgs ...tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, msg := range msgs {
		var next tea.Model
		next, cmd = m.Update(msg)
		m = next.(Model)
	}
	return m, cmd
}

// collect runs a command and whatever batches or sequences it returns, and
// returns the messages, dropping commands that do not answer within wait
// (ticks, channel waits with nothing queued).
func collect(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(wait):
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, collect(c, wait)...)
		}
		return out
	}
	// tea.Sequence's message is an unexported []tea.Cmd.
	if v := reflect.ValueOf(msg); v.IsValid() && v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			out = append(out, collect(c, wait)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// find returns the first message of type T.
func find[T any](msgs []tea.Msg) (T, bool) {
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEscape}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func keys(ss ...string) []tea.Msg {
	out := make([]tea.Msg, len(ss))
	for i, s := range ss {
		out[i] = keyMsg(s)
	}
	return out
}

// scanned is a model that has finished the whole fake scan and shows the
// table at w×h.
func scanned(t *testing.T, f *fakes, w, h int) Model {
	t.Helper()
	c := &clock{t: t0}
	f.scanEvents = scanEvents()
	m := newTest(f.engines(), venv, c)
	m, _ = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m, _ = update(t, m, scanChanMsg{ch: f.engines().Scan(context.Background())})
	m, _ = update(t, m, scanBatchMsg{events: scanEvents(), closed: true})
	if m.phase != phaseChoosing {
		t.Fatalf("after the scan: phase %v, want choosing", m.phase)
	}
	return m
}
