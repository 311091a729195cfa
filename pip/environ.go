package pip

import (
	"os"
	"runtime"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
)

// The engine's inputs from the user's environment (variables, home folder)
// are parameters: Options.Environ and Options.Home, resolved once in Open
// and kept in the Env. Package main hands over the process's; tests hand
// over their own, and nothing below reads the process behind their back.

// environOr is the one place pip falls back to the process environment: a
// caller that gives no environment (nil, not empty) gets the process's, as
// pip run from the same shell would. Either comes back resolved
// (resolveEnviron), so that every child pipup starts sees what pipup read.
func environOr(environ []string) []string {
	if environ == nil {
		environ = os.Environ()
	}
	return resolveEnviron(environ)
}

// environ is an environment as Python's os.environ holds it: CPython's
// convertenviron fills the dict with setdefault, so the first entry of a
// doubled name wins (so do getenv(3) and Go's os.Getenv), and the order of
// first appearance is kept. os/exec, by contrast, passes on the last entry
// of a doubled name; Open therefore resolves the environment with
// resolveEnviron before any child sees it, so pip, the interpreter and
// pipup all read the same values.
type environ struct {
	keys []string
	vals map[string]string
}

// parseEnviron reads an environment in os.Environ() form; it is the one
// reader of environment lists in this package.
func parseEnviron(kvs []string) environ {
	e := environ{vals: make(map[string]string, len(kvs))}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if _, dup := e.vals[k]; dup {
			continue
		}
		e.keys = append(e.keys, k)
		e.vals[k] = v
	}
	return e
}

func (e environ) get(k string) (string, bool) {
	v, ok := e.vals[k]
	return v, ok
}

// getenv is get without the "is set" answer, for code that treats an
// empty variable as an unset one.
func (e environ) getenv(k string) string { return e.vals[k] }

// list is the environment back in os.Environ() form, one entry a name.
func (e environ) list() []string {
	out := make([]string, len(e.keys))
	for i, k := range e.keys {
		out[i] = k + "=" + e.vals[k]
	}
	return out
}

// resolveEnviron is kvs as a Python started with it would see it: one
// entry a name, the first of a doubled one, so that os/exec (which keeps
// the last) passes children the values pipup read.
func resolveEnviron(kvs []string) []string { return parseEnviron(kvs).list() }

// setEnviron is kvs, resolved, with name set to value (replacing an entry
// in place, else appended).
func setEnviron(kvs []string, name, value string) []string {
	e := parseEnviron(kvs)
	if _, ok := e.vals[name]; !ok {
		e.keys = append(e.keys, name)
	}
	e.vals[name] = value
	return e.list()
}

// homeOf is the home folder Python's os.path.expanduser("~") would give
// under environ: Options.Home when set, else $HOME, else the password
// database's entry for the current user (as Python does when HOME is unset).
func homeOf(o Options, getenv func(string) string) string {
	if o.Home != "" {
		return o.Home
	}
	homeVar := "HOME"
	if runtime.GOOS == "windows" {
		homeVar = "USERPROFILE" // what Python's expanduser reads there
	}
	if h := getenv(homeVar); h != "" {
		return h
	}
	if h := pyport.ExpandUser("~", ""); h != "~" {
		return h
	}
	return ""
}

// netrcPath is the .netrc file pip reads, decided as requests'
// get_netrc_auth decides it (pip asks requests): $NETRC when it is set
// (expanded like a path with "~"; a missing file or an empty value means
// none), else the first of ~/.netrc and ~/_netrc that exists. "" is none.
func netrcPath(env map[string]string, home string) string {
	locations := []string{"~/.netrc", "~/_netrc"}
	if p, ok := env["NETRC"]; ok {
		locations = []string{p}
	}
	for _, loc := range locations {
		p := pyport.ExpandUser(loc, home)
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// defaultStateDir is where snapshots live: $XDG_STATE_HOME/pipup when it is
// an absolute path, else the OS's per-user state folder (userDir:
// ~/.local/state/pipup on Linux); "" when there is no home.
func defaultStateDir(getenv func(string) string, home string) string {
	d, err := userDir("state", runtime.GOOS, getenv, home)
	if err != nil {
		return ""
	}
	return d
}

// tempDirOf is os.TempDir under environ, for pipup's own scratch files:
// $TMPDIR, else /tmp on Unix; %TMP%, %TEMP% or %USERPROFILE% on Windows,
// else the system's answer.
func tempDirOf(getenv func(string) string) string {
	if runtime.GOOS != "windows" {
		if d := getenv("TMPDIR"); d != "" {
			return d
		}
		return "/tmp"
	}
	for _, k := range []string{"TMP", "TEMP", "USERPROFILE"} {
		if d := getenv(k); d != "" {
			return d
		}
	}
	return os.TempDir()
}
