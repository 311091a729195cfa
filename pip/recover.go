package pip

import (
	"errors"
	"fmt"

	"github.com/pipup/pipup/pip/installer"
)

// Recover finishes or rolls back what an install killed mid-way (a
// SIGKILL, a crash, a power cut of the terminal) left in the environment,
// so that every distribution is whole again in its old or its new
// version. It returns the staging directories it handled; those of an
// install running now in another pipup are left alone.
//
// Every command that will change the environment calls it before it reads
// the installed distributions: a scan, a plan or a snapshot made from a
// half-swapped distribution would be wrong, and the snapshot would make
// the wrong state the one undo restores. Commands that must not write (a
// listing, a dry run) call PendingRecovery instead.
func (e *Env) Recover() ([]string, error) {
	if e.Interp == nil || e.Interp.Prefix == "" {
		return nil, errors.New("recover interrupted installs: no environment")
	}
	done, err := installer.Recover(e.Interp.Prefix)
	if len(done) > 0 || err != nil {
		e.forgetDists() // it changed the environment: read it again
	}
	if err != nil {
		return done, fmt.Errorf("an interrupted earlier install into %s could not be recovered: %w", e.Interp.Prefix, err)
	}
	return done, nil
}

// PendingRecovery lists the staging directories an interrupted install
// (or one running now in another pipup) left in the environment, touching
// nothing. While there are any, what is read of the environment may show
// a distribution half-replaced.
func (e *Env) PendingRecovery() ([]string, error) {
	if e.Interp == nil || e.Interp.Prefix == "" {
		return nil, nil
	}
	return installer.Pending(e.Interp.Prefix)
}

// PendingRecoveryNote is the line commands that only read print when
// PendingRecovery finds something.
const PendingRecoveryNote = "an interrupted install is pending recovery, so a package may read as half-replaced; pipup upgrade or pipup undo recovers it first"

// recoverFirst runs Recover before the run reads the environment, unless
// it is a dry run (which must not write).
func (u *upgrader) recoverFirst() error {
	if u.o.DryRun {
		return nil
	}
	_, err := u.e.Recover()
	return err
}
