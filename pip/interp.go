package pip

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pipup/pipup/pip/installer"
	"github.com/pipup/pipup/pypi"
)

// interpScript is run by the target interpreter; it prints the facts below.
//
//go:embed interp.py
var interpScript string

// interpBootstrap is passed with -c and must parse on any Python, including
// 2.7, so that an old interpreter gets a clear "not supported" answer rather
// than a syntax error from the real script (which is fed on stdin).
// It drops the ” (cwd) entry that -c puts first on sys.path: pip run as
// `python -m pip` gets the cwd there too, but that entry depends on where
// pipup happens to run and must not shadow anything our script imports.
const interpBootstrap = `import sys
if sys.path and sys.path[0] == '' and not getattr(sys.flags, 'safe_path', 0): del sys.path[0]
if sys.version_info < (3, 6): sys.stdout.write('\n@@PIPUP-' + 'INTERP@@{"unsupported": "%d.%d.%d"}\n' % tuple(sys.version_info[:3]))
else: exec(compile(sys.stdin.read(), 'pipup-interp.py', 'exec'), {'__name__': '__pipup__'})
`

// interpSentinel starts the JSON line. Neither the bootstrap nor the script
// spells it out whole, so a program that echoes its arguments or input is
// not mistaken for Python.
const interpSentinel = "@@PIPUP-INTERP@@"

// inspectTimeout bounds the inspection subprocess when the caller's context
// has no earlier deadline. A cold start of a big environment (pip import on a
// slow disk) takes well under a second; anything near this is a hang.
const inspectTimeout = 30 * time.Second

// Interpreter holds the facts about the target Python that pipup needs to
// behave like `python -m pip` run with it.
type Interpreter struct {
	Executable     string // sys.executable
	Version        string // platform.python_version(), e.g. "3.11.7"
	VersionInfo    [3]int
	Implementation string // sys.implementation.name, e.g. "cpython"
	Prefix         string
	BasePrefix     string // sys.real_prefix for legacy virtualenvs, else sys.base_prefix
	InVenv         bool   // Prefix != BasePrefix
	// SysPath is sys.path as `python -m pip` sees it, minus the entry for the
	// current directory / script directory.
	SysPath         []string
	SitePackages    []string // site.getsitepackages(); empty in old virtualenvs
	UserSite        string
	UserSiteEnabled bool // site.ENABLE_USER_SITE
	// Markers is the PEP 508 marker environment.
	Markers map[string]string
	// Tags are the supported wheel tags in priority order, as pip computes them.
	Tags       []pypi.Tag
	TagsSource string // "pip", "packaging" or "fallback"
	PipVersion string // "" when pip is not importable
	// ExternallyManaged is the PEP 668 EXTERNALLY-MANAGED file that applies
	// (never inside a virtual environment), or "".
	ExternallyManaged      string
	ExternallyManagedError string // its Error text, or pip's default message
	// Scheme is where `python -m pip install` puts each part of a wheel, as
	// pip's locations package computes it for this interpreter and
	// environment kind; SchemeSource says how ("sysconfig", "distutils", or
	// "error: ..." with an empty Scheme), and is "" when the inspection
	// did not compute it (HasScheme): an Env opened for listing only.
	Scheme       installer.Scheme
	SchemeSource string
	// CacheTag is sys.implementation.cache_tag ("cpython-311"): the name
	// part of the __pycache__ files of this interpreter.
	CacheTag string
}

type interpJSON struct {
	Unsupported            string            `json:"unsupported"`
	Executable             string            `json:"executable"`
	Version                string            `json:"version"`
	VersionInfo            []int             `json:"version_info"`
	Implementation         string            `json:"implementation"`
	Prefix                 string            `json:"prefix"`
	BasePrefix             string            `json:"base_prefix"`
	InVenv                 bool              `json:"in_venv"`
	SysPath                []string          `json:"sys_path"`
	SitePackages           []string          `json:"site_packages"`
	UserSite               string            `json:"user_site"`
	UserSiteEnabled        bool              `json:"user_site_enabled"`
	Markers                map[string]string `json:"markers"`
	Tags                   [][]string        `json:"tags"`
	TagsSource             string            `json:"tags_source"`
	PipVersion             string            `json:"pip_version"`
	ExternallyManaged      string            `json:"externally_managed"`
	ExternallyManagedError string            `json:"externally_managed_error"`
	Scheme                 installer.Scheme  `json:"scheme"`
	SchemeSource           string            `json:"scheme_source"`
	CacheTag               string            `json:"cache_tag"`
}

// FindPython picks the target interpreter: flag if non-empty, else the
// active virtual environment's python ($VIRTUAL_ENV), else python3 on PATH.
// getenv looks variables up in Options.Environ (Open); tests pass their own.
func FindPython(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		if !strings.ContainsRune(flag, '/') && !strings.ContainsRune(flag, filepath.Separator) {
			if p, ok := lookPath(flag, getenv("PATH")); ok {
				return p, nil
			}
			return "", fmt.Errorf("--python %s: not found on PATH", flag)
		}
		if _, err := os.Stat(flag); err != nil {
			return "", fmt.Errorf("--python %s: no such file", flag)
		}
		return absPath(flag), nil
	}
	if venv := getenv("VIRTUAL_ENV"); venv != "" {
		p := venvPython(venv, runtime.GOOS)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("no Python interpreter found: VIRTUAL_ENV is %s but %s does not exist", venv, p)
		}
		return p, nil
	}
	names := []string{"python3"}
	if runtime.GOOS == "windows" {
		names = []string{"python", "python3"}
	}
	for _, name := range names {
		if p, ok := lookPath(name, getenv("PATH")); ok {
			return p, nil
		}
	}
	return "", errors.New("no Python interpreter found: use --python, activate a virtual environment, or put python3 on PATH")
}

