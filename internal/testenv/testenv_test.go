package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"23.2.1", "23.2.1", 0},
		{"9.0.1", "24.2", -1}, // numbers, not text: "9" sorts after "24" as text
		{"24.2", "24.2.0", 0},
		{"24.2.1", "24.2", 1},
		{"65.5.0", "58.1.0", 1},
		{"3.13.0", "3.9.18", 1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestBundledWheels(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"pip-9.0.1-py2.py3-none-any.whl", "pip-24.2-py3-none-any.whl", "setuptools-65.5.0-py3-none-any.whl", "README.txt", "odd.whl"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, w := range bundledWheels(dir) {
		got = append(got, w.String()+" "+filepath.Base(w.Path))
	}
	want := []string{
		"pip 9.0.1 pip-9.0.1-py2.py3-none-any.whl",
		"pip 24.2 pip-24.2-py3-none-any.whl",
		"setuptools 65.5.0 setuptools-65.5.0-py3-none-any.whl",
	}
	if !slices.Equal(got, want) {
		t.Errorf("bundledWheels = %q, want %q", got, want)
	}
}

// recorder is a testing.TB that records how a test would end.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skip(args ...any)                  { r.skipped = strings.TrimSpace(sprintln(args...)) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = sprintf(format, args...) }

func TestMissing(t *testing.T) {
	for _, tt := range []struct {
		strict string
		fail   bool
	}{{"", false}, {"0", false}, {"1", true}, {"true", true}} {
		t.Run("strict="+tt.strict, func(t *testing.T) {
			t.Setenv(StrictVar, tt.strict)
			r := &recorder{TB: t}
			Missing(r, "a pip >= %s wheel", "24")
			got := r.skipped
			if tt.fail {
				got = r.failed
			}
			if !strings.HasPrefix(got, "missing a pip >= 24 wheel") {
				t.Errorf("skipped %q, failed %q; want the message in the %s", r.skipped, r.failed, map[bool]string{true: "failure", false: "skip"}[tt.fail])
			}
			if (r.failed != "") != tt.fail || (r.skipped != "") == tt.fail {
				t.Errorf("%s=%q: skipped %q, failed %q", StrictVar, tt.strict, r.skipped, r.failed)
			}
		})
	}
}

// TestInterpreters: a python3.N on PATH that does not run (a pyenv shim of
// an unselected version) is left out; one listed in PIPUP_TEST_PYTHONS is
// found; two names of one executable count once; the base comes first.
func TestInterpreters(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell-script stand-ins need a POSIX shell")
	}
	base := Python(t)
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "python3.99"), []byte("#!/bin/sh\necho 'pyenv: python3.99: command not found' >&2\nexit 127\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(base, filepath.Join(bin, "python3.98")); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PythonVar, base)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(PythonsVar, base+string(os.PathListSeparator)+filepath.Join(bin, "python3.98"))
	ins := Interpreters(t)
	if len(ins) == 0 || ins[0].Path != base {
		t.Fatalf("Interpreters()[0] = %+v, want the base %s first", ins, base)
	}
	seen := map[string]bool{}
	for _, in := range ins {
		if strings.Contains(in.Path, "python3.99") {
			t.Errorf("a name that does not run was kept: %+v", in)
		}
		if seen[in.Prefix] {
			t.Errorf("%s found twice", in.Prefix)
		}
		seen[in.Prefix] = true
		if maj, _ := in.MajorMinor(); maj < 2 || in.Version == "" {
			t.Errorf("%s: version %q", in.Path, in.Version)
		}
	}
	t.Logf("found %d interpreters: %v", len(ins), ins)
}

func sprintln(args ...any) string               { return fmt.Sprintln(args...) }
func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
