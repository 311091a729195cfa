package model

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/pipup/pipup/pip"
)

// scriptedUpgrade is an upgrade engine that upgrades every package it is
// given, one after another, and honours cancellation like the real one: it
// finishes the package in progress, then reports what it did.
func scriptedUpgrade(step time.Duration) func(context.Context, []pip.Upgrade) <-chan pip.UpgradeEvent {
	return func(ctx context.Context, pkgs []pip.Upgrade) <-chan pip.UpgradeEvent {
		ch := make(chan pip.UpgradeEvent)
		go func() {
			defer close(ch)
			var plan []pip.PlannedUpgrade
			for _, p := range pkgs {
				plan = append(plan, pip.PlannedUpgrade{Name: p.Name, From: p.From, To: p.Target})
			}
			ch <- pip.UpgradeStarted{Packages: plan}
			done := pip.UpgradeDone{}
			for _, p := range pkgs {
				if ctx.Err() != nil {
					ch <- pip.UpgradeCancelling{}
					done.Cancelled = true
					break
				}
				ch <- pip.UpgradeProgress{Name: p.Name, Stage: pip.StageInstalling}
				time.Sleep(step)
				ch <- pip.PackageUpgraded{Name: p.Name, From: p.From, To: p.Target}
				done.Upgraded++
			}
			ok := true
			done.PipCheckOK, done.UndoCommand = &ok, "pipup undo"
			ch <- done
		}()
		return ch
	}
}

