//go:build unix

package pip

import (
	"bytes"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// endIfUnchanged stops pip's whole group, looks at its log and ends it if
// it has not started installing; otherwise it lets it go on. Stopping first
// makes the check race-free: pip logs the install line (flushed) before
// touching anything, so a stopped pip without that line has changed nothing.
func (p *pipProcess) endIfUnchanged() bool {
	pgid := p.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGSTOP); err != nil {
		return false // already gone
	}
	out, err := os.ReadFile(p.c.log)
	if err == nil && !bytes.Contains(out, []byte(installPhase)) {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		_ = syscall.Kill(-pgid, syscall.SIGCONT)
		return true
	}
	_ = syscall.Kill(-pgid, syscall.SIGCONT)
	return false
}

// end ends a run that cannot have changed the environment: SIGTERM to its
// group, then SIGKILL if it lingers.
func (p *pipProcess) end() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
