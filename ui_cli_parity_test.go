package main

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/pipup/pipup/model"
	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi/pypitest"
)

// The CLI and the UI make the same choices for the same environment: the
// same outdated packages at the same wanted versions with the same hold
// notes, and, asked for the same upgrades, the same plan with the same
// notes. The CLI is the real binary; the UI is the real model run as a
// Bubble Tea program on the real engines, driven by keys, read from its
// screen (and from the plan its Plan engine answered).

// parityChoice is one choice made on both surfaces: the UI's keys on the
// table (after the scan, before Enter) and the CLI's `upgrade --dry-run`
// arguments.
type parityChoice struct {
	name string
	keys []string // "n" ticks nothing, "name" moves to that row, " " ticks, "p" ticks the pair
	cli  []string
	// atWanted: the UI asks for a held package at its wanted version where
	// the CLI asks for its latest and the plan lowers it, saying why; the
	// plans are the same, the CLI's extra notes are those lowerings.
	atWanted bool
}

func TestCLIAndUIMakeTheSameChoice(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name  string
		specs []pypitest.WheelSpec
		pins  []string
		// The UI's table: "name installed → offered bump", ticked ones
		// marked "[x]"; the CLI's wanted versions must match.
		table []string
		// What the UI's details line says of each held package.
		holds   map[string]string
		choices []parityChoice
	}{{
		name: "a pair frees the held package",
		specs: []pypitest.WheelSpec{
			{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
			{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
			{Name: "holder", Version: "2.0", Requires: []string{"dep<3"}},
		},
		pins:  []string{"dep==1.0", "holder==1.0"},
		table: []string{"[x] dep 1.0 → 1.5 minor", "[ ] holder 1.0 → 2.0 major"},
		holds: map[string]string{"dep": "2.0 held back by holder 1.0 (dep<2) · p: upgrade with holder 2.0 → dep 2.0"},
		choices: []parityChoice{
			{name: "default", cli: []string{"dep"}, atWanted: true},
			{name: "pair", keys: []string{"dep", "p"}, cli: []string{"dep", "holder"}},
			{name: "holder alone", keys: []string{"n", "holder", " "}, cli: []string{"holder"}},
		},
	}, {
		name: "an extra holds it, nothing frees it",
		specs: []pypitest.WheelSpec{
			{Name: "ex", Version: "1.0"}, {Name: "ex", Version: "1.2"}, {Name: "ex", Version: "2.0"},
			// pypitest has no Provides-Extra field; the summary line carries it.
			{Name: "feat", Version: "1.0", Summary: "f\nProvides-Extra: fast", Requires: []string{`ex<2; extra == "fast"`}},
			{Name: "user", Version: "1.0", Requires: []string{"feat[fast]"}},
		},
		pins:    []string{"ex==1.0", "feat==1.0", "user==1.0"},
		table:   []string{"[x] ex 1.0 → 1.2 minor"},
		holds:   map[string]string{"ex": "2.0 held back by feat 1.0 (ex<2)"},
		choices: []parityChoice{{name: "default", cli: []string{"ex"}, atWanted: true}},
	}, {
		name: "held at the installed version",
		specs: []pypitest.WheelSpec{
			{Name: "stuck", Version: "1.0"}, {Name: "stuck", Version: "1.1"},
			{Name: "pinner", Version: "1.0", Requires: []string{"stuck==1.0"}},
			{Name: "free", Version: "1.0"}, {Name: "free", Version: "1.0.1"},
		},
		pins:  []string{"stuck==1.0", "pinner==1.0", "free==1.0"},
		table: []string{"[x] free 1.0 → 1.0.1 patch", "[ ] stuck 1.0 → 1.1 minor"},
		holds: map[string]string{"stuck": "held back by pinner 1.0 (stuck==1.0): upgrading would break it"},
		choices: []parityChoice{
			{name: "default", cli: []string{"free"}},
			{name: "ticking the held one", keys: []string{"stuck", " "}, cli: []string{"free", "stuck"}},
		},
	}, {
		name: "the holder's new version needs the latest",
		specs: []pypitest.WheelSpec{
			{Name: "dep", Version: "1.0"}, {Name: "dep", Version: "1.5"}, {Name: "dep", Version: "2.0"},
			{Name: "holder", Version: "1.0", Requires: []string{"dep<2"}},
			{Name: "holder", Version: "2.0", Requires: []string{"dep>=2"}},
		},
		pins:  []string{"dep==1.0", "holder==1.0"},
		table: []string{"[x] dep 1.0 → 1.5 minor", "[ ] holder 1.0 → 2.0 major"},
		holds: map[string]string{"dep": "2.0 held back by holder 1.0 (dep<2) · p: upgrade with holder 2.0 → dep 2.0"},
		choices: []parityChoice{
			{name: "pair", keys: []string{"dep", "p"}, cli: []string{"dep", "holder"}},
			{name: "holder alone", keys: []string{"n", "holder", " "}, cli: []string{"holder"}},
		},
	}} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			s := newUpgradeSetup(t)
			s.seed(sc.specs, sc.pins...)
			env := s.openEnv()

			// The table: the UI's rows against the CLI's list.
			ui := s.runUI(t, env, false, nil)
			if got := strings.Join(ui.table, "\n"); got != strings.Join(sc.table, "\n") {
				t.Errorf("UI table:\n%s\nwant:\n%s", got, strings.Join(sc.table, "\n"))
			}
			listed := s.listJSON(t)
			if len(listed) != len(ui.table) {
				t.Errorf("the CLI lists %d outdated packages, the UI %d", len(listed), len(ui.table))
			}
			for _, l := range listed {
				offered := l.Wanted // held below latest but a newer version allowed: offered at wanted
				if l.Wanted == l.Version {
					offered = l.Latest // nothing newer allowed: offered at latest, unticked
				}
				if !slices.ContainsFunc(ui.table, func(r string) bool { return strings.Contains(r, "] "+l.Name+" "+l.Version+" → "+offered+" ") }) {
					t.Errorf("the CLI lists %s %s wanted %s latest %s; the UI offers %v", l.Name, l.Version, l.Wanted, l.Latest, ui.table)
				}
				note := ui.details[l.Name]
				if want := sc.holds[l.Name]; !strings.Contains(note, want) || (want == "") != (len(l.HeldBackBy) == 0) {
					t.Errorf("%s: UI details %q, want %q (the CLI: held back by %v)", l.Name, note, want, l.HeldBackBy)
				}
			}
			tableOut, _, code := s.pipup("list")
			if code != exitOK {
				t.Fatalf("pipup list: exit %d", code)
			}
			for name := range sc.holds {
				// The Note column and the details line share their words.
				cliNote := noteOf(tableOut, name)
				hold, lift, _ := strings.Cut(cliNote, "; ")
				if hold == "" || !strings.Contains(ui.details[name], hold) {
					t.Errorf("%s: the CLI's note %q, the UI's %q", name, cliNote, ui.details[name])
				}
				if to, with, ok := strings.Cut(lift, " with "); ok && !strings.Contains(ui.details[name], "upgrade with "+with+" → "+name+" "+to) {
					t.Errorf("%s: the CLI frees it with %q, the UI says %q", name, lift, ui.details[name])
				}
			}

			for _, ch := range sc.choices {
				ui := s.runUI(t, env, true, ch.keys)
				out, errOut, code := s.pipup(append([]string{"upgrade", "--dry-run"}, ch.cli...)...)
				if code != exitOK {
					t.Fatalf("%s: pipup upgrade --dry-run: exit %d\n%s%s", ch.name, code, out, errOut)
				}
				var cliRows []string
				for _, line := range strings.Split(out, "\n") {
					if f := strings.Fields(line); len(f) >= 3 && f[0] != "Package" {
						cliRows = append(cliRows, f[0]+" "+f[1]+" → "+f[2])
					}
				}
				if strings.Join(ui.planned, "; ") != strings.Join(cliRows, "; ") {
					t.Errorf("%s: the UI plans %v, the CLI %v", ch.name, ui.planned, cliRows)
				}
				lines := strings.Split(strings.TrimSpace(errOut), "\n")
				cliNotes := lines[:len(lines)-1] // the last line counts the packages
				if ch.atWanted {
					cliNotes = slices.DeleteFunc(cliNotes, func(n string) bool { return loweredToOffer(n, ui) })
				}
				if strings.Join(ui.notes, "\n") != strings.Join(cliNotes, "\n") {
					t.Errorf("%s: the UI's plan notes:\n%s\nthe CLI's:\n%s", ch.name, strings.Join(ui.notes, "\n"), errOut)
				}
			}
		})
	}
}

