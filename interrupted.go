package main

import (
	"fmt"

	"github.com/pipup/pipup/pip"
)

// An earlier pipup killed mid-install leaves a staging directory and
// possibly a half-replaced distribution. A command that will change the
// environment recovers it first, before anything reads the installed
// distributions, so that its scan, plan and snapshot see every
// distribution whole. One that must not write (pipup list, a dry run)
// reads the environment as it is and says so on stderr, rather than
// moving files behind a read-only command's back (docs/INSTALLER.md).

// settleInterrupted is the choice for a command that writes unless dry.
func settleInterrupted(env *pip.Env, dry bool, io stdio) error {
	if dry {
		notePending(env, io)
		return nil
	}
	return recoverInterrupted(env, io)
}

// recoverInterrupted recovers, saying so when there was something to do.
func recoverInterrupted(env *pip.Env, io stdio) error {
	done, err := env.Recover()
	if err != nil {
		return err
	}
	if len(done) > 0 {
		fmt.Fprintf(io.err, "pipup: recovered %s an earlier pipup left interrupted; every package is whole again\n", plural(len(done), "install"))
	}
	return nil
}

// notePending says, once, that an interrupted install is pending.
func notePending(env *pip.Env, io stdio) {
	if pending, err := env.PendingRecovery(); err == nil && len(pending) > 0 {
		fmt.Fprintln(io.err, "pipup: note: "+pip.PendingRecoveryNote)
	}
}
