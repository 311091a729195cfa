package pip

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// DefaultConcurrency is the number of index requests in flight, chosen by
// measurement (docs/BENCHMARKS.md, scripts/bench-scan): against an index
// adding 50 ms per response, 1,000 packages took 3.62 s at 16, 2.11 s at
// 32, 1.60 s at 64 and 1.47 s at 128 on a quiet 2-core machine, and 4.03,
// 2.44, 1.96 and 2.82 s on a loaded one, where 128 lost to contention.
const DefaultConcurrency = 64

// Options says which environment to open and how to reach its indexes.
// Flag values override pip's configuration; zero values mean "use pip's".
type Options struct {
	Python         string // --python; "" = $VIRTUAL_ENV's python, else python3 on PATH
	IndexURL       string
	ExtraIndexURLs []string // added to the configured ones, as pip does
	FindLinks      []string // added to the configured ones
	TrustedHosts   []string // added to the configured ones
	NoIndex        bool
	Pre            bool
	Concurrency    int    // index requests in flight; 0 = DefaultConcurrency
	CacheDir       string // "" = $XDG_CACHE_HOME/pipup, else the OS's user cache folder (userDir)
	// CacheMaxSize bounds the HTTP cache in bytes, enforced when a scan,
	// upgrade or undo ends: 0 = DefaultCacheMaxSize, negative = no bound.
	CacheMaxSize int64
	NoCache      bool
	Refresh      bool
	UserAgent    string
	Timeout      time.Duration // per HTTP request; 0 = pip's configured timeout
	Proxy        string        // pip's --proxy; "" = pip's configuration, else the environment's
	Cert         string        // pip's --cert (CA bundle); "" = pip's configuration
	ClientCert   string        // pip's --client-cert; "" = pip's configuration
	Retries      *int          // pip's --retries; nil = pip's configuration
	// Environ is the environment pip would run in (os.Environ() form): it
	// decides the interpreter, pip's configuration, .netrc, the folders
	// above, and is what the interpreter and pip run with. nil = the
	// process's (package main passes that explicitly).
	Environ []string
	// Ignore are packages never offered (any spelling): the scan reports
	// each as PackageIgnored and looks nothing of it up. They still count
	// as dependents of the packages they require.
	Ignore []string
	// Pins are lasting constraints from pipup's settings, by canonical
	// name: a version outside its pin is never Wanted nor planned, as if
	// pip were given a constraints file. Latest still shows the newest.
	Pins map[string]pep440.SpecifierSet
	// Cooldown is the age a version must reach before it is offered
	// (0 = off), and Now the clock it is measured with (nil = time.Now);
	// see cooldown.go.
	Cooldown time.Duration
	Now      func() time.Time
	// NoVulns turns off the scan's look-ups of known vulnerabilities
	// (PackageVulnerable) in the main index's JSON API.
	NoVulns bool
	// PipCommand is the pip command whose configuration section applies
	// on top of [global]: "list" (the default: pip list --outdated's
	// answers) or "install" (for upgrades: the index pip install uses).
	PipCommand string
	// StateDir holds upgrade snapshots; "" = $XDG_STATE_HOME/pipup or
	// the OS's state folder (userDir; ~/.local/state/pipup on Linux), with
	// the folders older builds used read too (legacyStateDirs).
	StateDir string
	// Home is the home folder for "~" (pip's configuration, .netrc, the
	// cache and state folders); "" = $HOME of Environ.
	Home string
}

// Env is one opened Python environment: its interpreter's facts, pip's
// configuration for it and an index client.
type Env struct {
	Interp *Interpreter
	Config IndexConfig
	// CacheDir is pipup's cache root ("" with --no-cache).
	CacheDir string
	// StateDir is where upgrade snapshots live ("" when there is no home
	// to put it in).
	StateDir string
	// legacyStateDirs hold snapshots older builds wrote, read beside
	// StateDir's when that is the default (legacyStateDirs in dirs.go).
	legacyStateDirs []string

	// environ is Options.Environ resolved: what pip runs with.
	environ []string
	// tempDir is for scratch files when there is no cache (TMPDIR of environ).
	tempDir string
	// python and interpDir are how Interp was inspected (ensureScheme).
	python, interpDir string

	opts   Options
	client *pypi.Client
	finder *pypi.Finder

	// candidateMetadata's results by "canonical-name version", for the
	// Env's lifetime, so the planner and the lift check fetch once.
	metadata flights[Metadata]

	// Upload times read from the JSON API for the cooldown, by "canonical
	// version" (zero: asked, none given), so the planner sees what the
	// scan learnt.
	uploadMu sync.Mutex
	uploaded map[string]time.Time
	// releases keeps the JSON API documents read, and whether the index
	// has the API at all (jsonapi_memo.go).
	releases releases

	// distsMemo keeps the installed distributions between the scan, the
	// plan and the upgrade of one run (installedDists).
	distsMemo distsMemo
}

