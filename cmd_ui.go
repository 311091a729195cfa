package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/mattn/go-isatty"

	"github.com/pipup/pipup/model"
	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
)

// nonInteractiveHint follows `pipup list` output when pipup is not run on a
// terminal.
const nonInteractiveHint = "pipup: not a terminal, so no interactive UI; to upgrade non-interactively run `pipup upgrade --all --yes` (or name the packages)"

// runInteractive is `pipup` without a subcommand: the terminal UI when
// standard output is a terminal, else `pipup list` and a hint.
func runInteractive(sig *interrupts, args []string, io stdio) int {
	if !isTerminal(io.out) {
		code := runList(sig, args, io)
		fmt.Fprintln(io.err, nonInteractiveHint)
		return code
	}
	fs := flag.NewFlagSet("pipup", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var ef envFlags
	var cf changeFlags // --yes is accepted and moot: the UI asks once
	var pf planFlags
	ef.register(fs)
	cf.register(fs)
	pf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pipup [PKG...] [flags]\n\nCheck the installed packages, pick the ones to upgrade and upgrade them.\n\nFlags:")
		fs.PrintDefaults()
	}
	pkgs, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if err := cf.check(); err != nil {
		fmt.Fprintln(io.err, "pipup: "+err.Error())
		return exitUsage
	}

	// Later signals (the first cancels sig.ctx) reach the UI as more
	// Ctrl-Cs, so a second one does not kill pipup with the terminal raw.
	later := make(chan struct{}, 4)
	sig.setRepeat(func(int) {
		select {
		case later <- struct{}{}:
		default:
		}
	})
	defer sig.setRepeat(nil)

	code, err := model.Run(sig.ctx, uiEngines(ef, cf, pf, pkgs), model.Target{Python: ef.python},
		model.Options{Interrupts: later}, uiInput(io.in), io.out)
	if err != nil {
		fmt.Fprintf(io.err, "pipup: %s\n", pypi.RedactURL(err.Error()))
	}
	return code
}

// uiEngines wires the real engines. The environment is opened by the UI
// (so its first frame does not wait for Python) and shared by the engines
// it starts afterwards.
func uiEngines(ef envFlags, cf changeFlags, pf planFlags, pkgs []string) model.Engines {
	var env atomic.Pointer[pip.Env]
	e := model.Engines{
		Open: func(ctx context.Context) (model.Target, error) {
			opened, err := pip.Open(ctx, ef.optionsFor("install"))
			if err != nil {
				return model.Target{}, err
			}
			env.Store(opened)
			return targetOf(opened, cf.breakSystem), nil
		},
		Scan: func(ctx context.Context) <-chan pip.ScanEvent {
			return env.Load().Scan(ctx, pip.ScanRequest{Packages: pkgs, Exclude: ef.exclude})
		},
		Details: func(ctx context.Context, p pip.PackageChecked) (model.Details, error) {
			return projectDetails(ctx, env.Load(), p)
		},
		Plan: func(ctx context.Context, chosen []pip.PackageChecked) (*pip.Plan, error) {
			return env.Load().PlanUpgrade(ctx, chosen, pf.options())
		},
		Upgrade: func(ctx context.Context, chosen []pip.PackageChecked) <-chan pip.UpgradeEvent {
			return env.Load().Upgrade(ctx, chosen, cf.options(&ef))
		},
	}
	return e
}

// targetOf describes an opened environment for the confirm screen; an
// externally-managed one is refused there unless --break-system-packages.
func targetOf(e *pip.Env, breakSystem bool) model.Target {
	t := model.Target{Python: e.Interp.Executable, InVenv: e.Interp.InVenv}
	if e.Interp.ExternallyManaged != "" && !breakSystem {
		t.ExternallyManaged = e.Interp.ExternallyManagedError
		if t.ExternallyManaged == "" {
			t.ExternallyManaged = "The environment is marked as externally managed by " + e.Interp.ExternallyManaged
		}
	}
	return t
}

// uiInput is nil for a file, so that Bubble Tea reads standard input when
// it is a terminal and opens the terminal when it is not (pipup < list.txt).
func uiInput(r io.Reader) io.Reader {
	if _, isFile := r.(*os.File); isFile {
		return nil
	}
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// projectDetails reads a package's summary and links from the index's PyPI
// JSON API (pypi.org and Warehouse-compatible indexes serve it beside
// /simple). Indexes without one give no details, not an error.
func projectDetails(ctx context.Context, env *pip.Env, p pip.PackageChecked) (model.Details, error) {
	if env == nil {
		return model.Details{}, nil
	}
	api, ok := pip.JSONAPIURL(env.Config.IndexURL, p.Name, p.Latest)
	if !ok {
		return model.Details{}, nil
	}
	body, _, err := env.Client().Open(ctx, api)
	if err != nil {
		if errors.Is(err, pypi.ErrNotFound) {
			return model.Details{}, nil
		}
		return model.Details{}, err
	}
	defer body.Close()
	var doc struct {
		Info struct {
			Summary     string            `json:"summary"`
			HomePage    string            `json:"home_page"`
			ProjectURLs map[string]string `json:"project_urls"`
		} `json:"info"`
	}
	// A per-version document is small; the bound keeps a bad index from
	// feeding an endless one.
	if err := json.NewDecoder(io.LimitReader(body, 4<<20)).Decode(&doc); err != nil {
		return model.Details{}, fmt.Errorf("project page of %s: %w", p.Name, err)
	}
	return model.Details{Summary: doc.Info.Summary, Links: pickLinks(doc.Info.HomePage, doc.Info.ProjectURLs)}, nil
}

// pickLinks keeps the links worth a glance before upgrading: the home page,
// the changelog, the source; http(s) only, each URL once.
func pickLinks(home string, urls map[string]string) []model.Link {
	kinds := []struct {
		label string
		keys  []string
	}{
		{"home", []string{"homepage", "home", "home page", "documentation"}},
		{"changelog", []string{"changelog", "changes", "change log", "release notes", "releases", "history", "what's new", "news"}},
		{"source", []string{"source", "source code", "repository", "code", "github"}},
	}
	// Map keys are looked at in a fixed order, so the choice is stable.
	keys := make([]string, 0, len(urls))
	for k := range urls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	web := func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
	}
	seen := map[string]bool{}
	var out []model.Link
	for _, kind := range kinds {
		var cands []string
		for _, want := range kind.keys {
			for _, k := range keys {
				if strings.EqualFold(strings.TrimSpace(k), want) {
					cands = append(cands, urls[k])
				}
			}
		}
		if kind.label == "home" {
			cands = append(cands, home)
		}
		for _, c := range cands {
			if web(c) && !seen[c] {
				seen[c] = true
				out = append(out, model.Link{Label: kind.label, URL: c})
				break
			}
		}
	}
	return out
}
