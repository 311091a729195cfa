package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/settings"
	flag "github.com/spf13/pflag"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// envFlags are the flags every command that opens an environment takes:
// which interpreter, which indexes, how to fetch.
type envFlags struct {
	python         string
	indexURL       string
	extraIndexURLs stringList
	findLinks      stringList
	trustedHosts   stringList
	noIndex        bool
	pre            bool
	concurrency    int
	refresh        bool
	noCache        bool
	cacheMaxSize   byteSize
	exclude        stringList
	cooldown       durationFlag
	noVulns        bool
	noConfig       configSwitch

	// From pipup's settings files (applySettings).
	ignore     []string
	pins       map[string]pep440.SpecifierSet
	proxy      string
	cert       string
	clientCert string
	retries    int
	fs         *flag.FlagSet // to tell a given --retries from the default
}

func (f *envFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.python, "python", "", "target interpreter `path` (default: $VIRTUAL_ENV's python, else python3 on PATH)")
	f.fs = fs
	fs.StringVarP(&f.indexURL, "index-url", "i", "", "base `URL` of the package index (default: pip's configuration, else https://pypi.org/simple)")
	fs.Var(&f.extraIndexURLs, "extra-index-url", "extra index `URL` (repeatable)")
	fs.VarP(&f.findLinks, "find-links", "f", "a local directory or page `URL` with distribution files (repeatable)")
	fs.Var(&f.trustedHosts, "trusted-host", "`host` allowed over plain http (repeatable)")
	fs.BoolVar(&f.noIndex, "no-index", false, "ignore the package index, use only --find-links")
	fs.BoolVar(&f.pre, "pre", false, "include pre-release and development versions")
	fs.IntVar(&f.concurrency, "concurrency", 0, "index requests in flight for the checks (`N`, default "+itoa(pip.DefaultConcurrency)+"; the vulnerability look-ups take up to as many again)")
	fs.BoolVar(&f.refresh, "refresh", false, "revalidate every cached index page")
	fs.BoolVar(&f.noCache, "no-cache", false, "neither read nor write the HTTP cache")
	f.cacheMaxSize.fromEnv()
	fs.Var(&f.cacheMaxSize, "cache-max-size", "bound the HTTP cache to `SIZE` after the run, least recently used out first (default 2GiB or $"+cacheMaxSizeVar+"; 0 = no bound)")
	fs.Var(&f.exclude, "exclude", "skip `package` (repeatable)")
	fs.BoolVar(&f.noVulns, "no-vulns", false, "do not look up known vulnerabilities of outdated packages (in the index's JSON API)")
	fs.Var(&f.cooldown, "cooldown", "do not offer versions uploaded less than `DURATION` ago (7d, 36h; 0 = off): Wanted and upgrades stop at the newest version old enough, by the index's upload times (PEP 700); a version of unknown age is offered and its note says so")
	f.noConfig.f = f
	fs.Var(&f.noConfig, "no-config", "read no pipup settings (config.toml, [tool.pipup]); pip's configuration is still read")
	fs.Lookup("no-config").NoOptDefVal = "true" // a switch: --no-config takes no value
	fs.StringVar(&f.proxy, "proxy", "", "send index requests through the proxy at `URL` (scheme://[user:passwd@]proxy.server:port; default: pip's configuration, else $HTTPS_PROXY/$HTTP_PROXY)")
	fs.StringVar(&f.cert, "cert", "", "CA bundle `path` to verify the index's certificate with (default: pip's configuration)")
	fs.StringVar(&f.clientCert, "client-cert", "", "`path` to one PEM file with the client certificate and its private key (default: pip's configuration)")
	fs.IntVar(&f.retries, "retries", 5, "retry each request at most `N` times (default: pip's configuration, else 5)")
}

// options turns the flags into engine options.
func (f *envFlags) options() pip.Options {
	return f.optionsFor("list")
}

// optionsFor reads pip's configuration as pip's command would: "list"
// for what pip list --outdated answers, "install" for upgrades.
func (f *envFlags) optionsFor(command string) pip.Options {
	return pip.Options{
		PipCommand:     command,
		Python:         f.python,
		IndexURL:       f.indexURL,
		ExtraIndexURLs: f.extraIndexURLs,
		FindLinks:      f.findLinks,
		TrustedHosts:   f.trustedHosts,
		NoIndex:        f.noIndex,
		Pre:            f.pre,
		Concurrency:    f.concurrency,
		Refresh:        f.refresh,
		NoCache:        f.noCache,
		CacheMaxSize:   f.cacheMaxSize.n,
		UserAgent:      userAgent(),
		Ignore:         f.ignore,
		Pins:           f.pins,
		Cooldown:       time.Duration(f.cooldown),
		NoVulns:        f.noVulns,
		Now:            time.Now,
		// main reads the process; the engine takes what it is given.
		Environ:    os.Environ(),
		Proxy:      f.proxy,
		Cert:       f.cert,
		ClientCert: f.clientCert,
		Retries:    f.retriesGiven(),
	}
}