// loweredToOffer says whether a CLI plan note lowers a package to the
// version the UI offered it at, for the hold the UI's details line names:
// `dep: upgrading to 1.5, not 2.0: held back by holder 1.0 (dep<2) (…)`.
func loweredToOffer(note string, ui uiRun) bool {
	name, rest, ok := strings.Cut(note, ": upgrading to ")
	if !ok {
		return false
	}
	to, rest, _ := strings.Cut(rest, ", not ")
	latest, reason, _ := strings.Cut(rest, ": ")
	hold, _, _ := strings.Cut(reason, " (--latest")
	return slices.ContainsFunc(ui.table, func(r string) bool { return strings.Contains(r, "] "+name+" ") && strings.Contains(r, " → "+to+" ") }) &&
		strings.HasPrefix(ui.details[name], latest+" "+hold)
}

// noteOf is the Note cell of a package's row in `pipup list`.
func noteOf(table, name string) string {
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[0] == name {
			return strings.Join(f[5:], " ")
		}
	}
	return ""
}

type listedJSON struct {
	Name       string              `json:"name"`
	Version    string              `json:"version"`
	Latest     string              `json:"latest_version"`
	Wanted     string              `json:"wanted_version"`
	HeldBackBy []map[string]string `json:"held_back_by"`
}

