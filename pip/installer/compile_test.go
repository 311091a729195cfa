package installer

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompilerIgnoresWorkingDirectory: a compileall.py in the directory
// the compiler runs in must not be imported instead of the standard one.
func TestCompilerIgnoresWorkingDirectory(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: the compiler needs an interpreter")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "mod.py")
	if err := os.WriteFile(src, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The compiler runs in os.TempDir(): make that a private directory
	// holding the impostor, never the shared one.
	work := t.TempDir()
	t.Setenv("TMPDIR", work)
	if err := os.WriteFile(filepath.Join(work, "compileall.py"), []byte("raise SystemExit('shadowed')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewCompiler(py, 1, nil)
	defer c.Close()
	pycs, err := c.Compile(context.Background(), []CompilePair{{Source: src, Dir: "/final/place"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pycs) != 1 || !strings.HasSuffix(pycs[0], ".pyc") {
		t.Fatalf("pycs = %v", pycs)
	}
	// The code object names the final path, not the staging one.
	out, err := exec.Command(py, "-c", "import marshal,sys; f=open(sys.argv[1],'rb'); f.read(16); print(marshal.load(f).co_filename)", pycs[0]).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "/final/place/mod.py" {
		t.Errorf("co_filename = %q, want /final/place/mod.py", got)
	}
}
