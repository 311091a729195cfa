package settings

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestAddRemoveIgnore(t *testing.T) {
	for _, tc := range []struct {
		name, in, add, want string
	}{
		{"empty file", "", "numpy", "ignore = [\"numpy\"]\n"},
		{"only comments", "# my settings", "numpy", "# my settings\nignore = [\"numpy\"]\n"},
		{"after the last top-level key",
			"# top\npre = true # why\npin = { django = \"<5\", numpy = \"~=1.26\" }\n\n# end\n", "flask",
			"# top\npre = true # why\npin = { django = \"<5\", numpy = \"~=1.26\" }\nignore = [\"flask\"]\n\n# end\n"},
		{"before the first table", "# about pins\n[pin]\ndjango = \"<5\"\n", "flask",
			"ignore = [\"flask\"]\n# about pins\n[pin]\ndjango = \"<5\"\n"},
		{"empty list", "ignore = [] # none yet\n", "numpy", "ignore = [\"numpy\"] # none yet\n"},
		{"one line", "ignore = ['a', \"b\"]  # two\ncooldown = \"7d\"\n", "c",
			"ignore = ['a', \"b\", \"c\"]  # two\ncooldown = \"7d\"\n"},
		{"one line, trailing comma", "ignore = [\"a\",]\n", "c", "ignore = [\"a\", \"c\",]\n"},
		{"multi-line with commas and comments",
			"ignore = [\n    \"a\",  # broken wheels\n    \"b\", # pinned elsewhere\n]\npre = false\n", "c",
			"ignore = [\n    \"a\",  # broken wheels\n    \"b\", # pinned elsewhere\n    \"c\",\n]\npre = false\n"},
		{"multi-line without trailing comma",
			"ignore = [\n  \"a\",\n  \"b\"\n]\n", "c",
			"ignore = [\n  \"a\",\n  \"b\",\n  \"c\"\n]\n"},
		{"multi-line, bracket after the last", "ignore = [\n  \"a\",\n  \"b\"]\n", "c",
			"ignore = [\n  \"a\",\n  \"b\", \"c\"]\n"},
		{"no final newline", "pre = true", "a", "pre = true\nignore = [\"a\"]\n"},
		{"CRLF file", "pre = true\r\nignore = [\r\n  \"a\",\r\n]\r\n", "b", "pre = true\r\nignore = [\r\n  \"a\",\r\n  \"b\",\r\n]\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed, err := addIgnore([]byte(tc.in), tc.add)
			if err != nil || !changed || string(got) != tc.want {
				t.Fatalf("add %q: changed %v, err %v\ngot:\n%s\nwant:\n%s", tc.add, changed, err, got, tc.want)
			}
			// The result loads, with the name ignored.
			path := filepath.Join(t.TempDir(), "config.toml")
			write(t, path, string(got))
			f, err := readFile(path, false)
			if err != nil || f == nil {
				t.Fatalf("edited file does not load: %v", err)
			}
			if _, ok := f.ignore[canonical(tc.add)]; !ok {
				t.Errorf("edited file does not ignore %s", tc.add)
			}
			// Adding again changes nothing, in any spelling.
			if again, changed, err := addIgnore(got, strings.ToUpper(tc.add)); err != nil || changed || string(again) != string(got) {
				t.Errorf("second add changed the file: %v %v\n%s", changed, err, again)
			}
			// Taking it back gives the list as it was (an added key stays, empty).
			back, changed, err := removeIgnore(got, tc.add)
			if err != nil || !changed {
				t.Fatalf("remove: %v %v", changed, err)
			}
			want := tc.in
			if !strings.Contains(tc.in, "ignore") {
				want = strings.Replace(tc.want, "[\""+tc.add+"\"]", "[]", 1)
			}
			if tc.name == "multi-line without trailing comma" {
				want = strings.Replace(tc.in, `"b"`, `"b",`, 1) // the comma added before the new line stays
			}
			if string(back) != want {
				t.Errorf("remove after add:\ngot:\n%q\nwant:\n%q", back, want)
			}
		})
	}
}