func TestProgramWholeFlow(t *testing.T) {
	f := &fakes{scanEvents: scanEvents()}
	e := f.engines()
	var mu sync.Mutex
	var got []string
	up := scriptedUpgrade(time.Millisecond)
	e.Upgrade = func(ctx context.Context, pkgs []pip.Upgrade) <-chan pip.UpgradeEvent {
		mu.Lock()
		for _, p := range pkgs {
			got = append(got, p.Name)
		}
		mu.Unlock()
		return up(ctx, pkgs)
	}
	m := New(context.Background(), e, venv, Options{Renderer: asciiRenderer()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))

	waitFor(t, tm, "14 outdated")
	tm.Send(keyMsg("down"))  // urllib3
	tm.Send(keyMsg("space")) // untick it
	tm.Send(keyMsg("enter"))
	waitFor(t, tm, "Upgrade 7 packages?")
	tm.Send(keyMsg("y"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	final := tm.FinalModel(t).(Model)
	if final.ExitCode() != 0 || final.phase != phaseSummary {
		t.Fatalf("exit %d in phase %v", final.ExitCode(), final.phase)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "a-package-with-an-extraordinarily-long-name-for-truncation certifi charset-normalizer idna requests six typing_extensions"
	if strings.Join(got, " ") != want {
		t.Errorf("upgraded %v", got)
	}
	if v := final.View(); !strings.Contains(v, "✓ 7 upgraded") || !strings.Contains(v, "To undo: pipup undo") {
		t.Errorf("final frame:\n%s", v)
	}
}

// TestProgramWithPlan runs the whole program with a Plan engine that holds
// its answer until the test has seen the screen wait for it, then drops
// one package and adds two: the upgrade gets the plan, not the choice.
func TestProgramWithPlan(t *testing.T) {
	f := &fakes{scanEvents: scanEvents()}
	e := f.engines()
	release := make(chan struct{})
	var mu sync.Mutex
	var chosen, got []string
	e.Plan = func(ctx context.Context, sel []pip.Upgrade) (*pip.Plan, error) {
		p := &pip.Plan{Changes: []pip.PlanChange{
			{Kind: pip.ChangeDropped, Name: "six", From: "1.16.0", Asked: "1.17.0", Reason: "held back by python-dateutil 2.8.2 (six==1.16.0)"},
			{Kind: pip.ChangeAdded, Name: "jmespath", To: "1.0.1", Reason: "required by boto3 1.35.2 (jmespath<2.0.0,>=0.7.1)"},
			{Kind: pip.ChangeAdded, Name: "s3transfer", From: "0.10.0", To: "0.10.4", Reason: "required by boto3 1.35.2 (s3transfer<0.11.0,>=0.10.4)"},
		}}
		mu.Lock()
		for _, c := range sel {
			chosen = append(chosen, c.Name)
			if c.Name != "six" {
				p.Packages = append(p.Packages, c)
			}
		}
		mu.Unlock()
		p.Packages = append(p.Packages, pkg("jmespath", "", "1.0.1", pip.BumpNone, "").ToLatest(), pkg("s3transfer", "0.10.0", "0.10.4", pip.BumpPatch, "").ToLatest())
		select {
		case <-release:
			return p, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	up := scriptedUpgrade(time.Millisecond)
	e.Upgrade = func(ctx context.Context, pkgs []pip.Upgrade) <-chan pip.UpgradeEvent {
		mu.Lock()
		for _, p := range pkgs {
			got = append(got, p.Name)
		}
		mu.Unlock()
		return up(ctx, pkgs)
	}
	m := New(context.Background(), e, venv, Options{Renderer: asciiRenderer()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))

	waitFor(t, tm, "14 outdated")
	tm.Send(keyMsg("enter"))
	waitFor(t, tm, "Checking the plan against the environment")
	close(release)
	// One wait for both: each wait consumes the output it reads.
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Upgrade 9 packages?")) && bytes.Contains(b, []byte("six stays at 1.16.0"))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	tm.Send(keyMsg("y"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	final := tm.FinalModel(t).(Model)
	if final.ExitCode() != 0 || final.phase != phaseSummary {
		t.Fatalf("exit %d in phase %v", final.ExitCode(), final.phase)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(chosen, " ") != preselection {
		t.Errorf("the plan engine got %v", chosen)
	}
	want := "a-package-with-an-extraordinarily-long-name-for-truncation certifi charset-normalizer idna requests typing_extensions urllib3 jmespath s3transfer"
	if strings.Join(got, " ") != want {
		t.Errorf("upgraded %v\nwant     %s", got, want)
	}
	if v := final.View(); !strings.Contains(v, "✓ 9 upgraded") {
		t.Errorf("final frame:\n%s", v)
	}
}

func waitFor(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// syncBuffer is an output the test can read while the program writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runAsync runs Run on a pipe and a buffer, as a terminal would.
type runResult struct {
	code int
	err  error
}

func runAsync(ctx context.Context, e Engines, o Options) (*io.PipeWriter, *syncBuffer, <-chan runResult) {
	inR, inW := io.Pipe()
	out := &syncBuffer{}
	res := make(chan runResult, 1)
	if o.Renderer == nil {
		o.Renderer = asciiRenderer()
	}
	go func() {
		code, err := Run(ctx, e, venv, o, inR, out)
		res <- runResult{code, err}
	}()
	return inW, out, res
}

func eventually(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q in:\n%q", s, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func result(t *testing.T, res <-chan runResult) runResult {
	t.Helper()
	select {
	case r := <-res:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	return runResult{}
}

// restored checks the output ends by giving the terminal back: cursor
// shown, alternate screen left.
func restored(t *testing.T, out string) {
	t.Helper()
	if !strings.Contains(out, "\x1b[?25h") || !strings.Contains(out, "\x1b[?1049l") {
		t.Errorf("terminal not restored: %q", out[max(0, len(out)-200):])
	}
}

func TestRunQuitFromTheList(t *testing.T) {
	f := &fakes{scanEvents: scanEvents()}
	in, out, res := runAsync(context.Background(), f.engines(), Options{})
	eventually(t, out, "14 outdated")
	io.WriteString(in, "q")
	r := result(t, res)
	if r.code != 0 || r.err != nil {
		t.Fatalf("code %d err %v", r.code, r.err)
	}
	restored(t, out.String())
	if !strings.HasSuffix(out.String(), "Nothing upgraded; 14 packages are outdated (see `pipup list`).\n") {
		t.Errorf("farewell missing: %q", out.String()[max(0, len(out.String())-120):])
	}
}

func TestRunCtrlCKey(t *testing.T) {
	f := &fakes{scanEvents: scanEvents()}
	in, out, res := runAsync(context.Background(), f.engines(), Options{})
	eventually(t, out, "14 outdated")
	io.WriteString(in, "\x03")
	if r := result(t, res); r.code != 130 || r.err != nil {
		t.Fatalf("code %d err %v", r.code, r.err)
	}
	restored(t, out.String())
}

func TestRunSignalDuringUpgrade(t *testing.T) {
	f := &fakes{scanEvents: scanEvents()}
	e := f.engines()
	e.Upgrade = scriptedUpgrade(50 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	later := make(chan struct{}, 1)
	in, out, res := runAsync(ctx, e, Options{Interrupts: later})
	eventually(t, out, "14 outdated")
	io.WriteString(in, "\r")
	eventually(t, out, "Upgrade 8 packages?")
	io.WriteString(in, "y")
	eventually(t, out, "✓ ")
	cancel() // the first SIGINT
	r := result(t, res)
	if r.code != 130 || r.err != nil {
		t.Fatalf("code %d err %v", r.code, r.err)
	}
	o := out.String()
	if !strings.Contains(o, "Stopped by Ctrl-C") || strings.Contains(o, "✓ 8 upgraded") {
		t.Errorf("the run should stop early and say so: %q", o[max(0, len(o)-300):])
	}
	restored(t, o)
}

func TestRunFatalEngineError(t *testing.T) {
	e := (&fakes{}).engines()
	e.Open = func(context.Context) (Target, error) { return Target{}, errors.New(`no interpreter at "/nope/python"`) }
	_, out, res := runAsync(context.Background(), e, Options{})
	r := result(t, res)
	if r.code != 1 || r.err == nil || !strings.Contains(r.err.Error(), "/nope/python") {
		t.Fatalf("code %d err %v", r.code, r.err)
	}
	restored(t, out.String())
}

func TestRunPanicInEngine(t *testing.T) {
	e := (&fakes{}).engines()
	e.Scan = func(context.Context) <-chan pip.ScanEvent { panic("scan engine bug") }
	_, out, res := runAsync(context.Background(), e, Options{})
	r := result(t, res)
	if r.code != 1 || r.err == nil || !strings.Contains(r.err.Error(), "internal error: scan engine bug") {
		t.Fatalf("code %d err %v", r.code, r.err)
	}
	o := out.String()
	restored(t, o)
	if strings.Contains(o, "goroutine") || strings.Contains(o, "panic") {
		t.Errorf("a stack trace reached the terminal: %q", o)
	}
}

// panicky is a model that panics where it is told to.
type panicky struct{ inUpdate, inView bool }

func (p panicky) Init() tea.Cmd { return nil }
func (p panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyMsg); ok {
		if p.inUpdate {
			panic("update bug")
		}
		p.inView = true
	}
	return p, nil
}
func (p panicky) View() string {
	if p.inView {
		panic("view bug")
	}
	return "ok"
}

func TestRunGuardedPanics(t *testing.T) {
	for _, tt := range []struct {
		name  string
		model panicky
		want  string
	}{
		{"update", panicky{inUpdate: true}, "update bug"},
		{"view", panicky{}, "view bug"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inR, inW := io.Pipe()
			out := &syncBuffer{}
			res := make(chan error, 1)
			go func() {
				_, err := runGuarded(context.Background(), tt.model, nil, inR, out)
				res <- err
			}()
			eventually(t, out, "ok")
			io.WriteString(inW, "x")
			select {
			case err := <-res:
				if err == nil || !strings.Contains(err.Error(), "internal error: "+tt.want) {
					t.Fatalf("err %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the program did not end")
			}
			restored(t, out.String())
		})
	}
}