// venvPython is a venv's interpreter: Scripts\python.exe on Windows.
func venvPython(venv, goos string) string {
	if goos == "windows" {
		return joinFor(goos, joinFor(goos, venv, "Scripts"), "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// lookPath is exec.LookPath over an explicit PATH value, so that FindPython
// depends only on its getenv argument.
func lookPath(name, path string) (string, bool) {
	exts := []string{""}
	if runtime.GOOS == "windows" {
		exts = []string{".exe", ""}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue // an empty PATH entry means cwd: never pick a python from there
		}
		for _, ext := range exts {
			p := filepath.Join(dir, name+ext)
			fi, err := os.Stat(p)
			if err != nil || fi.IsDir() {
				continue
			}
			if runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0 {
				continue
			}
			return absPath(p), true
		}
	}
	return "", false
}

// Inspect runs the target interpreter once, in the process's environment,
// and returns its facts, the install scheme included. Open inspects in
// Options.Environ instead.
func Inspect(ctx context.Context, python string) (*Interpreter, error) {
	return inspectIn(ctx, python, environOr(nil), true)
}

// inspect is Inspect with extra environment variables (tests use
// PIPUP_TAGS_SOURCE to force the tag source).
func inspect(ctx context.Context, python string, extraEnv []string) (*Interpreter, error) {
	return inspectIn(ctx, python, append(environOr(nil), extraEnv...), true)
}

// inspectIn runs python in environ, the environment pip will run in: the
// user's (PYTHONPATH, PYTHONUSERBASE, HOME, ...) is kept, because it
// shapes what pip sees too.
// Without scheme, the install scheme is left out (SchemeSource "": not
// computed; see HasScheme).
func inspectIn(ctx context.Context, python string, environ []string, scheme bool) (*Interpreter, error) {
	if python == "" {
		return nil, errors.New("inspect python: no interpreter path given")
	}
	fi, err := os.Stat(python)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("python %s: no such file", python)
	case err != nil:
		return nil, fmt.Errorf("python %s: %w", python, err)
	case fi.IsDir():
		return nil, fmt.Errorf("python %s: is a directory, not an interpreter", python)
	}

	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	start := time.Now()
	args := []string{"-c", interpBootstrap}
	if scheme {
		args = append(args, "scheme") // sys.argv[1] for interp.py
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Stdin = strings.NewReader(interpScript)
	cmd.Env = environ
	// A killed wrapper script may leave children holding the pipes open.
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return nil, fmt.Errorf("python %s: no answer after %s (timed out)", python, time.Since(start).Round(time.Millisecond))
		}
		return nil, fmt.Errorf("python %s: %w", python, ctxErr)
	}
	var execErr *exec.Error
	if errors.As(runErr, &execErr) || errors.Is(runErr, fs.ErrPermission) {
		return nil, fmt.Errorf("python %s: cannot run: %v", python, unwrapExec(runErr))
	}
	if runErr != nil && !bytes.Contains(stdout.Bytes(), []byte(interpSentinel)) {
		return nil, fmt.Errorf("python %s: inspection failed (%v): %s", python, runErr, lastLine(stderr.String()))
	}
	return parseInterp(python, stdout.Bytes())
}

// unwrapExec returns the innermost error, which says "permission denied" or
// "exec format error" without repeating the path.
func unwrapExec(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

func parseInterp(python string, out []byte) (*Interpreter, error) {
	i := bytes.LastIndex(out, []byte(interpSentinel))
	if i < 0 {
		return nil, fmt.Errorf("python %s: does not look like a Python interpreter (no inspection output)", python)
	}
	line := out[i+len(interpSentinel):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	var raw interpJSON
	if err := json.Unmarshal(bytes.TrimSpace(line), &raw); err != nil {
		return nil, fmt.Errorf("python %s: unreadable inspection output: %v", python, err)
	}
	if raw.Unsupported != "" {
		return nil, fmt.Errorf("python %s: Python %s is not supported (pipup needs 3.6+)", python, raw.Unsupported)
	}
	if len(raw.VersionInfo) < 3 || raw.Version == "" || len(raw.Tags) == 0 {
		return nil, fmt.Errorf("python %s: incomplete inspection output", python)
	}
	in := &Interpreter{
		Executable:             raw.Executable,
		Version:                raw.Version,
		Implementation:         raw.Implementation,
		Prefix:                 raw.Prefix,
		BasePrefix:             raw.BasePrefix,
		InVenv:                 raw.InVenv,
		SysPath:                raw.SysPath,
		SitePackages:           raw.SitePackages,
		UserSite:               raw.UserSite,
		UserSiteEnabled:        raw.UserSiteEnabled,
		Markers:                raw.Markers,
		TagsSource:             raw.TagsSource,
		PipVersion:             raw.PipVersion,
		ExternallyManaged:      raw.ExternallyManaged,
		ExternallyManagedError: raw.ExternallyManagedError,
		Scheme:                 raw.Scheme,
		SchemeSource:           raw.SchemeSource,
		CacheTag:               raw.CacheTag,
	}
	if in.Executable == "" {
		in.Executable = python // sys.executable can be empty when Python cannot tell
	}
	copy(in.VersionInfo[:], raw.VersionInfo)
	in.Tags = make([]pypi.Tag, 0, len(raw.Tags))
	for _, t := range raw.Tags {
		if len(t) != 3 {
			return nil, fmt.Errorf("python %s: malformed wheel tag %q in inspection output", python, t)
		}
		in.Tags = append(in.Tags, pypi.Tag{Interpreter: t[0], ABI: t[1], Platform: t[2]})
	}
	return in, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "no error output"
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