func TestRemoveIgnore(t *testing.T) {
	for _, tc := range []struct {
		name, in, remove, want string
		changed                bool
	}{
		{"first of a line", "ignore = [\"a\", \"b\", \"c\"]\n", "a", "ignore = [\"b\", \"c\"]\n", true},
		{"middle of a line", "ignore = [\"a\", \"b\", \"c\"]\n", "B", "ignore = [\"a\", \"c\"]\n", true},
		{"last of a line", "ignore = [\"a\", \"b\"] # keep\n", "b", "ignore = [\"a\"] # keep\n", true},
		{"only one", "ignore = [\"a\"]\n", "a", "ignore = []\n", true},
		{"its line and comment", "ignore = [\n  \"a\",  # why a\n  \"b\", # why b\n]\n", "a", "ignore = [\n  \"b\", # why b\n]\n", true},
		{"every spelling", "ignore = [\"Foo_Bar\", \"x\", \"foo.bar\"]\n", "foo-bar", "ignore = [\"x\"]\n", true},
		{"not there", "# c\nignore = [\"a\"]\n", "b", "# c\nignore = [\"a\"]\n", false},
		{"no list", "pre = true\n", "a", "pre = true\n", false},
		{"empty", "", "a", "", false},
		{"a table's ignore is not the list", "[x]\nignore = [\"a\"]\n", "a", "[x]\nignore = [\"a\"]\n", false},
	} {
		got, changed, err := removeIgnore([]byte(tc.in), tc.remove)
		if err != nil || changed != tc.changed || string(got) != tc.want {
			t.Errorf("%s: changed %v, err %v\ngot:\n%q\nwant:\n%q", tc.name, changed, err, got, tc.want)
		}
	}
}

func TestIgnoreEditRefusals(t *testing.T) {
	for _, in := range []string{
		"ignore = \"a\"\n",
		"ignore = [1]\n",
		"ignore = [\"a\"\n",
		"ignore.x = 1\n",
	} {
		if _, _, err := addIgnore([]byte(in), "b"); err == nil {
			t.Errorf("add to %q: no error", in)
		}
	}
}

func TestIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipup", "config.toml")
	// A missing file and folder are created.
	if changed, err := AddIgnore(path, "numpy"); err != nil || !changed {
		t.Fatalf("AddIgnore on a missing file: %v %v", changed, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "ignore = [\"numpy\"]\n" {
		t.Errorf("new file:\n%s", b)
	}
	if st, err := os.Stat(path); runtime.GOOS != "windows" && (err != nil || st.Mode().Perm() != 0o644) {
		t.Errorf("new file's mode %v, %v; want 0644 as before", st.Mode(), err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if changed, err := AddIgnore(path, "pandas"); err != nil || !changed {
		t.Fatalf("second AddIgnore: %v %v", changed, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode not kept: %v %v", st.Mode(), err)
	}
	if changed, err := RemoveIgnore(path, "NumPy"); err != nil || !changed {
		t.Fatalf("RemoveIgnore: %v %v", changed, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "ignore = [\"pandas\"]\n" {
		t.Errorf("after remove:\n%s", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the settings folder holds %d entries after three edits, want only config.toml", len(entries))
	}
	if changed, err := RemoveIgnore(filepath.Join(dir, "none.toml"), "x"); err != nil || changed {
		t.Errorf("RemoveIgnore on a missing file: %v %v", changed, err)
	}
	if _, err := AddIgnore(path, "not a name"); err == nil {
		t.Error("AddIgnore accepted a bad name")
	}
	// A file that does not parse is left alone, with a line saying so.
	write(t, path, "ignore = [\n")
	if _, err := AddIgnore(path, "x"); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("AddIgnore on a broken file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "ignore = [\n" {
		t.Errorf("broken file changed:\n%s", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
