// Command demo shows pipup's whole flow offline: it starts a local package
// index (pypitest, in this process) with a few dozen generated packages of
// every bump kind, makes a throwaway venv with older versions installed,
// and runs pipup against them in your terminal.
//
//	go run ./scripts/demo                      # pick, upgrade, see the summary
//	go run ./scripts/demo -latency 300ms       # a slower index, to watch the scan
//	go run ./scripts/demo -- --exclude comet   # flags after -- go to pipup
//	go run ./scripts/demo -screenshots docs/screenshots
//
// -screenshots drives pipup in tmux instead (tmux required) and saves the
// choosing, upgrading and summary screens as .ansi captures, plus .svg
// images when `freeze` (github.com/charmbracelet/freeze) is on PATH and .png
// ones when rsvg-convert (librsvg) is too.
// Nothing leaves 127.0.0.1; the venv and index are removed afterwards
// unless -keep.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// project is one demo package: installed at the first version, the index
// has all of them.
type project struct {
	name, summary string
	versions      []string
}

// requires are the demo's dependencies, by "name==version": a hold that
// the holder's newer version lifts (nimbus-sdk pins nimbus-core, as boto3
// pins botocore), and a new version that needs a package not installed
// yet (riverbed 1.4.0 needs arrowhead), so the confirm screen shows how
// the plan adjusts the choice.
var requires = map[string][]string{
	"nimbus-sdk==1.34.0": {"nimbus-core<1.35.0,>=1.34.0"},
	"nimbus-sdk==1.35.4": {"nimbus-core<1.36.0,>=1.35.4"},
	"riverbed==1.4.0":    {"arrowhead>=0.3"},
}

