package main

import (
	"flag"
	"os"
	"strings"

	"github.com/pipup/pipup/pip"
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
	exclude        stringList
}

func (f *envFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.python, "python", "", "target interpreter `path` (default: $VIRTUAL_ENV's python, else python3 on PATH)")
	fs.StringVar(&f.indexURL, "index-url", "", "base `URL` of the package index (default: pip's configuration, else https://pypi.org/simple)")
	fs.Var(&f.extraIndexURLs, "extra-index-url", "extra index `URL` (repeatable)")
	fs.Var(&f.findLinks, "find-links", "a local directory or page `URL` with distribution files (repeatable)")
	fs.Var(&f.trustedHosts, "trusted-host", "`host` allowed over plain http (repeatable)")
	fs.BoolVar(&f.noIndex, "no-index", false, "ignore the package index, use only --find-links")
	fs.BoolVar(&f.pre, "pre", false, "include pre-release and development versions")
	fs.IntVar(&f.concurrency, "concurrency", 0, "index requests in flight (`N`, default "+itoa(pip.DefaultConcurrency)+")")
	fs.BoolVar(&f.refresh, "refresh", false, "revalidate every cached index page")
	fs.BoolVar(&f.noCache, "no-cache", false, "neither read nor write the HTTP cache")
	fs.Var(&f.exclude, "exclude", "skip `package` (repeatable)")
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
		UserAgent:      userAgent(),
		// main reads the process; the engine takes what it is given.
		Environ: os.Environ(),
	}
}
