package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// uiIgnore and uiUnignore edit the user's config.toml; a package the
// project's [tool.pipup] ignores is not the user's file's to take back,
// and the error says where it is.
func TestUIIgnoreEngine(t *testing.T) {
	root := t.TempDir()
	xdg := filepath.Join(root, "xdg")
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("HOME", filepath.Join(root, "home"))
	proj := filepath.Join(root, "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(proj, "pyproject.toml"), "[tool.pipup]\nignore = [\"numpy\"]\n")
	t.Chdir(proj)
	user := filepath.Join(xdg, "pipup", "config.toml")

	for _, tt := range []struct {
		name   string
		do     func(string) (string, error)
		pkg    string
		line   string // in the answer's line, or in its error
		failed bool
		file   string // the user's file afterwards contains this ("" = not "pkg")
	}{
		{"ignore creates the file", uiIgnore, "Django", "Django is ignored from now on (added to " + user + ")", false, `"Django"`},
		{"ignore again", uiIgnore, "django", "django was already ignored in " + user, false, `"Django"`},
		{"take back", uiUnignore, "DJANGO", "DJANGO is offered again from the next run", false, ""},
		{"the project's", uiUnignore, "numpy", "it is ignored by " + filepath.Join(proj, "pyproject.toml") + ":2: take it out there", true, ""},
		{"not ignored anywhere", uiUnignore, "flask", "it is not in " + user, true, ""},
		{"not a name", uiIgnore, "not a name!", "is not a package name", true, ""},
	} {
		line, err := tt.do(tt.pkg)
		got := line
		if err != nil {
			got = err.Error()
		}
		if (err != nil) != tt.failed || !strings.Contains(got, tt.line) {
			t.Errorf("%s: %q, %v; want %q (error %v)", tt.name, line, err, tt.line, tt.failed)
		}
		data, _ := os.ReadFile(user)
		if tt.file != "" && !strings.Contains(string(data), tt.file) || tt.file == "" && strings.Contains(strings.ToLower(string(data)), `"django"`) {
			t.Errorf("%s: config.toml is\n%s", tt.name, data)
		}
	}
}
