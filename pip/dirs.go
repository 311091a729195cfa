package pip

import (
	"errors"
	"path/filepath"
	"strings"
)

// userDir is pipup's folder for kind ("cache" or "state") by the OS's
// conventions, from the environment given rather than the process's:
// $XDG_CACHE_HOME/pipup or $XDG_STATE_HOME/pipup when set to an absolute
// path, on every OS, as os.UserCacheDir honours XDG on Unix; else
// ~/.cache and ~/.local/state on Linux and other Unix, ~/Library/Caches
// and ~/Library/Application Support on macOS, and %LOCALAPPDATA%\pipup\
// cache or state on Windows (one pipup folder there, so kept apart).
//
// home is the home folder as Python's expanduser finds it (homeOf): the
// caller's, never the process's.
func userDir(kind, goos string, getenv func(string) string, home string) (string, error) {
	xdg := map[string]string{"cache": "XDG_CACHE_HOME", "state": "XDG_STATE_HOME"}[kind]
	if d := getenv(xdg); d != "" && (filepath.IsAbs(d) || strings.HasPrefix(d, "/")) {
		return joinFor(goos, d, "pipup"), nil
	}
	switch goos {
	case "windows":
		local := getenv("LOCALAPPDATA")
		if local == "" {
			if home == "" {
				return "", errors.New(kind + " folder: neither %LOCALAPPDATA% nor %USERPROFILE% is set")
			}
			local = joinFor(goos, joinFor(goos, home, "AppData"), "Local")
		}
		return joinFor(goos, joinFor(goos, local, "pipup"), kind), nil
	}
	if home == "" {
		return "", errors.New(kind + " folder: $HOME is not set (set $" + xdg + ")")
	}
	if goos == "darwin" || goos == "ios" {
		if kind == "cache" {
			return filepath.Join(home, "Library", "Caches", "pipup"), nil
		}
		return filepath.Join(home, "Library", "Application Support", "pipup"), nil
	}
	if kind == "cache" {
		return filepath.Join(home, ".cache", "pipup"), nil
	}
	return filepath.Join(home, ".local", "state", "pipup"), nil
}

// joinFor joins path elements with goos's separator, so that Windows paths
// come out right when computed (and tested) elsewhere.
func joinFor(goos, dir, name string) string {
	if goos != "windows" {
		return filepath.Join(dir, name)
	}
	return winJoin(dir, name)
}

// winJoin is ntpath.join(dir, name) for a relative name: a backslash
// between them unless dir is empty or already ends in a separator.
func winJoin(dir, name string) string {
	if dir == "" || strings.HasSuffix(dir, `\`) || strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + `\` + name
}

// legacyStateDirs are state folders older pipup builds wrote snapshots to
// where userDir now names another: on macOS, ~/.local/state/pipup (as on
// Linux) before the move to ~/Library/Application Support/pipup. With
// $XDG_STATE_HOME set nothing moved. They are only read (undo and history
// find an older build's snapshots there); pipup writes to userDir's.
func legacyStateDirs(goos string, getenv func(string) string, home string) []string {
	if (goos != "darwin" && goos != "ios") || home == "" {
		return nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && (filepath.IsAbs(d) || strings.HasPrefix(d, "/")) {
		return nil
	}
	return []string{filepath.Join(home, ".local", "state", "pipup")}
}
