package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// TestCacheRunFolders: pipup cache info counts the run folders killed
// runs left (and those in use); clean removes the left ones (with
// --older-than, those that old), never one a live pipup holds.
func TestCacheRunFolders(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := cleanEnv(home)
	base := filepath.Join(home, ".cache", "pipup", "upgrade")
	now := time.Now()
	for name, age := range map[string]time.Duration{"run-old": 3 * 24 * time.Hour, "run-fresh": time.Hour, "run-live": 5 * 24 * time.Hour} {
		dir := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Join(dir, "wheels"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "wheels", "x-1.0-py3-none-any.whl"), make([]byte, 2048), 0o600); err != nil {
			t.Fatal(err)
		}
		l := flock.New(filepath.Join(dir, "lock"))
		if ok, err := l.TryLock(); err != nil || !ok {
			t.Fatalf("lock %s: %v %v", name, ok, err)
		}
		if name == "run-live" {
			t.Cleanup(func() { l.Close() }) // held, as by a pipup running now
		} else {
			l.Close()
		}
		if err := os.Chtimes(dir, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	left := func() []string {
		m, _ := filepath.Glob(filepath.Join(base, "run-*"))
		for i := range m {
			m[i] = filepath.Base(m[i])
		}
		sort.Strings(m)
		return m
	}

	s := &upgradeSetup{t: t, home: home, env: env}
	info := cacheInfoOf(t, s)
	if num(info, "run_folders_left") != 2 || num(info, "run_folders_in_use") != 1 || num(info, "run_folder_bytes") < 3*2048 {
		t.Errorf("cache info --json: %v", info)
	}
	text, _, _ := runCmd(t, env, pipupBinary(t), "cache", "info")
	if !strings.Contains(text, "2 folders left by interrupted runs, 1 in use") {
		t.Errorf("cache info:\n%s", text)
	}

	steps := []struct {
		args []string
		out  string
		left string
	}{
		{[]string{"--older-than", "1d"}, "Removed 1 run folder left by interrupted runs", "[run-fresh run-live]"},
		{nil, "Removed 1 run folder left by interrupted runs", "[run-live]"},
		{nil, "Removed 0 entries", "[run-live]"},
	}
	for _, st := range steps {
		out, errOut, code := runCmd(t, env, pipupBinary(t), append([]string{"cache", "clean"}, st.args...)...)
		if code != exitOK || !strings.Contains(out, st.out) {
			t.Errorf("cache clean %v: exit %d\n%s%s", st.args, code, out, errOut)
		}
		if got := strings.Join(left(), " "); "["+got+"]" != st.left {
			t.Errorf("after cache clean %v: %s left, want %s", st.args, got, st.left)
		}
	}
}
