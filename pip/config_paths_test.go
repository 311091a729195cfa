package pip

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestConfigFilesPerOS: pip's file order on each platform (pip's
// configuration.get_configuration_files over its appdirs), computed here
// on any OS from GOOS and the environment given.
func TestConfigFilesPerOS(t *testing.T) {
	home := t.TempDir()
	macHomeWithAppSupport := t.TempDir()
	if err := os.MkdirAll(filepath.Join(macHomeWithAppSupport, "Library/Application Support/pip"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		in           ConfigInput
		env          []string
		global, user []string
		site         string
	}{
		{
			name:   "linux, XDG variables",
			in:     ConfigInput{GOOS: "linux", Home: home, Prefix: "/venv"},
			env:    []string{"XDG_CONFIG_DIRS=/a:/b", "XDG_CONFIG_HOME=/x"},
			global: []string{"/a/pip/pip.conf", "/b/pip/pip.conf", "/etc/pip.conf"},
			user:   []string{home + "/.pip/pip.conf", "/x/pip/pip.conf"},
			site:   "/venv/pip.conf",
		},
		{
			name:   "darwin without Application Support/pip: ~/.config/pip, XDG ignored",
			in:     ConfigInput{GOOS: "darwin", Home: home, Prefix: "/venv"},
			env:    []string{"XDG_CONFIG_DIRS=/a", "XDG_CONFIG_HOME=/x"},
			global: []string{"/Library/Application Support/pip/pip.conf"},
			user:   []string{home + "/.pip/pip.conf", home + "/.config/pip/pip.conf"},
			site:   "/venv/pip.conf",
		},
		{
			name:   "darwin with Application Support/pip",
			in:     ConfigInput{GOOS: "darwin", Home: macHomeWithAppSupport},
			global: []string{"/Library/Application Support/pip/pip.conf"},
			user:   []string{macHomeWithAppSupport + "/.pip/pip.conf", macHomeWithAppSupport + "/Library/Application Support/pip/pip.conf"},
		},
		{
			name:   "darwin, Homebrew Python",
			in:     ConfigInput{GOOS: "darwin", Home: home, Prefix: "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12"},
			global: []string{"/opt/homebrew/share/pip/pip.conf", "/Library/Application Support/pip/pip.conf"},
			user:   []string{home + "/.pip/pip.conf", home + "/.config/pip/pip.conf"},
			site:   "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12/pip.conf",
		},
		{
			name:   "windows",
			in:     ConfigInput{GOOS: "windows", Home: `C:\Users\ada`, Prefix: `C:\proj\.venv`},
			env:    []string{`APPDATA=C:\Users\ada\AppData\Roaming`, `PROGRAMDATA=D:\ProgramData`, "XDG_CONFIG_HOME=/x"},
			global: []string{`D:\ProgramData\pip\pip.ini`},
			user:   []string{`C:\Users\ada\pip\pip.ini`, `C:\Users\ada\AppData\Roaming\pip\pip.ini`},
			site:   `C:\proj\.venv\pip.ini`,
		},
		{
			name:   "windows without the folder variables",
			in:     ConfigInput{GOOS: "windows", Home: `C:\Users\ada`},
			global: []string{`C:\ProgramData\pip\pip.ini`},
			user:   []string{`C:\Users\ada\pip\pip.ini`, `C:\Users\ada\AppData\Roaming\pip\pip.ini`},
		},
		{
			name:   "windows, isolated: no user files",
			in:     ConfigInput{GOOS: "windows", Home: `C:\Users\ada`, Isolated: true},
			global: []string{`C:\ProgramData\pip\pip.ini`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := configFiles(tc.in, parseEnviron(tc.env), "")
			if !slices.Equal(files["global"], tc.global) {
				t.Errorf("global files %q, want %q", files["global"], tc.global)
			}
			if !slices.Equal(files["user"], tc.user) {
				t.Errorf("user files %q, want %q", files["user"], tc.user)
			}
			var site []string
			if tc.site != "" {
				site = []string{tc.site}
			}
			if !slices.Equal(files["site"], site) {
				t.Errorf("site files %q, want %q", files["site"], site)
			}
		})
	}
}

// TestConfigDarwinApplicationSupport: a Mac user's
// ~/Library/Application Support/pip/pip.conf is read.
func TestConfigDarwinApplicationSupport(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "Library", "Application Support", "pip")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pip.conf"), []byte("[global]\nindex-url = https://mac.example/simple\nproxy = http://10.1.1.1:3128\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(ConfigInput{Command: "list", GOOS: "darwin", Home: home}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IndexURL != "https://mac.example/simple" || cfg.Proxy != "http://10.1.1.1:3128" {
		t.Errorf("index %q proxy %q: the Application Support file was not read", cfg.IndexURL, cfg.Proxy)
	}
}
