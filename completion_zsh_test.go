//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCompletionZshInteractive types into a real zsh (in tmux) with the
// generated script on its fpath, pressing Tab as a user would.
func TestCompletionZshInteractive(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not on PATH: the zsh completion script cannot be tried")
	}
	dir := t.TempDir()
	if err := os.Symlink(pipupBinary(t), filepath.Join(dir, "pipup")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "_pipup"), []byte(scriptText(t, "zsh")), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "HOME=" + dir, "TERM=xterm", "LC_ALL=C.UTF-8"}
	s := startTmux(t, env, 120, 30, "zsh", "-f")
	s.keys("fpath=(" + dir + " $fpath); autoload -U compinit; compinit -u -d " + dir + "/zcompdump; PS1='ready%% '")
	s.keys("Enter")
	s.waitFor("ready%", 10*time.Second)
	for _, tc := range []struct{ typed, want string }{
		{"pipup ", "-- upgrade packages"},
		{"pipup upgrade --y", "-- do not ask for confirmation"},
		{"pipup completion ", "fish"},
		{"pipup list --pro", "--proxy"},
		{"pipup cache ", "-- where the HTTP cache is"},
		{"pipup cache info --j", "pipup cache info --json"},
		{"pipup cache clean --", "--older-than"},
	} {
		s.keys("C-u", tc.typed, "Tab")
		s.waitFor(tc.want, 10*time.Second)
		s.keys("C-c")
	}
}
