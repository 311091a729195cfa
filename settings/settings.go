// Package settings reads pipup's own lasting settings: the user's
// $XDG_CONFIG_HOME/pipup/config.toml and a project's [tool.pipup] table in
// pyproject.toml. It is a top-level package, not part of pip/, because pip/
// is one Python environment and pip's configuration; these are the user's
// choices about what pipup offers. pip/ does not import it: the command
// line turns Settings into plain pip.Options fields (names, specifiers, a
// duration). Index locations are pip's configuration and are refused here.
//
// Every input (environment, home, working folder) is a parameter, so a
// test states the world it means.
package settings

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// Input is where Load looks.
type Input struct {
	Environ []string // KEY=VALUE; only XDG_CONFIG_HOME is read
	Home    string   // the user's home, for the XDG default ~/.config
	Dir     string   // the working folder; pyproject.toml is looked for here and above
}

// Source says where an effective value came from, as pip config list
// names files: a path and line, "flag" or "default".
type Source struct {
	Path string // "" for a default or a flag
	Line int
	Flag bool
}

func (s Source) String() string {
	switch {
	case s.Flag:
		return "flag"
	case s.Path == "":
		return "default"
	case s.Line > 0:
		return fmt.Sprintf("%s:%d", s.Path, s.Line)
	}
	return s.Path
}

// Pin is a lasting PEP 440 constraint on one package's version.
type Pin struct {
	Name string // as written
	Spec pep440.SpecifierSet
	Text string // as written, e.g. "<5"
	From Source
}

// Settings are the effective settings after the files were read (flags are
// applied by the caller, which knows which ones were given).
type Settings struct {
	// Ignore are the packages never offered, by canonical name; the value
	// is the name as written and where. The user's and the project's lists
	// add up: ignoring is never undone by a second file.
	Ignore map[string]Ignored
	// Pins by canonical name; a project's pin of a package replaces the
	// user's pin of it.
	Pins map[string]Pin
	// Cooldown: versions uploaded less than this long ago are not offered
	// (0 = off).
	Cooldown    time.Duration
	Pre         bool
	Concurrency int // 0 = pipup's default
	Latest      bool
	// From says where each scalar key's value came from (absent = default).
	From map[string]Source
	// Files are the files that were read, user first.
	Files []string
}

// Ignored is one entry of an ignore list.
type Ignored struct {
	Name string
	From Source
}

// Keys are the settings keys a file may have.
func Keys() []string { return []string{"ignore", "pin", "cooldown", "pre", "concurrency", "latest"} }

// isIndexKey reports pip's keys for where to look; pipup never keeps a
// second copy of those.
func isIndexKey(k string) bool {
	switch strings.ReplaceAll(k, "_", "-") {
	case "index-url", "extra-index-url", "find-links", "trusted-host", "no-index":
		return true
	}
	return false
}

// Error is a bad settings file: one line naming the file, line and key.
type Error struct {
	Path   string
	Line   int    // 0 when unknown
	Key    string // "" for a syntax or read error
	Reason string
}

func (e *Error) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", loc, e.Reason)
	}
	return fmt.Sprintf("%s: key %q: %s", loc, e.Key, e.Reason)
}

// UserPath is the user's settings file: $XDG_CONFIG_HOME/pipup/config.toml,
// with the XDG default ~/.config when the variable is unset or relative
// (the XDG spec says to ignore relative paths).
func UserPath(environ []string, home string) string {
	dir := lookup(environ, "XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "pipup", "config.toml")
}

func lookup(environ []string, key string) string {
	v := ""
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val // the last one wins, as in os/exec
		}
	}
	return v
}

// Load reads the user's file, then the nearest pyproject.toml's
// [tool.pipup] (which overrides it). A missing file is no error; a bad one
// is an *Error.
func Load(in Input) (*Settings, error) {
	s := &Settings{Ignore: map[string]Ignored{}, Pins: map[string]Pin{}, From: map[string]Source{}}
	user := UserPath(in.Environ, in.Home)
	if f, err := readFile(user, false); err != nil {
		return nil, err
	} else if f != nil {
		s.Files = append(s.Files, user)
		s.merge(f)
	}
	if in.Dir != "" {
		if p := findProject(in.Dir); p != "" {
			f, err := readFile(p, true)
			if err != nil {
				return nil, err
			}
			if f != nil {
				s.Files = append(s.Files, p)
				s.merge(f)
			}
		}
	}
	return s, nil
}

// merge lays f over s: scalars replace, ignore lists add up, pins replace
// per package.
func (s *Settings) merge(f *file) {
	for c, ig := range f.ignore {
		if _, ok := s.Ignore[c]; !ok {
			s.Ignore[c] = ig
		}
	}
	for c, p := range f.pins {
		s.Pins[c] = p
	}
	if v, ok := f.cooldown.get(); ok {
		s.Cooldown, s.From["cooldown"] = v, f.cooldown.from
	}
	if v, ok := f.pre.get(); ok {
		s.Pre, s.From["pre"] = v, f.pre.from
	}
	if v, ok := f.concurrency.get(); ok {
		s.Concurrency, s.From["concurrency"] = v, f.concurrency.from
	}
	if v, ok := f.latest.get(); ok {
		s.Latest, s.From["latest"] = v, f.latest.from
	}
}

// IgnoredNames are the ignored packages as written, sorted by canonical name.
func (s *Settings) IgnoredNames() []string {
	keys := make([]string, 0, len(s.Ignore))
	for c := range s.Ignore {
		keys = append(keys, c)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, c := range keys {
		out[i] = s.Ignore[c].Name
	}
	return out
}

// PinSpecs are the pins as the engine takes them: canonical name to
// specifier set.
func (s *Settings) PinSpecs() map[string]pep440.SpecifierSet {
	out := make(map[string]pep440.SpecifierSet, len(s.Pins))
	for c, p := range s.Pins {
		out[c] = p.Spec
	}
	return out
}

// canonical is the PEP 503 name used as a key.
func canonical(name string) string { return pypi.Normalize(name) }
