package installer_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// bundledWheels finds the pip and setuptools wheels that ship with the
// Pythons on PATH (python3, python3.X), by project name.
func bundledWheels(t *testing.T) map[string][]string {
	t.Helper()
	names := []string{"python3"}
	for minor := 6; minor <= 14; minor++ {
		names = append(names, "python3."+strconv.Itoa(minor))
	}
	found := map[string]map[string]bool{}
	for _, n := range names {
		py, err := exec.LookPath(n)
		if err != nil {
			continue
		}
		cmd := exec.Command(py, "-c", "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))")
		cmd.Dir = os.TempDir()
		out, err := cmd.Output()
		if err != nil {
			continue // e.g. a pyenv shim for a version not selected
		}
		m, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "_bundled", "*.whl"))
		for _, whl := range m {
			project, _, _ := strings.Cut(filepath.Base(whl), "-")
			if found[project] == nil {
				found[project] = map[string]bool{}
			}
			found[project][whl] = true
		}
	}
	out := map[string][]string{}
	for project, set := range found {
		for whl := range set {
			out[project] = append(out[project], whl)
		}
		sort.Slice(out[project], func(i, j int) bool { return versionLess(wheelVersion(out[project][i]), wheelVersion(out[project][j])) })
	}
	return out
}

func wheelVersion(whl string) string {
	parts := strings.Split(filepath.Base(whl), "-")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// versionLess compares dotted numeric versions (enough for pip and
// setuptools releases).
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, y := atoi(as[i]), atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestBundledWheels installs the real pip and setuptools wheels that ship
// with the machine's Pythons: fresh, then up and down between their
// versions (or reinstalled when there is one), differential against pip
// each time, then uninstalled by pip.
func TestBundledWheels(t *testing.T) {
	wheels := bundledWheels(t)
	for _, project := range []string{"pip", "setuptools"} {
		t.Run(project, func(t *testing.T) {
			t.Parallel()
			list := wheels[project]
			if project == "pip" {
				// pip is its own oracle here (A's installed pip installs the
				// next one): keep the versions that run on this interpreter.
				list = runnablePips(t, list)
			}
			if len(list) == 0 {
				t.Skipf("no bundled %s wheel with the Pythons on PATH (python3, python3.X)", project)
			}
			if len(list) == 1 {
				t.Logf("one bundled %s version (%s): reinstalling it; up/downgrades need a second python3.X on PATH", project, wheelVersion(list[0]))
			}
			p := newPair(t, "venv")
			for _, whl := range list {
				copyFile(t, whl, filepath.Join(p.links, filepath.Base(whl)))
			}
			steps := append([]string{}, list...)
			if len(list) == 1 {
				steps = append(steps, list[0])
			} else {
				for i := len(list) - 2; i >= 0; i-- {
					steps = append(steps, list[i]) // and back down
				}
			}
			for i, whl := range steps {
				req := project + "==" + wheelVersion(whl)
				if i == 0 {
					// Fresh: pip in A, the installer in B.
					p.targetB = target(t, p.b)
					p.upgrade(t, req, filepath.Join(p.links, filepath.Base(whl)), "")
					p.sameTrees(t, "fresh "+req)
					continue
				}
				p.targetB = target(t, p.b) // the wrappers follow the pip now installed
				p.upgrade(t, req, filepath.Join(p.links, filepath.Base(whl)), project)
				p.sameTrees(t, "to "+req)
				if out := p.pipRun(t, p.b, "check"); !strings.Contains(out, "No broken requirements") {
					t.Errorf("pip check after %s: %s", req, out)
				}
				if project == "pip" {
					out := runOK(t, dropEmpty(p.env()), filepath.Join(p.targetB.Scheme.Scripts, "pip"), "--version")
					if !strings.Contains(out, "pip "+wheelVersion(whl)) || !strings.Contains(out, p.rootB) {
						t.Errorf("bin/pip --version: %s", out)
					}
				}
			}
			for _, py := range []string{p.a, p.b} {
				p.pipRun(t, py, "uninstall", "-y", "-q", project)
			}
			p.sameTrees(t, "after pip uninstall")
		})
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// runnablePips keeps the pip wheels whose pip imports under the base
// interpreter (pip 18.1, bundled with 3.6, does not on 3.10+).
func runnablePips(t *testing.T, wheels []string) []string {
	var out []string
	for _, whl := range wheels {
		cmd := exec.Command(pythons.Python(t), "-c", "import sys; sys.path.insert(0, sys.argv[1]); import pip._internal.cli.main", whl)
		cmd.Dir = os.TempDir()
		if err := cmd.Run(); err != nil {
			t.Logf("pip %s does not run on the base interpreter: left out", wheelVersion(whl))
			continue
		}
		out = append(out, whl)
	}
	return out
}