func (s *upgradeSetup) listJSON(t *testing.T) []listedJSON {
	t.Helper()
	out, errOut, code := s.pipup("list", "--json")
	var got []listedJSON
	if err := json.Unmarshal([]byte(out), &got); code != exitOK || err != nil {
		t.Fatalf("pipup list --json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	return got
}

// openEnv opens the environment in this process as the UI does, in the
// same clean environment the binary runs in.
func (s *upgradeSetup) openEnv() *pip.Env {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env, err := pip.Open(ctx, pip.Options{PipCommand: "install", Python: s.py, IndexURL: s.srv.IndexURL(),
		Environ: s.env, CacheDir: s.t.TempDir()})
	if err != nil {
		s.t.Fatal(err)
	}
	return env
}

// uiRun is what a run of the UI showed: the table rows ("[x] name from →
// to bump"), each package's second details line, and, after Enter, the
// plan its Plan engine answered ("name from → to") and the plan notes on
// the confirm screen.
type uiRun struct {
	table   []string
	details map[string]string
	planned []string
	notes   []string
}

// probe runs the model and keeps its latest screen.
type probe struct {
	tea.Model
	view *atomic.Value
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := p.Model.Update(msg)
	p.Model = next
	p.view.Store(next.View())
	return p, cmd
}

var (
	tableRow   = regexp.MustCompile(`^(?:›| ) (\[[x ]\]) (\S+)\s+(\S+)\s+→ (\S+)\s+(\S+)`)
	detailsRow = regexp.MustCompile(`^(\S+) \S+ → \S+`)
)

// runUI scans in the UI, reads the table and every row's details, then
// (when choose) makes the choice with keys, presses Enter and reads the
// plan.
func (s *upgradeSetup) runUI(t *testing.T, env *pip.Env, choose bool, keys []string) uiRun {
	t.Helper()
	var mu sync.Mutex
	var plan *pip.Plan
	eng := model.Engines{
		Scan: func(ctx context.Context) <-chan pip.ScanEvent { return env.Scan(ctx, pip.ScanRequest{}) },
		Plan: func(ctx context.Context, chosen []pip.Upgrade) (*pip.Plan, error) {
			p, err := env.PlanUpgrade(ctx, chosen, pip.PlanOptions{})
			mu.Lock()
			plan = p
			mu.Unlock()
			return p, err
		},
		Upgrade: func(context.Context, []pip.Upgrade) <-chan pip.UpgradeEvent {
			t.Error("the UI upgraded; the test never confirms")
			ch := make(chan pip.UpgradeEvent)
			close(ch)
			return ch
		},
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	view := &atomic.Value{}
	view.Store("")
	m := model.New(ctx, eng, model.Target{Python: s.py, InVenv: true}, model.Options{Renderer: r})
	p := tea.NewProgram(probe{Model: m, view: view}, tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithoutRenderer(), tea.WithoutSignalHandler(), tea.WithContext(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.Run()
	}()
	defer func() { p.Quit(); <-done }()
	p.Send(tea.WindowSizeMsg{Width: 160, Height: 50})
	wait := func(what string, ok func(lines []string) bool) []string {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if lines := strings.Split(view.Load().(string), "\n"); ok(lines) {
				return lines
			}
		}
		t.Fatalf("the UI never showed %s:\n%s", what, view.Load())
		return nil
	}
	current := func(lines []string) string {
		for _, l := range lines {
			if m := detailsRow.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		}
		return ""
	}
	lines := wait("the table", func(lines []string) bool { return current(lines) != "" && strings.Contains(lines[0], "outdated") })
	var run uiRun
	run.details = map[string]string{}
	var names []string
	for _, l := range lines {
		if m := tableRow.FindStringSubmatch(l); m != nil {
			run.table = append(run.table, m[1]+" "+m[2]+" "+m[3]+" → "+m[4]+" "+m[5])
			names = append(names, m[2])
		}
	}
	goTo := func(name string) []string {
		t.Helper()
		p.Send(tea.KeyMsg{Type: tea.KeyHome})
		for i, n := range names {
			if n == name {
				return wait("the details of "+name, func(lines []string) bool { return current(lines) == name })
			}
			wait("the details of "+n, func(lines []string) bool { return current(lines) == n })
			if i < len(names)-1 {
				p.Send(tea.KeyMsg{Type: tea.KeyDown})
			}
		}
		t.Fatalf("no row %s in %v", name, names)
		return nil
	}
	for _, n := range names {
		lines := goTo(n)
		for i, l := range lines {
			if current([]string{l}) == n && i+1 < len(lines) {
				run.details[n] = strings.TrimSpace(lines[i+1])
			}
		}
	}
	if !choose {
		return run
	}
	for _, k := range keys {
		switch {
		case slices.Contains(names, k):
			goTo(k)
		case k == " ":
			p.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
		default:
			p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
	p.Send(tea.KeyMsg{Type: tea.KeyEnter})
	lines = wait("the plan", func(lines []string) bool {
		v := strings.Join(lines, "\n")
		return strings.Contains(v, "Upgrade ") && strings.Contains(v, "Interpreter") && !strings.Contains(v, "Checking the plan")
	})
	mu.Lock()
	defer mu.Unlock()
	if plan == nil {
		t.Fatalf("no plan:\n%s", strings.Join(lines, "\n"))
	}
	for _, u := range plan.Packages {
		from := u.From
		if from == "" {
			from = "-"
		}
		run.planned = append(run.planned, u.Name+" "+from+" → "+u.Target)
	}
	inNotes := false
	for _, l := range lines {
		switch {
		case strings.TrimSpace(l) == "The checks changed the choice:":
			inNotes = true
		case inNotes && strings.HasPrefix(l, "    "):
			_, note, _ := strings.Cut(strings.TrimSpace(l), " ")
			run.notes = append(run.notes, note)
		default:
			inNotes = false
		}
	}
	return run
}
