// Command compare-holds checks pipup's held-back answer against pip's own
// resolver on a real interpreter's installed packages, without touching
// that interpreter (issue 5):
//
//	go run ./scripts/compare-holds -python /root/.pyenv/versions/3.11.7/bin/python3.11
//
// It serves an offline mirror of the installed distributions (installed
// version plus newer ones from pypi/pep440/testdata/pypi-top-5000.tsv, see
// mirror.go), runs `pipup list --json` against it, and for every held-back
// package (and some outdated controls) runs `pip install --dry-run
// --report` upgrading it with all its installed dependents pinned at their
// installed versions: the version pip would choose is the one that fits
// those dependents. It prints one row per package and exits 1 on any
// disagreement (unless -allow-disagree) or if the interpreter's packages
// changed. See docs/HOLDS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pypitest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code, err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare-holds:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

type options struct {
	python, pipup, tsv string
	controls           int
	allowDisagree      bool
	markdown           bool
	noPins             bool
}

// row is one compared package.
type row struct {
	l          listed
	control    bool
	pins       []string
	pipVersion string
	detail     string
	err        error
}

func (r row) agree() bool { return r.err == nil && sameVersion(r.pipVersion, r.l.Wanted) }

func run(ctx context.Context, args []string, out io.Writer) (int, error) {
	fs := flag.NewFlagSet("compare-holds", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.python, "python", "", "target interpreter (read only; required)")
	fs.StringVar(&o.pipup, "pipup", "", "pipup binary (default: go build the module in the current directory)")
	fs.StringVar(&o.tsv, "latest", filepath.Join("pypi", "pep440", "testdata", "pypi-top-5000.tsv"), "snapshot of latest versions (name<TAB>latest_version<TAB>rank)")
	fs.IntVar(&o.controls, "controls", 10, "outdated packages that are not held back to compare too")
	fs.BoolVar(&o.allowDisagree, "allow-disagree", false, "exit 0 even when pip and pipup disagree")
	fs.BoolVar(&o.markdown, "markdown", false, "print the table as Markdown")
	fs.BoolVar(&o.noPins, "no-pins", false, "leave the dependents out of pip's request (pip then ignores them): shows that the comparison can fail")
	if err := fs.Parse(args); err != nil {
		return 2, nil
	}
	if o.python == "" {
		return 2, fmt.Errorf("-python is required")
	}
	tmp, err := os.MkdirTemp("", "compare-holds-")
	if err != nil {
		return 2, err
	}
	defer os.RemoveAll(tmp)
	if err := cleanEnv(tmp); err != nil {
		return 2, err
	}
	if o.pipup == "" {
		if o.pipup, err = buildPipup(ctx, tmp); err != nil {
			return 2, err
		}
	}
	latest, err := loadLatest(o.tsv)
	if err != nil {
		return 2, err
	}

	interp, err := pip.Inspect(ctx, o.python)
	if err != nil {
		return 2, err
	}
	before, err := fingerprint(ctx, interp)
	if err != nil {
		return 2, err
	}
	dists, err := pip.InstalledDists(interp)
	if err != nil {
		return 2, err
	}
	reqs := pip.InstalledRequirements(dists, interp.Markers)

	srv := pypitest.NewServer()
	defer srv.Close()
	mirror, notes, err := buildMirror(srv, dists, latest)
	if err != nil {
		return 2, err
	}
	newer, fromSnapshot := 0, 0
	for _, m := range mirror {
		if len(m.Newer) > 0 {
			newer++
		}
		if m.Source == "snapshot" || m.Source == "snapshot (not newer)" {
			fromSnapshot++
		}
	}
	fmt.Fprintf(out, "python %s (%s), pip %s: %d installed distributions, %d in the snapshot, %d offered a newer version\n",
		interp.Executable, interp.Version, interp.PipVersion, len(dists), fromSnapshot, newer)
	for _, n := range notes {
		fmt.Fprintln(out, "note:", n)
	}
	for _, p := range reqs.Problems {
		fmt.Fprintln(out, "note:", p)
	}

	start := time.Now()
	rows, stderr, err := runPipup(ctx, o.pipup, o.python, srv.IndexURL())
	if err != nil {
		return 2, err
	}
	fmt.Fprintf(out, "pipup list: %s (%.1fs)\n", lastLines(stderr, 1), time.Since(start).Seconds())

	var compared []row
	held := 0
	for _, l := range rows {
		if len(l.HeldBackBy) > 0 {
			held++
			compared = append(compared, row{l: l})
		}
	}
	for _, l := range pickControls(rows, reqs, o.controls) {
		compared = append(compared, row{l: l, control: true})
	}
	start = time.Now()
	for i := range compared {
		r := &compared[i]
		if !o.noPins {
			r.pins = dependentPins(reqs, pypi.Normalize(r.l.Name))
		}
		r.pipVersion, r.detail, r.err = pipChoice(ctx, o.python, srv.IndexURL(), tmp, r.l.Name, r.l.Version, r.pins)
		if ctx.Err() != nil {
			return 2, ctx.Err()
		}
	}
	pipTime := time.Since(start)

	agreed, disagreed := 0, 0
	for _, r := range compared {
		if r.agree() {
			agreed++
		} else {
			disagreed++
		}
	}
	printTable(out, compared, o.markdown)
	for _, r := range compared {
		if r.err != nil {
			fmt.Fprintf(out, "error %s: %v\n", r.l.Name, r.err)
		}
		if r.detail != "" {
			fmt.Fprintf(out, "note %s: pip %s\n", r.l.Name, r.detail)
		}
	}
	fmt.Fprintf(out, "%d installed, %d outdated, %d held back; compared %d (%d held back + %d controls) with pip in %.1fs: %d agree, %d disagree\n",
		len(dists), len(rows), held, len(compared), held, len(compared)-held, pipTime.Seconds(), agreed, disagreed)

	after, err := fingerprint(ctx, interp)
	if err != nil {
		return 2, err
	}
	if diff := before.diff(after); diff != "" {
		fmt.Fprintf(out, "ENVIRONMENT CHANGED: %s\n", diff)
		return 1, nil
	}
	fmt.Fprintf(out, "environment unchanged: `pip list --format=freeze` identical before and after (%d lines); %d files under %s identical (size, mode, mtime)\n",
		before.freezeLines, before.files, strings.Join(before.roots, ", "))
	if disagreed > 0 && !o.allowDisagree {
		return 1, nil
	}
	return 0, nil
}

