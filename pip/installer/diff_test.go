package installer_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// demoFiles is a wheel using every part of the format the installer maps.
func demoFiles(version string) map[string]string {
	data := "demo-" + version + ".data/"
	return map[string]string{
		"demo/__init__.py":                  "__version__ = '" + version + "'\ndef main():\n    print('demo main " + version + "')\n",
		"demo/cli.py":                       "class Cls:\n    @staticmethod\n    def run():\n        print('cls run')\n",
		"demo/exec_me.py":                   "print('x')\n",
		"demo/bad_syntax.py":                "def (:\n",
		"demo-extra.pth":                    "demo_extra_dir\n",
		data + "scripts/demo-tool":          "#!python\nprint('tool')\n",
		data + "scripts/demo-w":             "#!pythonw -u\r\nprint('w')\n",
		data + "scripts/plain.sh":           "#!/bin/sh\necho plain\n",
		data + "scripts/noexec":             "#!python\nprint('noexec')\n",
		data + "scripts/script.py":          "print('a .py script')\n",
		data + "scripts/democli":            "#!python\n# setuptools' own wrapper: pip skips it\n",
		data + "data/share/demo/readme.txt": "readme " + version + "\n",
		data + "headers/demo.h":             "#define DEMO 1\n",
		data + "purelib/demo_pure.py":       "PURE = 1\n",
		data + "platlib/demo_plat.py":       "PLAT = 1\n",
	}
}

func demoModes(version string) map[string]os.FileMode {
	data := "demo-" + version + ".data/"
	return map[string]os.FileMode{
		"demo/exec_me.py":          0o755,
		data + "scripts/demo-tool": 0o755,
		data + "scripts/demo-w":    0o755,
		data + "scripts/plain.sh":  0o755,
		data + "scripts/democli":   0o755,
	}
}

const demoEntryPoints = `[console_scripts]
democli = demo:main
demo.dotted = demo.cli:Cls.run

[gui_scripts]
demogui = demo:main

[other.group]
ignored = demo:main
`

