package pip

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/pipup/pipup/pypi"
)

// pipCmd is one run of the target's own pip.
type pipCmd struct {
	python string
	args   []string // after "-m pip"
	env    []string // full environment of the process
	log    string   // stdout and stderr go here, not to a pipe (see start)
	// timeout bounds the run; 0 = none. See wait for what happens then.
	timeout time.Duration
	// stoppable marks runs that never touch the environment (pip wheel,
	// pip download): those may be ended when pipup is cancelled.
	stoppable bool
}

// pipResult is what a finished pip run left behind.
type pipResult struct {
	exitCode int    // -1 when pip died of a signal or never ran
	output   string // everything pip printed, credentials redacted
	elapsed  time.Duration
	timedOut bool // the timeout passed (pip was ended only if it had changed nothing)
	killed   bool // pipup ended it (timeout before the install phase, or cancel of a stoppable run)
	err      error
}

func (r pipResult) ok() bool { return r.err == nil && r.exitCode == 0 && !r.killed }

// installPhase is the line pip logs right before it first changes the
// environment (pip/_internal/commands/install.py, every pip since 10).
// Until it is in the log, ending pip leaves the environment as it was.
const installPhase = "Installing collected packages:"

// pipProcess is a started pip run.
type pipProcess struct {
	c     *pipCmd
	cmd   *exec.Cmd
	logf  *os.File
	start time.Time
	done  chan struct{}
	werr  error
}

// startPip starts pip in its own process group (a new console process
// group on Windows), so that the terminal's Ctrl-C (sent to the foreground
// group) never reaches it: pip does not roll
// back an interrupted install. Its output goes to a file rather than a pipe
// for the same reason: if pipup is force-quit, pip must not die of a broken
// pipe halfway through an install; it finishes on its own.
func startPip(c *pipCmd) (*pipProcess, error) {
	f, err := os.OpenFile(c.log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pip log: %w", err)
	}
	cmd := exec.Command(c.python, append([]string{"-m", "pip"}, c.args...)...)
	cmd.Env = c.env
	cmd.Stdout, cmd.Stderr = f, f
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("run pip: %w", err)
	}
	p := &pipProcess{c: c, cmd: cmd, logf: f, start: time.Now(), done: make(chan struct{})}
	go func() {
		p.werr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// wait waits for pip to exit. When stop is closed (pipup was cancelled) a
// stoppable run is ended; any other run is left to finish. When the timeout
// passes, pip is ended only if it has not reached its install phase;
// otherwise it is left to finish too, because ending it mid-install is what
// breaks environments.
func (p *pipProcess) wait(stop <-chan struct{}) pipResult {
	var deadline <-chan time.Time
	if p.c.timeout > 0 {
		t := time.NewTimer(p.c.timeout)
		defer t.Stop()
		deadline = t.C
	}
	var res pipResult
	for waiting := true; waiting; {
		select {
		case <-p.done:
			waiting = false
		case <-stop:
			stop = nil
			if p.c.stoppable {
				p.end()
				res.killed = true
			}
		case <-deadline:
			deadline = nil
			res.timedOut = true
			if p.c.stoppable || p.endIfUnchanged() {
				if p.c.stoppable {
					p.end()
				}
				res.killed = true
			}
		}
	}
	p.logf.Close()
	res.elapsed = time.Since(p.start)
	out, _ := os.ReadFile(p.c.log)
	res.output = pypi.RedactURL(string(out))
	res.exitCode = -1
	var ee *exec.ExitError
	switch {
	case p.werr == nil:
		res.exitCode = 0
	case errors.As(p.werr, &ee):
		res.exitCode = ee.ExitCode()
	default:
		res.err = fmt.Errorf("run pip: %w", p.werr)
	}
	return res
}

// runPip starts pip and waits for it.
func runPip(c *pipCmd, stop <-chan struct{}) pipResult {
	p, err := startPip(c)
	if err != nil {
		return pipResult{exitCode: -1, err: err}
	}
	return p.wait(stop)
}

// pipEnv is the environment for a pip run: the user's, minus every PIP_*
// variable and pip's configuration files, plus the settings pipup decided.
// pipup has already merged pip's configuration into the options it passes,
// so dropping it makes the run do exactly what pipup planned (a configured
// find-links directory, for one, would otherwise offer pip other files of
// the same versions, unverified).
func pipEnv(base []string, set map[string]string) []string {
	out := make([]string, 0, len(base)+len(set)+4)
	for _, kv := range base {
		if strings.HasPrefix(kv, "PIP_") {
			continue
		}
		out = append(out, kv)
	}
	out = append(out,
		"PIP_CONFIG_FILE="+os.DevNull,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
		"PIP_PROGRESS_BAR=off",
		"PIP_NO_COLOR=1",
	)
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// pipError picks the one line that says why a pip run failed: the first
// "ERROR:" line that is not a generic pointer, else the last line of a
// traceback, else the last line.
func pipError(output string) string {
	lines := strings.Split(strings.TrimSpace(output), "\n")
	for _, l := range lines {
		l = strings.TrimSpace(l)
		msg, ok := strings.CutPrefix(l, "ERROR: ")
		if !ok || genericPipError(msg) {
			continue
		}
		return shorten(msg)
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return shorten(strings.TrimPrefix(l, "ERROR: "))
		}
	}
	return "pip failed without a message"
}

func genericPipError(msg string) bool {
	for _, p := range []string{
		"ResolutionImpossible",
		"Exception:",
		"pip's dependency resolver does not currently",
		"To fix this you could try",
		"You are using pip version",
	} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

var noMatchRE = regexp.MustCompile(`(?m)^ERROR: (?:No matching distribution found for|Could not find a version that satisfies the requirement) ([A-Za-z0-9._-]+)`)

// missingRequirements lists the projects pip could not find in a run.
func missingRequirements(output string) []string {
	var out []string
	for _, m := range noMatchRE.FindAllStringSubmatch(output, -1) {
		out = append(out, m[1])
	}
	return out
}

// resolutionFailed reports whether pip stopped while resolving, which is
// before it changed anything, for a reason that more index access may cure.
func resolutionFailed(output string) bool {
	return strings.Contains(output, "ResolutionImpossible") ||
		strings.Contains(output, "conflicting dependencies") ||
		noMatchRE.MatchString(output)
}
