package installer

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Scheme is an install scheme: the absolute directories pip installs each
// part of a wheel into. Headers is the directory pip joins the
// distribution's name onto.
type Scheme struct {
	Purelib string `json:"purelib"`
	Platlib string `json:"platlib"`
	Scripts string `json:"scripts"`
	Data    string `json:"data"`
	Headers string `json:"headers"`
}

// Target is one Python environment as the installer writes into it.
type Target struct {
	Scheme Scheme
	// Root bounds every write and every removal: the environment's prefix.
	// Every Scheme directory must lie inside it; staging directories are
	// made directly under it (the same filesystem, so moves are renames).
	Root string
	// Python is the interpreter's sys.executable: written into shebangs and
	// run to byte-compile.
	Python string
	// Version is the interpreter's major and minor version (pipX.Y scripts).
	Version [2]int
	// CacheTag is sys.implementation.cache_tag, e.g. "cpython-311": the
	// __pycache__ names removed with an old version's .py files.
	CacheTag string
	// PipVersion is the environment's pip ("" when it has none): the entry
	// point wrappers get that pip's text.
	PipVersion string
	// Getenv reads the environment pip would have run with (for
	// ENSUREPIP_OPTIONS); nil means os.LookupEnv.
	Getenv func(string) (string, bool) `json:"-"`
}

func (t *Target) getenv(k string) (string, bool) {
	if t.Getenv != nil {
		return t.Getenv(k)
	}
	return os.LookupEnv(k)
}

// check validates the target: absolute clean paths, every scheme
// directory inside Root.
func (t *Target) check() error {
	if t.Root == "" || !filepath.IsAbs(t.Root) {
		return fmt.Errorf("install target: root %q is not an absolute path", t.Root)
	}
	if t.Python == "" {
		return fmt.Errorf("install target: no interpreter")
	}
	for key, dir := range t.schemeDirs() {
		if dir == "" || !filepath.IsAbs(dir) {
			return fmt.Errorf("install target: %s directory %q is not an absolute path", key, dir)
		}
		if !Within(t.Root, dir) {
			return fmt.Errorf("install target: %s directory %s is outside the environment %s", key, dir, t.Root)
		}
	}
	return nil
}

func (t *Target) schemeDirs() map[string]string {
	return map[string]string{
		"purelib": t.Scheme.Purelib, "platlib": t.Scheme.Platlib,
		"scripts": t.Scheme.Scripts, "data": t.Scheme.Data, "headers": t.Scheme.Headers,
	}
}

// Within reports whether p is dir or below it, lexically (both cleaned).
// An empty dir or p is never within anything: filepath.Clean would make
// it ".", and a relative path would then count as inside.
func Within(dir, p string) bool {
	if dir == "" || p == "" {
		return false
	}
	dir, p = filepath.Clean(dir), filepath.Clean(p)
	if p == dir {
		return true
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// realDirCheck returns a test of whether a directory, symlinks resolved,
// lies in the environment root, each directory resolved once: installing
// or removing a package asks about the same few directories for each of
// its files. A directory whose parent was resolved costs one Lstat: when
// it is no symlink, its real path is its parent's joined with its name;
// only a symlink is handed to filepath.EvalSymlinks, which walks (and
// Lstats) every component of the path again.
func realDirCheck(root string) (func(dir string) bool, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", root, err)
	}
	real := map[string]string{} // directory -> its real path; failures are not kept (the directory may be made later)
	var resolve func(dir string) (string, bool)
	resolve = func(dir string) (string, bool) {
		if r, ok := real[dir]; ok {
			return r, true
		}
		var r string
		parent := filepath.Dir(dir)
		if parent != dir {
			if _, known := real[parent]; known || Within(root, parent) {
				if rp, ok := resolve(parent); ok {
					if fi, err := os.Lstat(dir); err != nil {
						return "", false
					} else if fi.Mode()&os.ModeSymlink == 0 {
						r = filepath.Join(rp, filepath.Base(dir))
					}
				}
			}
		}
		if r == "" {
			var err error
			if r, err = filepath.EvalSymlinks(dir); err != nil {
				return "", false
			}
		}
		real[dir] = r
		return r, true
	}
	return func(dir string) bool {
		r, ok := resolve(filepath.Clean(dir))
		return ok && Within(realRoot, r)
	}, nil
}

func isDarwin() bool { return runtime.GOOS == "darwin" }
