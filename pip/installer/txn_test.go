package installer

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// TestStagingIsFlat looks into the staging directory at the first step
// of a real commit: new files wait in one directory per destination
// directory (n<k>, the .pyc-less fake env has no __pycache__), and the
// journal names each new file's staged path in the flat format that
// TestCrashAtEveryStep and TestSIGKILLAtSeededSteps then recover.
func TestStagingIsFlat(t *testing.T) {
	tg := fakeEnv(t)
	info := installOld(t, tg)
	whl := writeSpec(t, newSpec())
	var entries []string
	var j journal
	var destDirs = map[string]bool{}
	_, err := Install(context.Background(), tg, whl, Options{Old: info, NoCompile: true, commitHook: func(n int) error {
		if n != 1 {
			return nil
		}
		dirs, _ := filepath.Glob(filepath.Join(tg.Root, stagePrefix+"*"))
		if len(dirs) != 1 {
			t.Fatalf("staging directories: %v", dirs)
		}
		err := filepath.WalkDir(dirs[0], func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dirs[0], p)
			entries = append(entries, rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[0], journalName))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if j.Format != journalFormat || len(j.New) == 0 {
		t.Fatalf("journal = %+v", j)
	}
	for _, nf := range j.New {
		destDirs[filepath.Dir(nf[0])] = true
		if strings.Count(nf[1], string(filepath.Separator)) != 1 || !strings.HasPrefix(nf[1], "n") || filepath.Base(nf[1]) != filepath.Base(nf[0]) {
			t.Errorf("%s staged as %s, want n<k>/%s", nf[0], nf[1], filepath.Base(nf[0]))
		}
	}
	nDirs := 0
	for _, e := range entries {
		if strings.HasPrefix(e, "n") && !strings.Contains(e, string(filepath.Separator)) {
			nDirs++
		}
		if strings.Count(e, string(filepath.Separator)) > 1 {
			t.Errorf("staging entry %s is deeper than n<k>/<file>", e)
		}
	}
	if nDirs != len(destDirs) {
		t.Errorf("%d staging directories for %d destination directories: %v", nDirs, len(destDirs), entries)
	}
	if left, _ := filepath.Glob(filepath.Join(tg.Root, stagePrefix+"*")); len(left) > 0 {
		t.Errorf("staging directories left after the install: %v", left)
	}
}

// legacyOps lays out a transaction of the journal format before
// journalFormat (files mirrored under new/ and old/) that replaces
// victim/__init__.py, removes victim/gone.py and adds fresh/mod.py (in a
// directory the commit makes), and returns its commit's moves in order,
// the last one the COMMITTED mark.
func legacyOps(t *testing.T, tg Target) (tx string, ops []func() error) {
	t.Helper()
	site, _ := filepath.Rel(tg.Root, tg.Scheme.Purelib)
	rel := func(p string) string { return filepath.Join(site, filepath.FromSlash(p)) }
	for p, content := range map[string]string{"victim/__init__.py": "v = 1\n", "victim/gone.py": "gone\n"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tg.Root, rel(p))), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tg.Root, rel(p)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tx = filepath.Join(tg.Root, stagePrefix+"victim-2.0-legacy")
	news := map[string]string{rel("victim/__init__.py"): "v = 2\n", rel("fresh/mod.py"): "m = 1\n"}
	for r, content := range news {
		p := filepath.Join(tx, "new", r)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j := legacyJournal{
		New:      []string{rel("victim/__init__.py"), rel("fresh/mod.py")},
		Aside:    []string{rel("victim/__init__.py"), rel("victim/gone.py")},
		MadeDirs: []string{filepath.Join(tg.Scheme.Purelib, "fresh")},
	}
	b, _ := json.Marshal(j)
	if err := os.WriteFile(filepath.Join(tx, journalName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	move := func(from, to string) func() error {
		return func() error {
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				return err
			}
			return os.Rename(from, to)
		}
	}
	for _, r := range j.Aside {
		ops = append(ops, move(filepath.Join(tg.Root, r), filepath.Join(tx, "old", r)))
	}
	for _, r := range j.New {
		ops = append(ops, move(filepath.Join(tx, "new", r), filepath.Join(tg.Root, r)))
	}
	ops = append(ops, func() error { return os.WriteFile(filepath.Join(tx, committedName), nil, 0o600) })
	return tx, ops
}

// TestRecoverLegacyJournal: a staging directory left by a pipup of the
// mirrored layout, killed after each of its commit's moves, is rolled
// back to the old version or (once marked committed) cleaned up to the
// new one.
func TestRecoverLegacyJournal(t *testing.T) {
	want := func(t *testing.T, committed bool) map[string]string {
		tg := fakeEnv(t)
		_, ops := legacyOps(t, tg)
		if committed {
			for _, op := range ops {
				if err := op(); err != nil {
					t.Fatal(err)
				}
			}
		}
		os.RemoveAll(filepath.Join(tg.Root, stagePrefix+"victim-2.0-legacy"))
		return treeState(t, tg.Root)
	}
	oldState, newState := want(t, false), want(t, true)
	if len(diffStates(oldState, newState)) == 0 {
		t.Fatal("the old and new states are the same: the test checks nothing")
	}
	_, ops := legacyOps(t, fakeEnv(t))
	for done := 0; done <= len(ops); done++ {
		tg := fakeEnv(t)
		tx, ops := legacyOps(t, tg)
		for _, op := range ops[:done] {
			if err := op(); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Recover(tg.Root)
		if err != nil || len(got) != 1 || got[0] != tx {
			t.Fatalf("after %d moves: recover = %v, %v", done, got, err)
		}
		expect, name := oldState, "old"
		if done == len(ops) {
			expect, name = newState, "new"
		}
		if d := diffStates(expect, treeState(t, tg.Root)); len(d) > 0 {
			t.Errorf("after %d moves: not the %s version: %v", done, name, d)
		}
	}
}

// TestRecoverRefusesJournal: a journal Recover cannot follow safely is
// refused with the reason, and nothing is moved or deleted.
func TestRecoverRefusesJournal(t *testing.T) {
	tests := []struct {
		name, journal, want string
	}{
		{"a newer format", `{"format": 99, "new": {"x": 1}}`, "journal format 99 is not one this pipup knows"},
		{"a staged path leaving the staging directory", `{"format": 2, "new": [["lib/x.py", "../../etc/x.py"]], "aside": []}`, "outside the staging directory"},
		{"a new file outside the environment", `{"format": 2, "new": [["../x.py", "n0/x.py"]], "aside": []}`, "outside the environment"},
		{"an aside path outside the environment", `{"format": 2, "new": [], "aside": ["/etc/passwd"]}`, "outside the environment"},
		{"not JSON", `{"format": `, "unreadable journal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := fakeEnv(t)
			tx := filepath.Join(tg.Root, stagePrefix+"x-1")
			if err := os.MkdirAll(filepath.Join(tx, "n0"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tx, journalName), []byte(tc.journal), 0o600); err != nil {
				t.Fatal(err)
			}
			before := treeState(t, tg.Root)
			done, err := Recover(tg.Root)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("recover = %v, %v; want an error with %q", done, err, tc.want)
			}
			if len(done) != 0 {
				t.Errorf("recover claims to have handled %v", done)
			}
			after := treeState(t, tg.Root)
			delete(after, filepath.Join(filepath.Base(tx), lockName)) // filelock.TryLock creates it
			if d := diffStates(before, after); len(d) > 0 {
				t.Errorf("recover changed the environment: %v", d)
			}
		})
	}
}

// TestRollbackRestoresFileWhereDirWasMade: the new version needs a
// directory where the old one had a file (the data file victim/mod becomes the
// package victim/mod/); a failure after that directory is made restores
// the file, as the directory goes first.
func TestRollbackRestoresFileWhereDirWasMade(t *testing.T) {
	tg := fakeEnv(t)
	oldWhl := writeSpec(t, oldSpecWith("victim/mod", "a data file\n"))
	res, err := Install(context.Background(), tg, oldWhl, Options{NoCompile: true})
	if err != nil {
		t.Fatal(err)
	}
	before := treeState(t, tg.Root)
	s := newSpec()
	s.Files["victim/mod/__init__.py"] = "m = 2\n"
	whl := writeSpec(t, s)
	for _, fail := range []error{errors.New("injected"), errCrash} {
		_, err := Install(context.Background(), tg, whl, Options{Old: res.DistInfo, NoCompile: true, commitHook: func(n int) error {
			if _, err := os.Stat(filepath.Join(tg.Scheme.Purelib, "victim", "mod", "__init__.py")); err == nil {
				return fail // once the new package file is in place
			}
			return nil
		}})
		if !errors.Is(err, fail) {
			t.Fatalf("install = %v, want %v", err, fail)
		}
		if errors.Is(fail, errCrash) {
			if _, err := Recover(tg.Root); err != nil {
				t.Fatal(err)
			}
		}
		if d := diffStates(before, treeState(t, tg.Root)); len(d) > 0 {
			t.Errorf("%v: not rolled back: %v", fail, d)
		}
	}
	if _, err := Install(context.Background(), tg, whl, Options{Old: res.DistInfo, NoCompile: true}); err != nil {
		t.Fatalf("the upgrade itself: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(tg.Scheme.Purelib, "victim", "mod")); err != nil || !fi.IsDir() {
		t.Errorf("victim/mod is not the new package: %v", err)
	}
}

func oldSpecWith(path, content string) (s pypitest.WheelSpec) {
	s = oldSpec
	s.Files = map[string]string{}
	for k, v := range oldSpec.Files {
		s.Files[k] = v
	}
	s.Files[path] = content
	return s
}

// TestCommitRemakesVanishedDir: a directory the commit saw when it
// prepared, removed before a new file goes in (a package installing
// beside it pruned its old version's directory), is made again; and a
// rollback removes it again. When the old version had a file there, the
// symlink check already knows the directory and the rename is what finds
// it gone; otherwise the check does.
func TestCommitRemakesVanishedDir(t *testing.T) {
	tests := []struct {
		name         string
		oldHasShared bool
		fail         bool
	}{
		{"found by the check", false, false},
		{"found by the check, rolled back", false, true},
		{"found by the rename", true, false},
		{"found by the rename, rolled back", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSpec()
			s.Files["shared/y.py"] = "y = 1\n"
			whl := writeSpec(t, s)
			tg := fakeEnv(t)
			old := oldSpec
			if tc.oldHasShared {
				old = oldSpecWith("shared/z.txt", "z\n")
			}
			res, err := Install(context.Background(), tg, writeSpec(t, old), Options{NoCompile: true})
			if err != nil {
				t.Fatal(err)
			}
			shared := filepath.Join(tg.Scheme.Purelib, "shared")
			if err := os.MkdirAll(shared, 0o755); err != nil {
				t.Fatal(err)
			}
			before := treeState(t, tg.Root)
			injected := errors.New("injected")
			_, err = Install(context.Background(), tg, whl, Options{Old: res.DistInfo, NoCompile: true, commitHook: func(n int) error {
				if n == 1 {
					os.RemoveAll(shared) // the other package's prune
				}
				if _, err := os.Stat(filepath.Join(shared, "y.py")); err == nil && tc.fail {
					return injected
				}
				return nil
			}})
			if !tc.fail {
				if err != nil {
					t.Fatalf("install: %v", err)
				}
				if _, err := os.Stat(filepath.Join(shared, "y.py")); err != nil {
					t.Errorf("shared/y.py not installed: %v", err)
				}
				return
			}
			if !errors.Is(err, injected) {
				t.Fatalf("install = %v, want the injected failure", err)
			}
			want := map[string]string{}
			for k, v := range before {
				if !strings.Contains(k, "shared") {
					want[k] = v
				}
			}
			// The old version's RECORD lists shared/z.txt, gone with the
			// directory: compare the rest.
			if d := diffStates(want, treeState(t, tg.Root)); len(d) > 0 {
				t.Errorf("not rolled back (the remade directory included): %v", d)
			}
		})
	}
}
