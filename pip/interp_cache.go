package pip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/pipup/pipup/internal/atomicfile"
)

// interpFactsVersion identifies what an inspection reports: the bootstrap,
// the script and the fields of Interpreter. An edit to any of them names
// new cache entries, so older ones are simply not found; there is no
// number to remember to bump (a forgotten bump served stale facts).
func interpFactsVersion(bootstrap, script string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s%d:%s", len(bootstrap), bootstrap, len(script), script)
	t := reflect.TypeFor[Interpreter]()
	for i := range t.NumField() {
		f := t.Field(i)
		fmt.Fprintf(h, "%s %s %q\x00", f.Name, f.Type, f.Tag)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// interpEnvVars change what the interpreter reports about itself.
var interpEnvVars = []string{
	"PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE",
	"PYTHONSAFEPATH", "PYTHONPLATLIBDIR", "PYTHONEXECUTABLE", "HOME",
	"_PYTHON_HOST_PLATFORM", "_PYTHON_SYSCONFIGDATA_NAME", "PIPUP_TAGS_SOURCE",
}

// cachedInterp is one stored inspection and what it was valid for.
type cachedInterp struct {
	Version string // interpFactsVersion
	Interp  *Interpreter
	// Stamps are the modification times of every sys.path entry: installing
	// or removing a distribution, a .pth file, a new pip (whose tags pipup
	// reports) or an EXTERNALLY-MANAGED file in the stdlib directory all
	// change one of them.
	Stamps []int64
}

// InspectCached is Inspect (in the process's environment), served from dir when nothing that the facts
// depend on has changed since they were stored. It saves the interpreter
// start-up (100–200 ms) on every rescan. A missing, stale or unreadable
// entry means a fresh inspection; caching is best effort.
func InspectCached(ctx context.Context, python, dir string) (*Interpreter, error) {
	return inspectCached(ctx, python, dir, interpFactsVersion(interpBootstrap, interpScript), environOr(nil), true)
}

// inspectCached is InspectCached with the interpreter run in environ, the
// environment that also keys the entry, for the facts of one version of
// the inspection (see interpFactsVersion). With scheme, an entry without
// the install scheme is inspected again (with it), and stored so.
func inspectCached(ctx context.Context, python, dir, version string, environ []string, scheme bool) (*Interpreter, error) {
	if dir == "" {
		return inspectIn(ctx, python, environ, scheme)
	}
	key, err := interpKey(python, version, parseEnviron(environ))
	if err != nil {
		return inspectIn(ctx, python, environ, scheme) // reports the missing interpreter properly
	}
	path := filepath.Join(dir, key+".json")
	if b, err := os.ReadFile(path); err == nil {
		var c cachedInterp
		if json.Unmarshal(b, &c) == nil && c.Version == version && c.Interp != nil &&
			(!scheme || c.Interp.HasScheme()) && slices.Equal(c.Stamps, pathStamps(c.Interp.SysPath)) {
			return c.Interp, nil
		}
	}
	in, err := inspectIn(ctx, python, environ, scheme)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(cachedInterp{Version: version, Interp: in, Stamps: pathStamps(in.SysPath)})
	if err == nil && os.MkdirAll(dir, 0o700) == nil {
		_ = atomicfile.WriteFile(path, b, 0o600) // best effort: the next run inspects again
	}
	return in, nil
}

// interpKey names the cache entry: the interpreter file as it is now, and
// the variables of env that change what it reports.
func interpKey(python, version string, env environ) (string, error) {
	abs, err := filepath.Abs(python)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "v%s\x00%s\x00%d\x00%d\x00", version, abs, fi.Size(), fi.ModTime().UnixNano())
	if target, err := filepath.EvalSymlinks(abs); err == nil {
		fmt.Fprintf(h, "%s\x00", target)
	}
	// A venv's pyvenv.cfg decides its base interpreter and site packages.
	if cfg, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(abs)), "pyvenv.cfg")); err == nil {
		fmt.Fprintf(h, "cfg%d\x00", cfg.ModTime().UnixNano())
	}
	for _, k := range interpEnvVars {
		v, ok := env.get(k)
		fmt.Fprintf(h, "%s=%t:%s\x00", k, ok, v)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func pathStamps(paths []string) []int64 {
	out := make([]int64, len(paths))
	for i, p := range paths {
		out[i] = -1
		if fi, err := os.Stat(p); err == nil {
			out[i] = fi.ModTime().UnixNano()
		}
	}
	return out
}
