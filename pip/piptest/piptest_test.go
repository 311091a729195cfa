package piptest

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnviron(t *testing.T) {
	t.Setenv("PIP_FIND_LINKS", "/opt/wheels")
	t.Setenv("pip_lower", "x")
	t.Setenv("XDG_CONFIG_HOME", "/real/config")
	t.Setenv("CI", "true")
	for k, v := range map[string]string{"NO_COLOR": "1", "TERM": "dumb", "https_proxy": "http://127.0.0.1:9", "PYTHONPATH": "/elsewhere"} {
		t.Setenv(k, v)
	}
	count := func(env []string, key string) (n int, last string) {
		for _, kv := range env {
			if k, v, _ := strings.Cut(kv, "="); k == key {
				n, last = n+1, v
			}
		}
		return n, last
	}
	tests := []struct {
		name string
		env  []string
		want map[string]string // "" = absent
	}{
		{"Environ", Environ("PYTHONNOUSERSITE=1", "PIP_NO_COLOR=0"), map[string]string{
			"PIP_FIND_LINKS": "", "pip_lower": "", "PIP_CONFIG_FILE": os.DevNull,
			"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "PIP_NO_COLOR": "0",
			"PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
			"HOME": os.Getenv("HOME"), "XDG_CONFIG_HOME": "/real/config", "CI": "true",
			"NO_COLOR": "", "TERM": "", "https_proxy": "", "PYTHONPATH": "",
		}},
		{"Environ sets what the test means", Environ("NO_COLOR=1", "PYTHONPATH=/mine"), map[string]string{
			"NO_COLOR": "1", "PYTHONPATH": "/mine", "TERM": "",
		}},
		{"HomeEnviron", HomeEnviron("/h", "XDG_STATE_HOME=/s"), map[string]string{
			"PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.DevNull, "PIP_NO_CACHE_DIR": "1",
			"HOME": "/h", "XDG_CACHE_HOME": "/h/.cache", "XDG_STATE_HOME": "/s",
			"XDG_CONFIG_HOME": "", "CI": "", "NO_COLOR": "", "TERM": "", "https_proxy": "",
		}},
	}
	for _, tt := range tests {
		for k, want := range tt.want {
			n, got := count(tt.env, k)
			if want == "" && n != 0 || want != "" && (n != 1 || got != want) {
				t.Errorf("%s: %s set %d times, last to %q; want %q once", tt.name, k, n, got, want)
			}
		}
	}
}

func TestUnzipRefusesEscape(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evil.whl")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for _, name := range []string{"ok/a.py", "../escape.py"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x = 1\n"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	dest := filepath.Join(t.TempDir(), "dest")
	err = Unzip(path, dest)
	if err == nil || !strings.Contains(err.Error(), "bad path") {
		t.Fatalf("Unzip: %v, want a bad path error", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dest), "escape.py")); err == nil {
		t.Error("an entry was written outside dest")
	}
}

// TestVenvs checks what each kind of venv promises, including that pip's
// bytecode is used rather than recompiled on every start.
func TestVenvs(t *testing.T) {
	f := New()
	t.Cleanup(func() { f.Close() })
	probe := `import importlib.metadata as m, pip, sys
try:
    d = m.distribution("pip"); print(d.version, d.read_text("INSTALLER").strip())
except m.PackageNotFoundError:
    print("no-dist")
print(pip.__file__)`
	for _, tt := range []struct {
		pip            Pip
		dist, location string
	}{
		{WithPip, " pip", "site-packages"},
		{SharedPip, "no-dist", "pipup-test-pip-"},
	} {
		t.Run(tt.pip.String(), func(t *testing.T) {
			py := f.Venv(t, tt.pip)
			cmd := exec.Command(py, "-v", "-c", probe)
			cmd.Env = Environ()
			cmd.Dir = t.TempDir()
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("probe: %v\n%s", err, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 2 || !strings.HasSuffix(lines[0], tt.dist) || !strings.Contains(lines[1], tt.location) {
				t.Errorf("probe: %q, want dist %q and pip under %q", out, tt.dist, tt.location)
			}
			if s := stderr.String(); !strings.Contains(s, "pip/__pycache__/__init__.cpython-") || strings.Contains(s, "bytecode is stale") {
				t.Errorf("pip's bytecode not used:\n%s", grepLines(s, "pip"))
			}
		})
	}
	t.Run("NoPip", func(t *testing.T) {
		py := f.Venv(t, NoPip, "--system-site-packages")
		site, err := SitePackages(py)
		if err != nil {
			t.Fatal(err)
		}
		if entries, err := os.ReadDir(site); err != nil || len(entries) != 0 {
			t.Errorf("site-packages of a NoPip venv: %v %v", entries, err)
		}
		cfg, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(py)), "pyvenv.cfg"))
		if err != nil || !strings.Contains(string(cfg), "include-system-site-packages = true") {
			t.Errorf("venv args not passed on: %s %v", cfg, err)
		}
	})
	if _, err := f.CreateVenv(filepath.Join(t.TempDir(), "v"), WithPip, "--without-pip"); err == nil {
		t.Error("CreateVenv accepted --without-pip")
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestScrubProcess(t *testing.T) {
	for k, v := range map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:9/", "NO_COLOR": "1", "PYTHONNOUSERSITE": "1", "https_proxy": "http://127.0.0.1:9", "PIPUP_KEEP": "x"} {
		t.Setenv(k, v) // restored when the test ends
	}
	if err := scrubProcess(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"PIP_INDEX_URL", "NO_COLOR", "PYTHONNOUSERSITE", "https_proxy"} {
		if v, ok := os.LookupEnv(k); ok {
			t.Errorf("%s=%q survived", k, v)
		}
	}
	if os.Getenv("PIPUP_KEEP") != "x" || os.Getenv("PATH") == "" {
		t.Errorf("scrubProcess dropped what it should keep")
	}
}
