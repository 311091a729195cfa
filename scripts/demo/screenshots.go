package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// screenshots drives pipup in a detached tmux window and saves three
// screens: the table (with one major upgrade ticked), the upgrade in
// progress and the summary.
func screenshots(out, dir string, env []string, bin string, args []string) error {
	if _, err := exec.LookPath("tmux"); err != nil {
		return fmt.Errorf("-screenshots needs tmux: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	t := tmux{sock: filepath.Join(dir, "tmux.sock")}
	quoted := []string{shellQuote(bin)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	// Colours as a truecolor terminal would get them.
	env = append(env, "COLORTERM=truecolor")
	cmd := exec.Command("tmux", "-S", t.sock, "-f", os.DevNull, "new-session", "-d", "-x", "110", "-y", "34",
		"sh", "-c", strings.Join(quoted, " ")+"; sleep 3600")
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tmux: %v: %s", err, b)
	}
	defer exec.Command("tmux", "-S", t.sock, "kill-server").Run()

	step("waiting for the table")
	if err := t.waitFor("outdated", time.Minute); err != nil {
		return err
	}
	// Tick the first major upgrade (after 11 patch and 9 minor ones) and
	// rest on it, so its details show.
	for range 20 {
		t.keys("Down")
	}
	t.keys("Space")
	time.Sleep(500 * time.Millisecond)
	if err := save(out, "choosing", t.capture()); err != nil {
		return err
	}
	t.keys("Enter")
	if err := t.waitFor("packages?", 10*time.Second); err != nil {
		return err
	}
	step("waiting for the plan to be checked")
	if err := t.waitFor("upgrade now", time.Minute); err != nil {
		return err
	}
	if err := save(out, "confirm", t.capture()); err != nil {
		return err
	}
	t.keys("Enter")
	step("waiting for the upgrade to be under way")
	if err := t.waitFor("installing", 2*time.Minute); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	if err := save(out, "upgrading", t.capture()); err != nil {
		return err
	}
	step("waiting for the summary")
	if err := t.waitFor("upgraded · ", 3*time.Minute); err != nil {
		return err
	}
	return save(out, "summary", t.capture())
}

type tmux struct{ sock string }

func (t tmux) run(args ...string) string {
	b, _ := exec.Command("tmux", append([]string{"-S", t.sock}, args...)...).Output()
	return string(b)
}

func (t tmux) keys(k string) {
	t.run("send-keys", k)
	time.Sleep(40 * time.Millisecond)
}

// capture is the pane with its colours, trailing blank lines dropped.
func (t tmux) capture() string {
	return strings.TrimRight(t.run("capture-pane", "-p", "-e"), "\n") + "\n"
}

func (t tmux) waitFor(text string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !strings.Contains(t.run("capture-pane", "-p"), text) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the screen never showed %q; it shows:\n%s", text, t.run("capture-pane", "-p"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// monoFont has the braille glyphs of the spinners, which freeze's own font
// lacks.
const monoFont = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

// save writes NAME.ansi, NAME.svg when freeze is there and NAME.png when
// rsvg-convert is too.
func save(dir, name, screen string) error {
	ansi := filepath.Join(dir, name+".ansi")
	if err := os.WriteFile(ansi, []byte(screen), 0o644); err != nil {
		return err
	}
	step("saved " + ansi)
	freeze, err := exec.LookPath("freeze")
	if err != nil {
		return nil
	}
	args := []string{"--language", "ansi", "--window", "--padding", "20", "--font.size", "14",
		"--output", filepath.Join(dir, name+".svg")}
	if _, err := os.Stat(monoFont); err == nil {
		args = append(args, "--font.file", monoFont, "--font.family", "DejaVu Sans Mono")
	}
	cmd := exec.Command(freeze, args...)
	cmd.Stdin = strings.NewReader(screen)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("freeze %s.svg: %v: %s", name, err, b)
	}
	step("rendered " + name + ".svg with freeze")
	// A PNG for places that show SVGs badly, when librsvg is there.
	if rsvg, err := exec.LookPath("rsvg-convert"); err == nil {
		svg := filepath.Join(dir, name+".svg")
		if b, err := exec.Command(rsvg, "-w", "1400", "-o", filepath.Join(dir, name+".png"), svg).CombinedOutput(); err != nil {
			return fmt.Errorf("rsvg-convert %s: %v: %s", svg, err, b)
		}
		step("rendered " + name + ".png with rsvg-convert")
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
