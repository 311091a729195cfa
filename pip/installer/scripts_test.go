package installer

import (
	"reflect"
	"strings"
	"testing"
)

func TestShebang(t *testing.T) {
	long := "/" + strings.Repeat("x", 130) + "/bin/python"
	tests := []struct {
		exe    string
		darwin bool
		want   string
	}{
		{"/env/bin/python", false, "#!/env/bin/python\n"},
		{"/my env/bin/python", false, "#!/bin/sh\n'''exec' \"/my env/bin/python\" \"$0\" \"$@\"\n' '''\n"},
		{long, false, "#!/bin/sh\n'''exec' " + long + " \"$0\" \"$@\"\n' '''\n"},
		{long, true, "#!" + long + "\n"},                                                 // macOS allows 512
		{"/" + strings.Repeat("y", 123), false, "#!/" + strings.Repeat("y", 123) + "\n"}, // 127 with "#!" and "\n"
		{"/" + strings.Repeat("y", 124), false, "#!/bin/sh\n'''exec' /" + strings.Repeat("y", 124) + " \"$0\" \"$@\"\n' '''\n"},
		{"/usr/bin/env my python", false, "#!/bin/sh\n'''exec' /usr/bin/env \"my python\" \"$0\" \"$@\"\n' '''\n"},
	}
	for _, tt := range tests {
		if got := Shebang(tt.exe, tt.darwin); got != tt.want {
			t.Errorf("Shebang(%q, %v) = %q, want %q", tt.exe, tt.darwin, got, tt.want)
		}
	}
}

func TestFixScript(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"#!python\nprint(1)\n", "#!/e/bin/python\nprint(1)\n", true},
		{"#!pythonw -u\r\nx\n", "#!/e/bin/python\nx\n", true},
		{"#!python", "#!/e/bin/python\n", true},
		{"#!/bin/sh\necho\n", "#!/bin/sh\necho\n", false},
		{"", "", false},
		{"#! python\n", "#! python\n", false},
	}
	for _, tt := range tests {
		got, changed := fixScript([]byte(tt.in), "/e/bin/python")
		if string(got) != tt.want || changed != tt.changed {
			t.Errorf("fixScript(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

func TestEntryPoints(t *testing.T) {
	text := "# comment\n[console_scripts]\n a = m:f \nb=m.n:C.g\na = m:h\n\n[gui_scripts]\ng = m:w\n[other]\nx = y\n"
	console, gui, err := parseEntryPoints(text)
	if err != nil {
		t.Fatal(err)
	}
	if want := []EntryPoint{{"a", "m:h"}, {"b", "m.n:C.g"}}; !reflect.DeepEqual(console, want) {
		t.Errorf("console = %v, want %v", console, want)
	}
	if want := []EntryPoint{{"g", "m:w"}}; !reflect.DeepEqual(gui, want) {
		t.Errorf("gui = %v, want %v", gui, want)
	}
	if _, _, err := parseEntryPoints("[console_scripts]\nnovalue\n"); err == nil {
		t.Error("a line without '=' was accepted")
	}
}

func TestConsoleScriptSpecs(t *testing.T) {
	eps := []EntryPoint{{"pip", "pip._internal.cli.main:main"}, {"pip3", "x:y"}, {"pip3.8", "x:y"}, {"easy_install", "e:m"}, {"easy_install-3.8", "e:m"}, {"other", "o:m"}}
	names := func(env map[string]string) []string {
		getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		var out []string
		for _, ep := range consoleScriptSpecs(eps, [2]int{3, 11}, getenv) {
			out = append(out, ep.Name)
		}
		return out
	}
	tests := []struct {
		env  map[string]string
		want []string
	}{
		{nil, []string{"pip", "pip3", "pip3.11", "easy_install", "easy_install-3.11", "other"}},
		{map[string]string{"ENSUREPIP_OPTIONS": "install"}, []string{"pip3", "pip3.11", "easy_install-3.11", "other"}},
		{map[string]string{"ENSUREPIP_OPTIONS": "altinstall"}, []string{"pip3.11", "easy_install-3.11", "other"}},
	}
	for _, tt := range tests {
		if got := names(tt.env); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("env %v: %v, want %v", tt.env, got, tt.want)
		}
	}
}

func TestParseWrapper(t *testing.T) {
	tests := []struct {
		ep      EntryPoint
		want    wrapper
		wantErr string
	}{
		{EntryPoint{"tool", "pkg.mod:main"}, wrapper{"tool", "pkg.mod", "main"}, ""},
		{EntryPoint{"tool", "pkg:Cls.meth [extra]"}, wrapper{"tool", "pkg", "Cls.meth"}, ""},
		{EntryPoint{"tool", "pkg.mod"}, wrapper{}, "callable suffix is required"},
		{EntryPoint{"tool", "a:b:c"}, wrapper{}, "invalid"},
		{EntryPoint{"..", "m:f"}, wrapper{}, "outside the scripts directory"},
		{EntryPoint{"tool", "m:f [bad"}, wrapper{}, "invalid"},
	}
	for _, tt := range tests {
		got, err := parseWrapper(tt.ep)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want %q", tt.ep, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: %+v, %v; want %+v", tt.ep, got, err, tt.want)
		}
	}
}

func TestScriptTemplate(t *testing.T) {
	tests := []struct {
		pip    string
		python [2]int
		want   string
	}{
		{"23.2.1", [2]int{3, 11}, templateDistlib},
		{"25.1.1", [2]int{3, 11}, templateDistlib},
		{"25.2", [2]int{3, 11}, template252},
		{"25.3", [2]int{3, 11}, template252},
		{"26.0", [2]int{3, 11}, template260},
		{"", [2]int{3, 11}, template260},
		{"", [2]int{3, 8}, templateDistlib},
	}
	for _, tt := range tests {
		if got := scriptTemplate(tt.pip, tt.python); got != tt.want {
			t.Errorf("pip %q python %v: wrong template", tt.pip, tt.python)
		}
	}
}