// projects cover every bump kind: patch, minor, major, pre-release (shown
// with --pre, which the demo passes), up to date, plus one the index does
// not have and one whose page is broken.
func projects() []project {
	return []project{
		{"aurora-client", "Client for the Aurora job scheduler", []string{"1.4.2", "1.4.7"}},
		{"bramble", "Fast, friendly HTML templating", []string{"3.1.0", "3.1.1"}},
		{"cinder-utils", "Small utilities for working with file trees", []string{"0.9.3", "0.9.8"}},
		{"driftwood", "Structured logging that reads well in a terminal", []string{"2.0.0", "2.0.4"}},
		{"ember-cache", "In-memory and on-disk caches with TTLs", []string{"5.2.1", "5.2.2"}},
		{"fjord", "Command-line argument parsing with subcommands", []string{"8.1.0", "8.1.3"}},
		{"glacier-io", "Streaming readers and writers for big files", []string{"1.0.0", "1.0.1"}},
		{"heron", "A tiny HTTP router for WSGI apps", []string{"0.14.0", "0.14.2"}},
		{"isotope", "Units of measure with conversions", []string{"4.0.6", "4.0.9"}},
		{"juniper-tz", "Time zones done right", []string{"2024.1", "2024.1.1"}},
		{"kelp", "Config files: TOML, YAML and env vars, merged", []string{"1.8.0", "1.11.0"}},
		{"lumen", "Colour maths for terminals and the web", []string{"0.6.1", "0.7.0"}},
		{"meridian", "Dates and calendars for humans", []string{"3.3.0", "3.5.2"}},
		{"nimbus-sdk", "SDK for the Nimbus cloud API", []string{"1.34.0", "1.35.4"}},
		{"nimbus-core", "Low-level core of the Nimbus SDK", []string{"1.34.0", "1.34.9", "1.35.4"}},
		{"orchard", "Task queues backed by Redis or SQLite", []string{"2.2.2", "2.3.0"}},
		{"pebble-db", "An embedded key-value store", []string{"0.20.0", "0.21.1"}},
		{"quartz-crypto", "Modern cryptographic recipes", []string{"42.0.5", "42.1.0"}},
		{"riverbed", "Dataframes for streaming data", []string{"1.2.0", "1.4.0"}},
		{"sable", "A linter for configuration files", []string{"0.3.0", "0.4.0"}},
		{"tundra", "Numerical arrays and linear algebra", []string{"1.26.4", "2.1.0"}},
		{"umbra-web", "A batteries-included web framework", []string{"4.2.11", "5.1.0"}},
		{"vortex", "Async networking toolkit", []string{"3.9.5", "4.0.0"}},
		{"willow-orm", "An ORM with migrations", []string{"1.4.52", "2.0.36"}},
		{"xylem", "Parse and validate data with type hints", []string{"1.10.17", "2.9.2"}},
		{"yarrow", "Plotting for notebooks", []string{"0.12.2", "1.0.0"}},
		{"zephyr-test", "A test runner with fixtures", []string{"7.4.4", "8.0.0rc2"}},
		{"alder-ml", "Gradient boosting on trees", []string{"2.0.3", "2.1.0b1"}},
		{"basalt", "Image decoding and resizing", []string{"10.3.0", "11.0.0a3"}},
		{"cobalt-async", "Structured concurrency for asyncio", []string{"0.25.0", "0.26.0.dev4"}},
		{"dune-cli", "Rich output for command-line tools", []string{"13.7.1"}},
		{"estuary", "Read and write Parquet", []string{"15.0.2"}},
		{"fennel", "Markdown to HTML", []string{"3.6"}},
		{"garnet", "Retry with backoff", []string{"8.2.3"}},
		{"hollow-fs", "Virtual file systems", []string{"2024.3.1"}},
		{"iris-images", "Thumbnails and EXIF", []string{"1.1.1"}},
	}
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	latency := flag.Duration("latency", 150*time.Millisecond, "delay the index adds to every response")
	keep := flag.Bool("keep", false, "keep the venv, index data and pipup binary")
	shots := flag.String("screenshots", "", "save screens into `DIR` instead of running interactively (needs tmux)")
	flag.Parse()

	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "pipup-demo-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "demo: files in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	env := cleanEnv(dir)

	step("building pipup")
	bin := filepath.Join(dir, "pipup")
	if out, err := command(root, os.Environ(), "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}

	step("starting a local index")
	srv := pypitest.NewServer()
	defer srv.Close()
	var pins []string
	for _, p := range projects() {
		for _, v := range p.versions {
			spec := pypitest.WheelSpec{Name: p.name, Version: v, Summary: p.summary, Requires: requires[p.name+"=="+v]}
			if err := srv.AddWheel(spec); err != nil {
				return err
			}
		}
		pins = append(pins, p.name+"=="+p.versions[0])
	}
	// Two packages the scan cannot check: one that no index has, one whose
	// index page turns out to be broken.
	local := filepath.Join(dir, "wheels")
	if err := os.MkdirAll(local, 0o755); err != nil {
		return err
	}
	if _, err := pypitest.WriteWheel(local, pypitest.WheelSpec{Name: "inhouse-tools", Version: "0.4.0", Summary: "Our own helpers (not published)"}); err != nil {
		return err
	}
	if err := srv.AddWheel(pypitest.WheelSpec{Name: "jetsam", Version: "0.1.0", Summary: "Legacy metrics exporter"}); err != nil {
		return err
	}
	// On the index only: riverbed's new version brings it in.
	if err := srv.AddWheel(pypitest.WheelSpec{Name: "arrowhead", Version: "0.3.2", Summary: "Columnar memory format"}); err != nil {
		return err
	}
	pins = append(pins, "jetsam==0.1.0")

	step(fmt.Sprintf("making a venv with %d packages installed", len(pins)+1))
	py := filepath.Join(dir, "venv", "bin", "python")
	if err := command(dir, env, "python3", "-m", "venv", filepath.Join(dir, "venv")).Run(); err != nil {
		return fmt.Errorf("python3 -m venv: %w", err)
	}
	install := append([]string{"-m", "pip", "install", "-q", "--index-url", srv.IndexURL()}, pins...)
	if out, err := command(dir, env, py, install...).CombinedOutput(); err != nil {
		return fmt.Errorf("pip install: %w\n%s", err, out)
	}
	if out, err := command(dir, env, py, "-m", "pip", "install", "-q", "--no-index", "--find-links", local, "inhouse-tools").CombinedOutput(); err != nil {
		return fmt.Errorf("pip install inhouse-tools: %w\n%s", err, out)
	}
	srv.Fail("jetsam", pypitest.Fault{Garbage: true})
	srv.SetLatency(*latency)

	args := append([]string{"--python", py, "--index-url", srv.IndexURL(), "--pre"}, flag.Args()...)
	if *shots != "" {
		return screenshots(*shots, dir, env, bin, args)
	}
	step("running pipup " + strings.Join(args, " "))
	return interactive(env, bin, args)
}

// interactive runs pipup on this terminal. This process ignores Ctrl-C
// meanwhile: it belongs to pipup, and the index must outlive it.
func interactive(env []string, bin string, args []string) error {
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	defer signal.Reset(os.Interrupt, syscall.SIGTERM)
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "demo: pipup exited with %d\n", ee.ExitCode())
		return nil
	}
	return err
}

func step(s string) { fmt.Fprintln(os.Stderr, "demo:", s+"…") }

func command(dir string, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	return cmd
}

// moduleRoot is the pipup checkout the demo builds.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run the demo from the pipup checkout: go run ./scripts/demo")
	}
	return filepath.Dir(mod), nil
}

// cleanEnv drops pip's and the machine's configuration so the demo sees
// only its own index, and keeps pipup's cache and state in the demo's
// directory.
func cleanEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") || k == "VIRTUAL_ENV" || strings.HasPrefix(k, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PIP_CONFIG_FILE="+os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1",
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
}
