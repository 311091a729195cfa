package pip

import "testing"

func TestUserDirPerOS(t *testing.T) {
	for _, tc := range []struct {
		kind, goos string
		env        map[string]string
		want       string
	}{
		{"cache", "linux", map[string]string{"HOME": "/home/ada"}, "/home/ada/.cache/pipup"},
		{"state", "linux", map[string]string{"HOME": "/home/ada"}, "/home/ada/.local/state/pipup"},
		{"cache", "linux", map[string]string{"HOME": "/home/ada", "XDG_CACHE_HOME": "/c"}, "/c/pipup"},
		{"cache", "linux", map[string]string{"HOME": "/home/ada", "XDG_CACHE_HOME": "relative"}, "/home/ada/.cache/pipup"},
		{"cache", "darwin", map[string]string{"HOME": "/Users/ada"}, "/Users/ada/Library/Caches/pipup"},
		{"state", "darwin", map[string]string{"HOME": "/Users/ada"}, "/Users/ada/Library/Application Support/pipup"},
		{"state", "darwin", map[string]string{"HOME": "/Users/ada", "XDG_STATE_HOME": "/s"}, "/s/pipup"},
		{"cache", "windows", map[string]string{"USERPROFILE": `C:\Users\ada`, "LOCALAPPDATA": `C:\Users\ada\AppData\Local`}, `C:\Users\ada\AppData\Local\pipup\cache`},
		{"state", "windows", map[string]string{"USERPROFILE": `C:\Users\ada`, "HOME": "/ignored"}, `C:\Users\ada\AppData\Local\pipup\state`},
	} {
		home := tc.env["HOME"] // as homeOf finds it on that OS
		if tc.goos == "windows" {
			home = tc.env["USERPROFILE"]
		}
		got, err := userDir(tc.kind, tc.goos, func(k string) string { return tc.env[k] }, home)
		if err != nil || got != tc.want {
			t.Errorf("%s on %s with %v: %q, %v; want %q", tc.kind, tc.goos, tc.env, got, err, tc.want)
		}
	}
	if _, err := userDir("state", "windows", func(string) string { return "" }, ""); err == nil {
		t.Errorf("windows with no folder variables: no error")
	}
}

func TestVenvPythonPerOS(t *testing.T) {
	for _, tc := range []struct{ venv, goos, want string }{
		{"/proj/.venv", "linux", "/proj/.venv/bin/python"},
		{"/proj/.venv", "darwin", "/proj/.venv/bin/python"},
		{`C:\proj\.venv`, "windows", `C:\proj\.venv\Scripts\python.exe`},
	} {
		if got := venvPython(tc.venv, tc.goos); got != tc.want {
			t.Errorf("venvPython(%q, %s) = %q, want %q", tc.venv, tc.goos, got, tc.want)
		}
	}
}
