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
// pip run from the same shell would.
func environOr(environ []string) []string {
	if environ != nil {
		return environ
	}
	return os.Environ()
}

// environMap is an environment in os.Environ() form as a map; a later
// entry for a name wins, as in the environment os/exec gives the
// interpreter and pip.
func environMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
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
