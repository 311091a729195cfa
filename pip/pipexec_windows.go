//go:build windows

package pip

import (
	"os/exec"
	"syscall"
	"time"
)

// ownProcessGroup puts pip in a new console process group: Ctrl-C in the
// console goes to the group attached to it, not to pip.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// endIfUnchanged cannot be made race-free on Windows: there is no signal
// that pauses pip and its children while the log is read, and ending pip
// between its log line and its first change could leave the environment
// half-installed. So a timed-out run is never ended here; it is reported
// as timed out and left to finish, which is always safe.
func (p *pipProcess) endIfUnchanged() bool { return false }

// end ends a run that cannot have changed the environment. Windows has no
// process-group signal: pip itself is killed; a build backend it started
// may outlive it, but such runs never touch the environment.
func (p *pipProcess) end() {
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
	}
}
