package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"text/tabwriter"

	flag "github.com/spf13/pflag"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/settings"
)

// runConfig is `pipup config`: the effective settings and where each came
// from, as `pip config list` shows pip's.
func runConfig(sig *interrupts, args []string, io stdio) int {
	fs := flag.NewFlagSet("pipup config", flag.ContinueOnError)
	fs.SetOutput(io.err)
	// The settings' own flags, so that `pipup config --pre` shows what a
	// command given --pre would use.
	noConfig := configOnlyFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: pipup config [flags]

Print pipup's effective settings and where each came from: the user's
$XDG_CONFIG_HOME/pipup/config.toml (default ~/.config/pipup/config.toml),
then [tool.pipup] in the pyproject.toml of this folder or the nearest
parent that has one (the project's values win), then the defaults. Flags
given to a command override these for that run. Index locations are
pip's configuration (pip config list).

Flags:`)
		printFlags(fs)
	}
	rest, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(io.err, "pipup config: takes no arguments (got %q)\n", rest[0])
		return exitUsage
	}
	s := &settings.Settings{From: map[string]settings.Source{}}
	if !*noConfig {
		var err error
		if s, err = loadSettings(); err != nil {
			fmt.Fprintf(io.err, "pipup: %s\n", err)
			return exitUsage
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	user := userSettingsPath()
	if *noConfig {
		fmt.Fprintf(io.out, "# user: %s (not read: --no-config)\n", user)
	} else {
		fmt.Fprintf(io.out, "# user: %s%s\n", user, missing(s, user))
	}
	if len(s.Files) > 0 && s.Files[len(s.Files)-1] != user {
		fmt.Fprintf(io.out, "# project: %s\n", s.Files[len(s.Files)-1])
	}
	tw := tabwriter.NewWriter(io.out, 0, 0, 2, ' ', 0)
	for _, key := range settingFlags() {
		value, src := settingValue(s, key), s.From[key]
		if given[key] {
			value, src = fs.Lookup(key).Value.String(), settings.Source{Flag: true}
		}
		fmt.Fprintf(tw, "%s=%s\t# %s\n", key, quoteSetting(key, value), src)
	}
	ignored := make([]string, 0, len(s.Ignore))
	for c := range s.Ignore {
		ignored = append(ignored, c)
	}
	sort.Strings(ignored)
	for _, c := range ignored {
		fmt.Fprintf(tw, "ignore=%s\t# %s\n", strconv.Quote(s.Ignore[c].Name), s.Ignore[c].From)
	}
	pinned := make([]string, 0, len(s.Pins))
	for c := range s.Pins {
		pinned = append(pinned, c)
	}
	sort.Strings(pinned)
	for _, c := range pinned {
		p := s.Pins[c]
		fmt.Fprintf(tw, "pin.%s=%s\t# %s\n", pypi.Normalize(p.Name), strconv.Quote(p.Text), p.From)
	}
	if err := tw.Flush(); err != nil {
		return fail(io, sig, err)
	}
	return exitOK
}

func missing(s *settings.Settings, path string) string {
	if slices.Contains(s.Files, path) {
		return ""
	}
	return " (not there)"
}

// quoteSetting writes string settings quoted, as TOML does.
func quoteSetting(key, v string) string {
	if key == "cooldown" {
		return strconv.Quote(v)
	}
	return v
}

// configOnlyFlags registers pipup config's flags: the settings' own, so
// that `pipup config --pre` shows what a command given --pre would use.
// The completion scripts register them through here too.
func configOnlyFlags(fs *flag.FlagSet) (noConfig *bool) {
	var cooldown durationFlag
	fs.Bool("pre", false, "as a command's --pre")
	fs.Int("concurrency", 0, "as a command's --concurrency `N`")
	fs.Var(&cooldown, "cooldown", "as a command's --cooldown `DURATION`")
	fs.Bool("latest", false, "as pipup upgrade --latest")
	fs.Bool("no-vulns", false, "as a command's --no-vulns")
	return fs.Bool("no-config", false, "read no settings file")
}