// retriesGiven is --retries when it was typed, else nil (pip's config).
func (f *envFlags) retriesGiven() *int {
	if f.fs == nil || !f.fs.Changed("retries") {
		return nil
	}
	n := f.retries
	return &n
}

// Type is pflag's name for the value kind, shown when a usage has no
// `name` of its own.
func (s *stringList) Type() string { return "string" }

// singleDashLong rewrites "-name" and "-name=value" to "--name…" when
// name is a long flag of fs (and not a cluster of short ones), up to "--".
func singleDashLong(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if fs.Lookup(name) != nil {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// printFlags writes fs's flags as pip's --help shows its options
// ("-y, --yes", "--python <path>"), one per line, aligned. pflag's own
// PrintDefaults marks every boolean "[=true|false]", which reads as if a
// value were expected.
func printFlags(fs *flag.FlagSet) {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := flag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			left += " <" + varname + ">"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	if fs.Lookup("help") == nil {
		rows = append(rows, row{"  -h, --help", "show this help"})
		width = max(width, len(rows[len(rows)-1].left))
	}
	w := fs.Output()
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s  %s\n", width, r.left, r.usage)
	}
}

// durationFlag is a cooldown: settings.ParseDuration's "7d", "36h", "0".
type durationFlag time.Duration

func (d *durationFlag) String() string { return settings.FormatDuration(time.Duration(*d)) }
func (d *durationFlag) Type() string   { return "duration" }
func (d *durationFlag) Set(s string) error {
	v, err := settings.ParseDuration(s)
	*d = durationFlag(v)
	return err
}

// configSwitch is --no-config. It also marks a flag set that has the
// environment flags, so parseArgs knows to lay pipup's settings under the
// flags given: every command that opens an environment gets them without
// a call of its own.
type configSwitch struct {
	f   *envFlags
	off bool
}

func (c *configSwitch) String() string   { return strconv.FormatBool(c.off) }
func (c *configSwitch) IsBoolFlag() bool { return true }
func (c *configSwitch) Type() string     { return "bool" }
func (c *configSwitch) Set(s string) error {
	v, err := strconv.ParseBool(s)
	c.off = v
	return err
}

// settingFlags are the settings keys that are also flags of the same name.
func settingFlags() []string {
	return []string{"cooldown", "pre", "concurrency", "latest", "no-vulns"}
}

// loadSettings reads pipup's settings for this process: the user's file
// and the working folder's project.
func loadSettings() (*settings.Settings, error) {
	home, _ := os.UserHomeDir()
	dir, _ := os.Getwd()
	return settings.Load(settings.Input{Environ: os.Environ(), Home: home, Dir: dir})
}

// applySettings lays the settings files under the flags of fs: a key whose
// flag was not given sets that flag (when the command has it), and the
// ignore and pin lists go to the engine options.
func (f *envFlags) applySettings(fs *flag.FlagSet) error {
	if f.noConfig.off {
		return nil
	}
	s, err := loadSettings()
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, key := range settingFlags() {
		if _, fromFile := s.From[key]; !fromFile || given[key] || fs.Lookup(key) == nil {
			continue
		}
		if err := fs.Set(key, settingValue(s, key)); err != nil {
			return err // cannot happen: the values were checked when read
		}
	}
	f.ignore, f.pins = s.IgnoredNames(), s.PinSpecs()
	return nil
}

// settingValue is a scalar setting's value as its flag (and pipup config)
// writes it.
func settingValue(s *settings.Settings, key string) string {
	switch key {
	case "cooldown":
		return settings.FormatDuration(s.Cooldown)
	case "pre":
		return strconv.FormatBool(s.Pre)
	case "concurrency":
		if s.Concurrency == 0 {
			return itoa(pip.DefaultConcurrency)
		}
		return itoa(s.Concurrency)
	case "latest":
		return strconv.FormatBool(s.Latest)
	case "no-vulns":
		return strconv.FormatBool(s.NoVulns)
	}
	return ""
}
