package piptest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Environ is os.Environ() made safe for running pip in a test: every PIP_*
// and *_PROXY variable dropped (this machine sets PIP_FIND_LINKS, PIP_CERT,
// PIP_DEFAULT_TIMEOUT, ... and has an /etc/pip.conf), then
// PIP_CONFIG_FILE=/dev/null (pip reads no configuration file at all),
// PIP_DISABLE_PIP_VERSION_CHECK=1, PIP_NO_INPUT=1, PIP_NO_COLOR=1 and
// PYTHONDONTWRITEBYTECODE=1. HOME and XDG_* are the process's own, so an
// interpreter outside a venv sees the same user site-packages as a pipup
// started without this environment would.
//
// What the caller may have set to change how output looks or where
// requests go is dropped too (see callerOnly): a test that means NO_COLOR,
// a TERM or a proxy sets it.
//
// Each of set ("KEY=VALUE") replaces the variable of that name rather than
// being appended after it: Python keeps the first of two entries with one
// name, Go's os/exec the last, so a duplicate would mean different things
// to pip and to pipup.
func Environ(set ...string) []string {
	return build(func(string) bool { return false }, set)
}

// HomeEnviron is Environ for a process that must find nothing of the real
// user's: HOME=home, XDG_CACHE_HOME and XDG_STATE_HOME under home, every
// other XDG_* variable and VIRTUAL_ENV and NETRC dropped, and
// PIP_NO_CACHE_DIR=1. CI is dropped too: termenv takes any CI variable to
// mean "not a terminal", which would turn colours off in terminal tests.
// set is applied last, as in Environ.
func HomeEnviron(home string, set ...string) []string {
	drop := func(k string) bool {
		return k == "HOME" || k == "VIRTUAL_ENV" || strings.HasPrefix(k, "XDG_") || k == "NETRC" || k == "CI"
	}
	return build(drop, append([]string{
		"HOME=" + home,
		"PIP_NO_CACHE_DIR=1",
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".state"),
	}, set...))
}

// callerOnly reports whether k is a variable of the caller's that would
// make a test's outcome depend on who runs it: colour switches (read by
// pipup's terminal UI and by pip), the terminal's name, the standard proxy
// variables (pip would send an index request on loopback to the caller's
// proxy) and the variables that put other modules before pip's or
// replace the standard library.
func callerOnly(k string) bool {
	switch k {
	case "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "COLORTERM", "TERM",
		"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "PYTHONWARNINGS":
		return true
	}
	switch strings.ToLower(k) {
	case "http_proxy", "https_proxy", "all_proxy", "no_proxy":
		return true
	}
	return false
}

func build(drop func(key string) bool, set []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToUpper(k), "PIP_") || callerOnly(k) || drop(k) {
			continue
		}
		env = append(env, kv)
	}
	pip := []string{
		"PIP_CONFIG_FILE=" + os.DevNull,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
		"PIP_NO_COLOR=1",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	for _, kv := range append(pip, set...) {
		env = setVar(env, kv)
	}
	return env
}

// setVar replaces the entry named like kv, or appends kv.
func setVar(env []string, kv string) []string {
	k, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek == k {
			env[i] = kv
			return env
		}
	}
	return append(env, kv)
}

// scrubProcess unsets in this process the caller's variables that Environ
// drops (PIP_*, see callerOnly), and PYTHONNOUSERSITE and PYTHONUSERBASE:
// code under test that starts Python or reads pip's settings from
// os.Environ() then sees what a test sets, never what its caller had
// (with PYTHONNOUSERSITE=1 inherited, a user-site test would skip).
// HOME and XDG_* stay: `go build` in a test finds its cache through them.
func scrubProcess() error {
	var errs []error
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToUpper(k), "PIP_") || callerOnly(k) || k == "PYTHONNOUSERSITE" || k == "PYTHONUSERBASE" {
			errs = append(errs, os.Unsetenv(k))
		}
	}
	return errors.Join(errs...)
}