// TestDifferential: pip upgrades one copy of an environment, the installer
// the other, and the two trees must be the same file by file; then after
// `pip uninstall` of what was upgraded, again.
func TestDifferential(t *testing.T) {
	tests := []struct {
		name      string
		parent    string // venv directory name inside each copy
		old       []pypitest.WheelSpec
		new       pypitest.WheelSpec
		dist      string   // .dist-info name prefix of the upgraded distribution
		scripts   []string // console scripts to run afterwards, and what they print
		want      []string
		platform  bool // tag the new wheel for this platform (Root-Is-Purelib false)
		noCompile bool
	}{
		{
			name: "fresh install",
			new:  pypitest.WheelSpec{Name: "fresh", Version: "1.0"},
			dist: "fresh",
		},
		{
			name: "upgrade removes old files and emptied directories",
			old: []pypitest.WheelSpec{{Name: "mod", Version: "1.0", Files: map[string]string{
				"mod/__init__.py": "v = 1\n", "mod/old.py": "", "mod/sub/__init__.py": "", "mod/sub/deep/x.py": "", "mod_top.py": "",
			}}},
			new: pypitest.WheelSpec{Name: "mod", Version: "2.0", Files: map[string]string{
				"mod/__init__.py": "v = 2\n", "mod/new.py": "", "mod_top.py": "x = 2\n",
			}},
			dist: "mod",
		},
		{
			name: "data directories, scripts, entry points, modes, pth",
			old: []pypitest.WheelSpec{{Name: "demo", Version: "1.0", Files: demoFiles("1.0"), Modes: demoModes("1.0"),
				DistInfo: map[string]string{"entry_points.txt": "[console_scripts]\ndemocli = demo:main\nold-cli = demo:main\n"}}},
			new: pypitest.WheelSpec{Name: "demo", Version: "2.0", Files: demoFiles("2.0"), Modes: demoModes("2.0"),
				DistInfo: map[string]string{"entry_points.txt": demoEntryPoints}},
			dist:    "demo",
			scripts: []string{"democli", "demo.dotted", "demo-tool"},
			want:    []string{"demo main 2.0", "cls run", "tool"},
		},
		{
			name:      "--no-compile",
			old:       []pypitest.WheelSpec{{Name: "nocomp", Version: "1.0", Files: map[string]string{"nocomp/__init__.py": "", "nocomp/a.py": ""}}},
			new:       pypitest.WheelSpec{Name: "nocomp", Version: "2.0", Files: map[string]string{"nocomp/__init__.py": "x = 1\n", "nocomp/b.py": ""}},
			dist:      "nocomp",
			noCompile: true,
		},
		{
			name:     "platlib wheel",
			old:      []pypitest.WheelSpec{{Name: "plat", Version: "1.0"}},
			new:      pypitest.WheelSpec{Name: "plat", Version: "2.0"},
			dist:     "plat",
			platform: true,
		},
		{
			name: "namespace package shared by two distributions",
			old: []pypitest.WheelSpec{
				{Name: "ns-a", Version: "1.0", Files: map[string]string{"ns/a/__init__.py": "", "ns/a/old.py": ""}},
				{Name: "ns-b", Version: "1.0", Files: map[string]string{"ns/b/__init__.py": ""}},
			},
			new:  pypitest.WheelSpec{Name: "ns-a", Version: "2.0", Files: map[string]string{"ns/a/__init__.py": "", "ns/a/new.py": ""}},
			dist: "ns_a",
		},
		{
			name:   "long interpreter path with spaces: /bin/sh trampoline",
			parent: strings.Repeat("a long dir ", 10) + "venv",
			old: []pypitest.WheelSpec{{Name: "longp", Version: "1.0", Files: map[string]string{"longp/__init__.py": "def main():\n    print('long ok')\n"},
				DistInfo: map[string]string{"entry_points.txt": "[console_scripts]\nlongp = longp:main\n"}}},
			new: pypitest.WheelSpec{Name: "longp", Version: "2.0", Files: map[string]string{
				"longp/__init__.py": "def main():\n    print('long ok 2')\n", "longp-2.0.data/scripts/longtool": "#!python\nprint('longtool')\n"},
				Modes:    map[string]os.FileMode{"longp-2.0.data/scripts/longtool": 0o755},
				DistInfo: map[string]string{"entry_points.txt": "[console_scripts]\nlongp = longp:main\n"}},
			// longtool gets "#!<path with spaces>" from pip's fix_script,
			// which no kernel runs: the same file is all that is asked.
			dist:    "longp",
			scripts: []string{"longp"},
			want:    []string{"long ok 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parent := tt.parent
			if parent == "" {
				parent = "venv"
			}
			p := newPair(t, parent)
			for _, spec := range tt.old {
				p.addWheel(t, spec)
				p.pipInstallBoth(t, spec.Name+"=="+spec.Version)
			}
			spec := tt.new
			if tt.platform {
				spec.Tag = "py3-none-" + platformTag(t, p.b)
			}
			wheel := p.addWheel(t, spec)
			p.sameTrees(t, "before")
			res := p.upgradeWith(t, spec.Name+"=="+spec.Version, wheel, tt.dist, tt.noCompile)
			if len(res.Files) == 0 {
				t.Fatalf("installer wrote nothing")
			}
			p.sameTrees(t, "after the upgrade")

			env := dropEmpty(p.env())
			if out := p.pipRun(t, p.b, "check"); !strings.Contains(out, "No broken requirements") {
				t.Errorf("pip check: %s", out)
			}
			bin := p.targetB.Scheme.Scripts
			for i, s := range tt.scripts {
				if out := runOK(t, env, filepath.Join(bin, s)); !strings.Contains(out, tt.want[i]) {
					t.Errorf("%s printed %q, want %q", s, out, tt.want[i])
				}
			}
			for _, py := range []string{p.a, p.b} {
				p.pipRun(t, py, "uninstall", "-y", "-q", spec.Name)
			}
			p.sameTrees(t, "after pip uninstall")
		})
	}
}

// platformTag is the platform part of the interpreter's most preferred tag.
func platformTag(t *testing.T, python string) string {
	t.Helper()
	out, err := exec.Command(python, "-c", "import sysconfig; print(sysconfig.get_platform().replace('-', '_').replace('.', '_'))").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

var _ = piptest.SharedPip