// Client is the index client the engines share (one connection pool).
func (e *Env) Client() *pypi.Client { return e.client }

// Open inspects the interpreter, reads pip's configuration and prepares the
// index client. It does no network I/O.
func Open(ctx context.Context, o Options) (*Env, error) {
	environ := environOr(o.Environ)
	env := parseEnviron(environ)
	getenv := env.getenv
	python, err := FindPython(o.Python, getenv)
	if err != nil {
		return nil, err
	}
	home := homeOf(o, getenv)
	if o.Home != "" {
		// The interpreter and pip find "~" where pipup did.
		environ = setEnviron(environ, "HOME", o.Home)
	}
	cacheDir := ""
	if !o.NoCache {
		cacheDir = o.CacheDir
		if cacheDir == "" {
			cacheDir = defaultCacheDir(getenv, home)
		}
	}
	stateDir := o.StateDir
	var legacyState []string
	if stateDir == "" {
		stateDir = defaultStateDir(getenv, home)
		legacyState = legacyStateDirs(runtime.GOOS, getenv, home)
	}
	interpDir := ""
	if cacheDir != "" && !o.Refresh {
		interpDir = filepath.Join(cacheDir, "interp")
	}
	command := o.PipCommand
	if command == "" {
		command = "list"
	}
	// The install scheme costs tens of ms before Python 3.10 (distutils):
	// only a command that may install asks for it now; ensureScheme gets it
	// later for an Env that turns out to need it.
	interp, err := inspectCached(ctx, python, interpDir, interpFactsVersion(interpBootstrap, interpScript), environ, command == "install")
	if err != nil {
		return nil, err
	}
	cfg, err := LoadConfig(ConfigInput{Command: command, Environ: environ, Home: home, Prefix: interp.Prefix})
	if err != nil {
		return nil, err
	}
	cfg = mergeFlags(cfg, o)

	e := &Env{Interp: interp, Config: cfg, CacheDir: cacheDir, StateDir: stateDir, legacyStateDirs: legacyState, environ: environ, tempDir: tempDirOf(getenv), opts: o,
		python: python, interpDir: interpDir}
	conc := o.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	e.opts.Concurrency = conc
	timeout := o.Timeout
	if timeout == 0 {
		timeout = clientTimeout(cfg.Timeout)
	}
	// The vulnerability look-ups (vulnLookups) or an upgrade's metadata
	// reads (metaPrefetch) run beside the scan's requests, up to as many
	// again: with the scan's connections only, they would take them from
	// the checks and delay the first table, or the plan. A scan with
	// neither opens no more than conc: this is a bound, not a pool.
	conns := 2 * conc
	copts := pypi.ClientOptions{
		UserAgent:    o.UserAgent,
		Timeout:      timeout,
		Retries:      clientRetries(cfg.Retries),
		Refresh:      o.Refresh,
		CAFile:       cfg.Cert,
		ClientCert:   cfg.ClientCert,
		Proxy:        cfg.Proxy,
		TrustedHosts: cfg.TrustedHosts,
		MaxConns:     conns,
		NetrcPath:    netrcPath(env.vals, home),
	}
	if cfg.Proxy == "" {
		copts.EnvProxies = envProxies(environ)
	}
	if e.CacheDir != "" {
		copts.CacheDir = HTTPCacheDir(e.CacheDir)
	}
	e.client, err = pypi.NewClient(copts)
	if err != nil {
		return nil, err
	}
	target, err := targetOf(interp)
	if err != nil {
		return nil, err
	}
	e.finder = &pypi.Finder{Client: e.client, FindLinks: cfg.FindLinks, Target: target}
	if !cfg.NoIndex {
		e.finder.Indexes = append([]string{cfg.IndexURL}, cfg.ExtraIndexURLs...)
	}
	// A bad or insecure URL is one clear error now, not one per package later.
	for _, u := range append(append([]string{}, e.finder.Indexes...), cfg.FindLinks...) {
		if err := e.client.CheckURL(u); err != nil {
			return nil, fmt.Errorf("%w (from %s)", err, cfg.sourceOf(u))
		}
	}
	return e, nil
}

