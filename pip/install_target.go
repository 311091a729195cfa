package pip

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/pip/installer"
)

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