// cleanEnv gives this process, and so pipup, pip and the interpreter it
// starts, an environment free of the machine's pip settings, with a
// throwaway HOME, and no bytecode writes into the target's site-packages.
func cleanEnv(home string) error {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PIP_") {
			os.Unsetenv(k)
		}
	}
	for k, v := range map[string]string{
		"PIP_CONFIG_FILE": os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
		"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, "cache"), "XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
	} {
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("clean environment: %w", err)
		}
	}
	for _, k := range []string{"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE"} {
		os.Unsetenv(k)
	}
	return nil
}

func buildPipup(ctx context.Context, dir string) (string, error) {
	if _, err := os.Stat("go.mod"); err != nil {
		return "", fmt.Errorf("run from the repository root or pass -pipup: %w", err)
	}
	bin := filepath.Join(dir, "pipup")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build pipup: %v: %s", err, lastLines(string(b), 3))
	}
	return bin, nil
}

func printTable(out io.Writer, rows []row, markdown bool) {
	head := []string{"package", "installed", "latest", "pipup wanted", "pip's choice", "agree", "held back by (pipup) / pins given to pip"}
	cells := func(r row) []string {
		choice, agree := r.pipVersion, "yes"
		if r.err != nil {
			choice = "error"
		}
		if !r.agree() {
			agree = "NO"
		}
		why := r.l.holdNote()
		if r.control {
			why = "(control) " + why
		}
		if len(r.pins) > 0 {
			why += " / " + strings.Join(r.pins, " ")
		}
		return []string{r.l.Name, r.l.Version, r.l.Latest, r.l.Wanted, choice, agree, strings.TrimSpace(why)}
	}
	if markdown {
		fmt.Fprintf(out, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))
		for _, r := range rows {
			fmt.Fprintf(out, "| %s |\n", strings.Join(cells(r), " | "))
		}
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(cells(r), "\t"))
	}
	tw.Flush()
}
