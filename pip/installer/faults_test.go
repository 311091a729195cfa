package installer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// fakeEnv is an environment laid out like a venv (no interpreter needed:
// the fault tests run with NoCompile).
func fakeEnv(t *testing.T) Target {
	t.Helper()
	root := filepath.Join(t.TempDir(), "env")
	site := filepath.Join(root, "lib", "python3.11", "site-packages")
	for _, d := range []string{site, filepath.Join(root, "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return Target{
		Scheme: Scheme{Purelib: site, Platlib: site, Scripts: filepath.Join(root, "bin"), Data: root,
			Headers: filepath.Join(root, "include", "site", "python3.11")},
		Root: root, Python: filepath.Join(root, "bin", "python"), Version: [2]int{3, 11}, CacheTag: "cpython-311",
		Getenv: func(string) (string, bool) { return "", false },
	}
}

func writeSpec(t *testing.T, spec pypitest.WheelSpec) string {
	t.Helper()
	p, err := pypitest.WriteWheel(t.TempDir(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// treeState is every path under root with its mode and content hash.
func treeState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			// Shebangs name the environment, and RECORD their hashes:
			// compare across roots by content with the root replaced, and
			// RECORD by its paths.
			b = bytes.ReplaceAll(b, []byte(root), []byte("<ROOT>"))
			if filepath.Base(p) == "RECORD" {
				rows, _ := ReadRecord(bytes.NewReader(b))
				var paths []string
				for _, r := range rows {
					paths = append(paths, r.Path)
				}
				b = []byte(strings.Join(paths, "\n"))
			}
			sum := sha256.Sum256(b)
			v += " " + hex.EncodeToString(sum[:8])
		}
		out[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffStates(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, "gone: "+k)
		} else if v != w {
			d = append(d, "changed: "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "new: "+k)
		}
	}
	sort.Strings(d)
	return d
}

var oldSpec = pypitest.WheelSpec{Name: "victim", Version: "1.0", Files: map[string]string{
	"victim/__init__.py": "v = 1\n", "victim/only_old.py": "", "victim/sub/x.py": "",
}, DistInfo: map[string]string{"entry_points.txt": "[console_scripts]\nvictim = victim:main\n"}}

func newSpec() pypitest.WheelSpec {
	return pypitest.WheelSpec{Name: "victim", Version: "2.0", Files: map[string]string{
		"aaa_first.py": "", "victim/__init__.py": "v = 2\n", "victim/only_new.py": "", "victim/sub/x.py": "x = 2\n",
	}, DistInfo: map[string]string{"entry_points.txt": "[console_scripts]\nvictim = victim:main\nvictim2 = victim:main\n"}}
}

// installOld puts version 1.0 in place with the installer itself.
func installOld(t *testing.T, tg Target) string {
	t.Helper()
	res, err := Install(context.Background(), tg, writeSpec(t, oldSpec), Options{NoCompile: true, Requested: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.DistInfo
}

// rewriteWheel copies a wheel, changing members through edit (which may
// return a new name, new content, or drop the member by returning "").
func rewriteWheel(t *testing.T, src string, edit func(name string, content []byte) (string, []byte, fs.FileMode)) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		name, content, mode := edit(f.Name, b)
		if name == "" {
			continue
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	zw.Close()
	out := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFaultsKeepOldVersion: every way an upgrade can fail leaves the old
// version exactly as it was, and nothing outside the environment changes.
func TestFaultsKeepOldVersion(t *testing.T) {
	tests := []struct {
		name  string
		wheel func(t *testing.T, tg Target, outside string) string
		setup func(t *testing.T, tg Target, oldInfo, outside string)
		want  string // in the error
	}{
		{
			name: "a file in the way halfway through the commit",
			wheel: func(t *testing.T, tg Target, _ string) string {
				s := newSpec()
				s.Files["zzz/late.py"] = ""
				return writeSpec(t, s)
			},
			setup: func(t *testing.T, tg Target, _, _ string) {
				// zzz is a file, so zzz/late.py cannot be placed: fails after
				// aaa_first.py and others are already in place.
				os.WriteFile(filepath.Join(tg.Scheme.Purelib, "zzz"), []byte("in the way"), 0o644)
			},
			want: "in the way",
		},
		{
			name: "corrupt archive member",
			wheel: func(t *testing.T, tg Target, _ string) string {
				s := newSpec()
				s.Files["victim/big.py"] = incompressible(16 << 10)
				src := writeSpec(t, s)
				b, _ := os.ReadFile(src)
				// Flip bytes inside big.py's deflate stream.
				i := bytes.Index(b, []byte("victim/big.py")) + 2000
				for j := i; j < i+16; j++ {
					b[j] ^= 0xff
				}
				os.WriteFile(src, b, 0o644)
				return src
			},
			want: "victim/big.py",
		},
		{
			name: "truncated archive",
			wheel: func(t *testing.T, tg Target, _ string) string {
				src := writeSpec(t, newSpec())
				b, _ := os.ReadFile(src)
				os.WriteFile(src, b[:len(b)/2], 0o644)
				return src
			},
			want: "not a valid zip archive",
		},
		{
			name: "RECORD hash mismatch",
			wheel: func(t *testing.T, tg Target, _ string) string {
				return rewriteWheel(t, writeSpec(t, newSpec()), func(name string, b []byte) (string, []byte, fs.FileMode) {
					if name == "victim/only_new.py" {
						return name, []byte("tampered = True\n"), 0
					}
					return name, b, 0
				})
			},
			want: "does not match its RECORD hash",
		},
		{
			name: "path traversal member",
			wheel: func(t *testing.T, tg Target, _ string) string {
				return rewriteWheel(t, writeSpec(t, newSpec()), func(name string, b []byte) (string, []byte, fs.FileMode) {
					if name == "aaa_first.py" {
						return "victim/../../../../evil.py", b, 0
					}
					return name, b, 0
				})
			},
			want: "'..'",
		},
		{
			name: "absolute member",
			wheel: func(t *testing.T, tg Target, outside string) string {
				return rewriteWheel(t, writeSpec(t, newSpec()), func(name string, b []byte) (string, []byte, fs.FileMode) {
					if name == "aaa_first.py" {
						return outside + "/evil.py", b, 0
					}
					return name, b, 0
				})
			},
			want: "absolute path",
		},
		{
			name: "symlink member",
			wheel: func(t *testing.T, tg Target, outside string) string {
				return rewriteWheel(t, writeSpec(t, newSpec()), func(name string, b []byte) (string, []byte, fs.FileMode) {
					if name == "aaa_first.py" {
						return name, []byte(outside), fs.ModeSymlink | 0o777
					}
					return name, b, 0
				})
			},
			want: "symbolic link",
		},
		{
			name:  "installed RECORD entry outside the environment",
			wheel: func(t *testing.T, tg Target, _ string) string { return writeSpec(t, newSpec()) },
			setup: func(t *testing.T, tg Target, oldInfo, outside string) {
				rec := filepath.Join(oldInfo, "RECORD")
				b, _ := os.ReadFile(rec)
				rel, _ := filepath.Rel(filepath.Dir(oldInfo), filepath.Join(outside, "precious.txt"))
				b = append(b, []byte(filepath.ToSlash(rel)+",,\r\n")...)
				os.WriteFile(rec, b, 0o644)
			},
			want: "outside the environment",
		},
		{
			name:  "installed RECORD entry through a symlink leading outside",
			wheel: func(t *testing.T, tg Target, _ string) string { return writeSpec(t, newSpec()) },
			setup: func(t *testing.T, tg Target, oldInfo, outside string) {
				link := filepath.Join(tg.Scheme.Purelib, "escape")
				if err := os.Symlink(outside, link); err != nil {
					t.Fatal(err)
				}
				rec := filepath.Join(oldInfo, "RECORD")
				b, _ := os.ReadFile(rec)
				b = append(b, []byte("escape/precious.txt,,\r\n")...)
				os.WriteFile(rec, b, 0o644)
			},
			want: "resolves outside the environment",
		},
		{
			name: "new file through a symlinked directory leading outside",
			wheel: func(t *testing.T, tg Target, _ string) string {
				s := newSpec()
				s.Files["escape/new.py"] = ""
				return writeSpec(t, s)
			},
			setup: func(t *testing.T, tg Target, _, outside string) {
				if err := os.Symlink(outside, filepath.Join(tg.Scheme.Purelib, "escape")); err != nil {
					t.Fatal(err)
				}
			},
			want: "leads outside the environment",
		},
		{
			name: "entry point name escaping the scripts directory",
			wheel: func(t *testing.T, tg Target, _ string) string {
				s := newSpec()
				s.DistInfo = map[string]string{"entry_points.txt": "[console_scripts]\n.. = victim:main\n"}
				return writeSpec(t, s)
			},
			want: "outside the scripts directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := fakeEnv(t)
			outside := filepath.Join(t.TempDir(), "outside")
			os.MkdirAll(outside, 0o755)
			os.WriteFile(filepath.Join(outside, "precious.txt"), []byte("keep me"), 0o644)
			oldInfo := installOld(t, tg)
			if tt.setup != nil {
				tt.setup(t, tg, oldInfo, outside)
			}
			whl := tt.wheel(t, tg, outside)
			before, beforeOut := treeState(t, tg.Root), treeState(t, outside)
			_, err := Install(context.Background(), tg, whl, Options{Old: oldInfo, NoCompile: true})
			if err == nil {
				t.Fatal("install succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if d := diffStates(before, treeState(t, tg.Root)); len(d) > 0 {
				t.Errorf("environment changed: %v", d)
			}
			if d := diffStates(beforeOut, treeState(t, outside)); len(d) > 0 {
				t.Errorf("outside changed: %v", d)
			}
		})
	}
}

// TestCrashAtEveryStep stops a commit dead at each of its steps, as
// SIGKILL would, then runs Recover: the environment must then hold the
// old version, whole, or (past the commit point) the new one, whole.
func TestCrashAtEveryStep(t *testing.T) {
	// The states to expect: old, and new from a clean upgrade.
	ref := fakeEnv(t)
	oldInfo := installOld(t, ref)
	oldState := treeState(t, ref.Root)
	whl := writeSpec(t, newSpec())
	if _, err := Install(context.Background(), ref, whl, Options{Old: oldInfo, NoCompile: true}); err != nil {
		t.Fatal(err)
	}
	newState := treeState(t, ref.Root)
	relocate := func(s map[string]string) map[string]string { return s } // same layout under each root

	sawOld, sawNew := false, false
	for step := 1; ; step++ {
		tg := fakeEnv(t)
		info := installOld(t, tg)
		crashed := false
		_, err := Install(context.Background(), tg, whl, Options{Old: info, NoCompile: true, commitHook: func(n int) error {
			if n == step {
				crashed = true
				return errCrash
			}
			return nil
		}})
		if !crashed {
			if err != nil {
				t.Fatal(err)
			}
			break // past the last step: done
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("step %d: %v", step, err)
		}
		done, err := Recover(tg.Root)
		if err != nil || len(done) != 1 {
			t.Fatalf("step %d: recover: %v %v", step, done, err)
		}
		got := treeState(t, tg.Root)
		switch {
		case len(diffStates(relocate(oldState), got)) == 0:
			sawOld = true
		case len(diffStates(relocate(newState), got)) == 0:
			sawNew = true
		default:
			t.Errorf("step %d: neither old nor new: vs old %v; vs new %v", step, diffStates(oldState, got), diffStates(newState, got))
		}
	}
	if !sawOld || !sawNew {
		t.Errorf("crashes ended old: %v, new: %v; want both", sawOld, sawNew)
	}
}

// TestCancelRollsBack cancels the context at each step of the commit.
func TestCancelRollsBack(t *testing.T) {
	whl := writeSpec(t, newSpec())
	for step := 1; step < 40; step++ {
		tg := fakeEnv(t)
		info := installOld(t, tg)
		before := treeState(t, tg.Root)
		ctx, cancel := context.WithCancel(context.Background())
		_, err := Install(ctx, tg, whl, Options{Old: info, NoCompile: true, commitHook: func(n int) error {
			if n == step {
				cancel()
			}
			return nil
		}})
		cancel()
		if err == nil {
			if step == 1 {
				t.Fatal("cancel at the first step did not stop the install")
			}
			return // cancelled past the commit point: the new version stands
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("step %d: %v", step, err)
		}
		if d := diffStates(before, treeState(t, tg.Root)); len(d) > 0 {
			t.Fatalf("step %d: not rolled back: %v", step, d)
		}
	}
	t.Fatal("commit has more steps than the test expects")
}

// incompressible is n bytes of hex text that deflate cannot shrink much.
func incompressible(n int) string {
	var b strings.Builder
	sum := sha256.Sum256([]byte("seed"))
	for b.Len() < n {
		b.WriteString(hex.EncodeToString(sum[:]))
		sum = sha256.Sum256(sum[:])
	}
	return b.String()[:n]
}
