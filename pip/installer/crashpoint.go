package installer

// CrashAt returns opts set to stop the commit dead at its step-th step
// (1 is before the first move), as a SIGKILL there would: nothing is
// rolled back, the staging directory and its journal stay for Recover,
// and Install returns an error. It exists for the tests of other
// packages, which need a real half-swapped environment to check that
// their commands recover it first; this package's own tests set the hook
// directly. No command of pipup calls it.
func CrashAt(opts Options, step int) Options {
	opts.commitHook = func(n int) error {
		if n == step {
			return errCrash
		}
		return nil
	}
	return opts
}
