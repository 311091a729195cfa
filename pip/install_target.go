package pip

import (
	"context"
	"fmt"
	"strings"

	"github.com/pipup/pipup/pip/installer"
)

// HasScheme reports whether the inspection computed the install scheme
// (successfully or not): Open leaves it out unless the run may install.
func (in *Interpreter) HasScheme() bool { return in.SchemeSource != "" }

// InstallTarget is this interpreter's environment as the native installer
// writes into it: pip's install scheme for it, bounded by sys.prefix.
func (in *Interpreter) InstallTarget() (installer.Target, error) {
	if in.Scheme.Purelib == "" || strings.HasPrefix(in.SchemeSource, "error") {
		return installer.Target{}, fmt.Errorf("python %s: install scheme unknown (%s)", in.Executable, in.SchemeSource)
	}
	return installer.Target{
		Scheme:     in.Scheme,
		Root:       in.Prefix,
		Python:     in.Executable,
		Version:    [2]int{in.VersionInfo[0], in.VersionInfo[1]},
		CacheTag:   in.CacheTag,
		PipVersion: in.PipVersion,
	}, nil
}

// ensureScheme gives an Env opened without the install scheme (a "list"
// Env) its interpreter's scheme before anything is installed: one more
// inspection, with it, stored in the interpreter cache for the next run.
func (e *Env) ensureScheme(ctx context.Context) error {
	if e.Interp.HasScheme() {
		return nil
	}
	in, err := inspectCached(ctx, e.python, e.interpDir, interpFactsVersion(interpBootstrap, interpScript), e.environ, true)
	if err != nil {
		return fmt.Errorf("install scheme: %w", err)
	}
	e.Interp.Scheme, e.Interp.SchemeSource = in.Scheme, in.SchemeSource
	return nil
}
