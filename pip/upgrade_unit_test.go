package pip

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var linuxMarkers = map[string]string{
	"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
	"platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
	"implementation_name": "cpython", "platform_python_implementation": "CPython",
}

func TestNeedsIndex(t *testing.T) {
	installed := map[string]string{"a": "1.0", "b": "2.0rc1", "c": "1.5"}
	tests := []struct {
		requires []string
		want     bool
	}{
		{[]string{"a>=1", "b>=1.0"}, false}, // an installed pre-release satisfies
		{[]string{"missing"}, true},         // not installed
		{[]string{"c>=2"}, true},            // installed but too old
		{[]string{"missing ; sys_platform == 'win32'"}, false},
		{[]string{"missing ; python_version >= '3.8' and sys_platform == 'linux'"}, true},
		{[]string{"missing ; extra == 'x'"}, false},
		{[]string{"missing ; weird_var == 'x'"}, false}, // unsure: let pip decide
		{[]string{"c (>=1.0)", "a ; python_version >= '3'"}, false},
		{[]string{"c>=not-a-version"}, false},
	}
	for _, tt := range tests {
		_, got := needsIndex(tt.requires, linuxMarkers, installed)
		if got != tt.want {
			t.Errorf("needsIndex(%q) = %v, want %v", tt.requires, got, tt.want)
		}
	}
}

func TestPlanUpgradeRefusals(t *testing.T) {
	dists := []Dist{
		{Name: "Fine", Canonical: "fine", Version: "1.0", HasRecord: true},
		{Name: "ed", Canonical: "ed", Version: "1.0", HasRecord: true, Editable: true, DirectURL: &DirectURL{Dir: true, Editable: true}},
		{Name: "vcs", Canonical: "vcs", Version: "1.0", HasRecord: true, DirectURL: &DirectURL{VCS: "git"}},
		{Name: "dir", Canonical: "dir", Version: "1.0", HasRecord: true, DirectURL: &DirectURL{Dir: true}},
		{Name: "nr", Canonical: "nr", Version: "1.0"},
		{Name: "same", Canonical: "same", Version: "2.0", HasRecord: true},
	}
	c := func(name, latest string) Upgrade {
		return Upgrade{Name: name, From: "1.0", Target: latest, Candidate: CandidateFile{Filename: name + ".whl", URL: "http://x/" + name}}
	}
	added := c("New", "3.0") // a new dependency the plan added: no installed version
	added.From, added.Bump = "", BumpNew
	plan, skipped := planUpgrade([]Upgrade{c("fine", "2.0"), c("FINE", "2.0"), c("ed", "2"), c("vcs", "2"), c("dir", "2"), c("nr", "2"), c("same", "2.0.0"), c("gone", "1"), added}, dists)
	if len(plan) != 2 || plan[0].name != "Fine" || plan[0].from != "1.0" || plan[0].to != "2.0" ||
		plan[1].name != "New" || plan[1].from != "" || plan[1].to != "3.0" {
		for _, it := range plan {
			t.Errorf("plan: %+v", *it)
		}
	}
	want := map[string]string{"ed": "editable", "vcs": "git", "dir": "local directory", "nr": "RECORD", "same": "up to date", "gone": "not installed"}
	if len(skipped) != len(want) {
		t.Errorf("skipped = %+v", skipped)
	}
	for _, s := range skipped {
		if !strings.Contains(s.Reason, want[s.Name]) {
			t.Errorf("%s skipped for %q, want it to mention %q", s.Name, s.Reason, want[s.Name])
		}
	}
}

