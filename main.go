// Command pipup keeps a Python environment up to date: it checks every
// installed package against the package index, shows the outdated ones and
// upgrades the chosen ones safely. main.go only wires the commands.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes, as the README documents them.
const (
	exitOK          = 0
	exitFailed      = 1   // some package could not be checked or upgraded
	exitUsage       = 2   // bad flags or arguments
	exitInterrupted = 130 // Ctrl-C
)

// stdio is where a command reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
}

func run(args []string, io stdio) (code int) {
	// No stack trace ever reaches a user: a bug becomes one line and exit 1.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(io.err, "pipup: internal error: %v (please report this)\n", r)
			if os.Getenv("PIPUP_DEBUG") != "" {
				io.err.Write(debug.Stack())
			}
			code = exitFailed
		}
	}()

	sig := newInterrupts()
	defer sig.stop()

	cmd, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "":
		for _, a := range rest {
			switch a {
			case "--version", "-version":
				fmt.Fprintln(io.out, versionLine())
				return exitOK
			case "--help", "-help", "-h":
				usage(io.out)
				return exitOK
			}
		}
		return runInteractive(sig, rest, io)
	case "list":
		return runList(sig, rest, io)
	case "upgrade":
		return runUpgrade(sig, rest, io)
	case "undo":
		return runUndo(sig, rest, io)
	case "history":
		return runHistory(sig, rest, io)
	case "cache":
		return runCache(sig, rest, io)
	case "config":
		return runConfig(sig, rest, io)
	case "completion":
		return runCompletion(rest, io)
	case "help":
		usage(io.out)
		return exitOK
	case "version":
		fmt.Fprintln(io.out, versionLine())
		return exitOK
	default:
		fmt.Fprintf(io.err, "pipup: unknown command %q (see pipup --help)\n", cmd)
		return exitUsage
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `pipup keeps a Python environment up to date.

Usage:
  pipup [flags]                 check, pick and upgrade in the terminal UI
  pipup list [PKG...] [flags]   list outdated packages (text or --json)
  pipup upgrade [PKG...] [--all] [--yes] [--dry-run] [flags]
  pipup undo [--yes]            restore the versions before the last upgrade
  pipup history                 list the saved snapshots
  pipup cache info|clean        show or empty pipup's HTTP cache
  pipup config                  show pipup's settings and where each came from
  pipup completion bash|zsh|fish   print a shell completion script
  pipup --version

Run "pipup COMMAND -h" for a command's flags. pipup reads pip's
configuration (pip.conf, PIP_INDEX_URL, ...) for where to look, and its
own settings (ignore, pin, cooldown, pre, concurrency, latest, no-vulns) from
~/.config/pipup/config.toml and [tool.pipup] in pyproject.toml.

Exit codes: 0 ok, 1 some package failed, 2 bad usage, 130 interrupted.
`)
}

// versionLine is what --version and `pipup version` print.
func versionLine() string {
	return fmt.Sprintf("pipup %s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func userAgent() string {
	return fmt.Sprintf("pipup/%s (%s; %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func itoa(n int) string { return strconv.Itoa(n) }