// clientTimeout maps pip's timeout to the client's: pip leaves a timeout
// of 0 unset (no timeout at all); the client's 0 means its default.
func clientTimeout(pipTimeout time.Duration) time.Duration {
	if pipTimeout <= 0 {
		return time.Duration(math.MaxInt64)
	}
	return pipTimeout
}

// clientRetries maps pip's retries to the client's: pip's 0 means none,
// the client's 0 means its default.
func clientRetries(pipRetries int) int {
	if pipRetries <= 0 {
		return -1
	}
	return pipRetries
}

// mergeFlags lays command-line values over pip's configuration. List
// options extend the configured lists, as pip's optparse defaults do.
func mergeFlags(cfg IndexConfig, o Options) IndexConfig {
	src := make(map[string]string, len(cfg.Sources)+4)
	for k, v := range cfg.Sources {
		src[k] = v
	}
	cfg.Sources = src
	noteFlag := func(key string, given bool) {
		switch {
		case !given:
		case src[key] == "":
			src[key] = "--" + key
		default:
			src[key] += " and --" + key
		}
	}
	if o.IndexURL != "" {
		cfg.IndexURL = o.IndexURL
		src["index-url"] = "--index-url"
	}
	noteFlag("extra-index-url", len(o.ExtraIndexURLs) > 0)
	noteFlag("find-links", len(o.FindLinks) > 0)
	cfg.ExtraIndexURLs = append(cfg.ExtraIndexURLs, o.ExtraIndexURLs...)
	cfg.FindLinks = append(cfg.FindLinks, o.FindLinks...)
	cfg.TrustedHosts = append(cfg.TrustedHosts, o.TrustedHosts...)
	// Single-valued network options replace the configured value, as
	// pip's command line does.
	for _, f := range []struct {
		key, val string
		dst      *string
	}{{"proxy", o.Proxy, &cfg.Proxy}, {"cert", o.Cert, &cfg.Cert}, {"client-cert", o.ClientCert, &cfg.ClientCert}} {
		if f.val != "" {
			*f.dst = f.val
			src[f.key] = "--" + f.key
		}
	}
	if o.Retries != nil {
		cfg.Retries = *o.Retries
		src["retries"] = "--retries"
	}
	cfg.NoIndex = cfg.NoIndex || o.NoIndex
	cfg.Pre = cfg.Pre || o.Pre
	return cfg
}

// sourceOf says where a URL of the configuration came from, for errors.
func (c IndexConfig) sourceOf(u string) string {
	switch {
	case u == c.IndexURL:
		if s := c.Sources["index-url"]; s != "" {
			return s
		}
		return "--index-url"
	case slices.Contains(c.ExtraIndexURLs, u):
		if s := c.Sources["extra-index-url"]; s != "" {
			return s
		}
		return "--extra-index-url"
	}
	if s := c.Sources["find-links"]; s != "" {
		return s
	}
	return "--find-links"
}

// targetOf describes the interpreter the way pip's TargetPython does.
func targetOf(in *Interpreter) (pypi.Target, error) {
	vi := in.VersionInfo
	full := strconv.Itoa(vi[0]) + "." + strconv.Itoa(vi[1]) + "." + strconv.Itoa(vi[2])
	v, err := pep440.Parse(full)
	if err != nil {
		return pypi.Target{}, fmt.Errorf("interpreter version %q: %w", full, err)
	}
	return pypi.Target{
		PythonVersion: v,
		PyVersion:     strconv.Itoa(vi[0]) + "." + strconv.Itoa(vi[1]),
		Tags:          pypi.NewTagSet(in.Tags),
	}, nil
}

// defaultCacheDir is $XDG_CACHE_HOME/pipup when it is an absolute path,
// else ~/.cache/pipup; "" (no cache) when there is no home to put it in.
func defaultCacheDir(getenv func(string) string, home string) string {
	d, err := userDir("cache", runtime.GOOS, getenv, home)
	if err != nil {
		return "" // no home to put it in: no cache
	}
	return d
}