func TestSnapshotSaveHistoryUndoPlan(t *testing.T) {
	state := t.TempDir()
	in := &Interpreter{Executable: "/env/bin/python", Prefix: "/env"}
	other := &Interpreter{Executable: "/other/bin/python", Prefix: "/other"}
	before := []Dist{{Name: "a", Canonical: "a", Version: "1.0"}, {Name: "b", Canonical: "b", Version: "1.0"}, {Name: "gone", Canonical: "gone", Version: "3"}}
	s1 := newSnapshot(in, before, []PlannedUpgrade{{Name: "a", From: "1.0", To: "2.0"}})
	if err := s1.save(state); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	s2 := newSnapshot(in, before, nil)
	after := []Dist{{Name: "a", Canonical: "a", Version: "2.0"}, {Name: "b", Canonical: "b", Version: "1.0"}, {Name: "new", Canonical: "new", Version: "0.1"}}
	s2.Changes = diffDists(s2.Before, after)
	s2.Finished = true
	if err := s2.save(state); err != nil {
		t.Fatal(err)
	}
	want := []SnapshotChange{{Name: "a", From: "1.0", To: "2.0"}, {Name: "gone", From: "3"}, {Name: "new", To: "0.1"}}
	if len(s2.Changes) != 3 || s2.Changes[0] != want[0] || s2.Changes[1] != want[1] || s2.Changes[2] != want[2] {
		t.Errorf("diff = %+v", s2.Changes)
	}
	hist, err := History(state, in)
	if err != nil || len(hist) != 2 || hist[0].ID != s2.ID || hist[1].ID != s1.ID {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if h, _ := History(state, other); len(h) != 0 {
		t.Errorf("another environment sees %d snapshots", len(h))
	}
	// No temporary files are left beside the snapshots.
	files, _ := os.ReadDir(filepath.Dir(hist[0].Path()))
	if len(files) != 2 {
		t.Errorf("snapshot directory holds %d files", len(files))
	}

	restore, remove := undoPlan(&hist[0], after)
	if len(restore) != 2 || restore[0].canonical != "a" || restore[0].to != "1.0" || restore[0].from != "2.0" ||
		restore[1].canonical != "gone" || restore[1].to != "3" || restore[1].from != "" {
		t.Errorf("restore = %+v", restore)
	}
	if len(remove) != 1 || remove[0].canonical != "new" {
		t.Errorf("remove = %+v", remove)
	}
	// A run that did not finish: everything that differs from Before.
	restore, remove = undoPlan(&hist[1], after)
	if len(restore) != 2 || len(remove) != 1 {
		t.Errorf("unfinished: restore %+v remove %+v", restore, remove)
	}
}

func TestFindLeftovers(t *testing.T) {
	root := t.TempDir()
	site := filepath.Join(root, "lib", "python3.11", "site-packages")
	mk := func(rel, content string) {
		p := filepath.Join(site, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("good/__init__.py", "")
	mk("good-1.0.dist-info/RECORD", "good/__init__.py,sha256=x,0\ngood/__pycache__/__init__.cpython-311.pyc,,\ngood-1.0.dist-info/RECORD,,\n")
	mk("half-2.0.dist-info/RECORD", "half/__init__.py,sha256=x,0\nhalf-2.0.dist-info/RECORD,,\n")
	mk("~alf/__init__.py", "")
	mk("dup-1.0.dist-info/METADATA", "Name: dup\n")
	mk("dup-2.0.dist-info/METADATA", "Name: dup\n")
	in := &Interpreter{Executable: filepath.Join(root, "bin", "python"), Prefix: root, SitePackages: []string{site}, SysPath: []string{site}}
	lo := FindLeftovers(in)
	var problems []string
	for _, l := range lo {
		problems = append(problems, l.String())
	}
	all := strings.Join(problems, "\n")
	if len(lo) != 3 || !strings.Contains(all, "~alf") || !strings.Contains(all, "half 2.0 is half-installed") ||
		!strings.Contains(all, "dup has 2 .dist-info") || !strings.Contains(all, "--force-reinstall --no-deps half==2.0") {
		t.Errorf("leftovers:\n%s", all)
	}
	if lo := FindLeftovers(in, "good"); len(lo) != 2 { // the RECORD check only for "good"
		t.Errorf("limited check: %v", lo)
	}
}

// RECORD is read as the native installer reads it (installer.ReadRecord):
// a RECORD it would refuse is reported, not skipped over.
func TestMissingRecordFiles(t *testing.T) {
	tests := []struct {
		name   string
		record string // "" = no RECORD file
		want   []string
	}{
		{name: "no RECORD"},
		{name: "all present", record: "pkg/__init__.py,sha256=x,0\npkg-1.0.dist-info/RECORD,,\n"},
		{name: "one missing", record: "pkg/__init__.py,,\npkg/gone.py,sha256=x,3\n", want: []string{"pkg/gone.py"}},
		{name: "compiled files are not checked", record: "pkg/__pycache__/gone.cpython-311.pyc,,\n"},
		{name: "quoted path with a comma", record: "\"pkg/a,b.py\",,\r\n\"pkg/c,d.py\",,\r\n", want: []string{"pkg/c,d.py"}},
		{name: "blank lines skipped", record: "\npkg/__init__.py,,\n\n"},
		// These two were skipped or misread by the hand-written parser.
		{name: "a row with an empty path", record: "pkg/__init__.py,,\n,sha256=x,0\n",
			want: []string{"RECORD (unreadable: read RECORD: line 2 has an empty path)"}},
		{name: "a path with a line break", record: "\"pkg/a\r\nb.py\",,\n",
			want: []string{`RECORD (unreadable: read RECORD: line 1: a path with a line break: "pkg/a\nb.py")`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			info := filepath.Join(site, "pkg-1.0.dist-info")
			for _, rel := range []string{"pkg/__init__.py", "pkg/a,b.py", "pkg-1.0.dist-info/METADATA"} {
				p := filepath.Join(site, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.record != "" {
				if err := os.WriteFile(filepath.Join(info, "RECORD"), []byte(tt.record), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := missingRecordFiles(site, info); !slices.Equal(got, tt.want) {
				t.Errorf("missingRecordFiles = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"/usr/bin/python3": "/usr/bin/python3", "/a b/py": "'/a b/py'", "it's": `'it'\''s'`} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// After an abnormal pip exit the damage is reported: on the package it
// belongs to when it can be told, else in the summary's error.
func TestReportLeftovers(t *testing.T) {
	root := t.TempDir()
	site := filepath.Join(root, "lib", "python3.11", "site-packages")
	os.MkdirAll(filepath.Join(site, "~alf"), 0o755)
	os.MkdirAll(filepath.Join(site, "half-2.0.dist-info"), 0o755)
	os.WriteFile(filepath.Join(site, "half-2.0.dist-info", "RECORD"), []byte("half/__init__.py,,\n"), 0o644)
	out := make(chan UpgradeEvent, 10)
	u := &upgrader{e: &Env{Interp: &Interpreter{Executable: "/py", Prefix: root, SitePackages: []string{site}}}, events: newSender(context.Background(), out)}
	it := &planItem{name: "Half", canonical: "half", from: "1.0", to: "2.0"}
	u.reportLeftovers([]*planItem{it})
	close(out)
	var failed []UpgradeFailed
	for ev := range out {
		if f, ok := ev.(UpgradeFailed); ok {
			failed = append(failed, f)
		}
	}
	if len(failed) != 1 || failed[0].Name != "Half" || !strings.Contains(failed[0].Reason, "--force-reinstall --no-deps half==2.0") {
		t.Errorf("failed = %+v", failed)
	}
	if u.sum.Err == nil || !strings.Contains(u.sum.Err.Error(), "~alf") || u.sum.Failed != 1 {
		t.Errorf("summary: %+v", u.sum)
	}
}
