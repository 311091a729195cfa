package pip

import (
	"os"
	"runtime"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
)

// configPaths are pip's configuration file locations on one platform.
type configPaths struct {
	base         string // "pip.conf", or "pip.ini" on Windows
	global, user []string
	join         func(dir, name string) string
}

// configLocations is pip's site_config_dirs, legacy file and
// user_config_dir for in.GOOS. root prefixes the Unix system directories
// (tests point it at a temporary tree).
func configLocations(in ConfigInput, env environ, root string) configPaths {
	goos := in.GOOS
	if goos == "" {
		goos = runtime.GOOS
	}
	switch goos {
	case "windows":
		return windowsConfigPaths(in, env)
	case "darwin", "ios":
		return darwinConfigPaths(in, root)
	}
	return unixConfigPaths(in, env, root)
}

func unixConfigPaths(in ConfigInput, env environ, root string) configPaths {
	p := configPaths{base: "pip.conf", join: pyport.Join}
	dirs, _ := env.get("XDG_CONFIG_DIRS")
	if pyport.Strip(dirs) == "" {
		dirs = root + "/etc/xdg"
	}
	for _, d := range strings.Split(dirs, ":") {
		p.global = append(p.global, pyport.Join(pyport.Join(pyport.ExpandUser(d, in.Home), "pip"), p.base))
	}
	p.global = append(p.global, pyport.Join(root+"/etc", p.base))
	xdgHome, _ := env.get("XDG_CONFIG_HOME")
	if pyport.Strip(xdgHome) == "" {
		xdgHome = pyport.ExpandUser("~/.config", in.Home)
	}
	p.user = []string{
		pyport.Join(pyport.Join(pyport.ExpandUser("~", in.Home), ".pip"), p.base),
		pyport.Join(pyport.Join(xdgHome, "pip"), p.base),
	}
	return p
}

// darwinConfigPaths: platformdirs' macOS site and user data directories;
// pip takes ~/Library/Application Support/pip only when that directory
// exists, else the Linux-like ~/.config/pip (XDG variables play no part).
func darwinConfigPaths(in ConfigInput, root string) configPaths {
	p := configPaths{base: "pip.conf", join: pyport.Join}
	home := pyport.ExpandUser("~", in.Home)
	// Newer pips (platformdirs 4) read a Homebrew Python's
	// <prefix>/share/pip/pip.conf first; older ones never see that file.
	if before, _, ok := strings.Cut(in.Prefix, "/opt/python"); ok {
		p.global = append(p.global, pyport.Join(root+before+"/share/pip", p.base))
	}
	p.global = append(p.global, pyport.Join(root+"/Library/Application Support/pip", p.base))
	userDir := pyport.Join(home, "Library/Application Support/pip")
	if st, err := os.Stat(userDir); err != nil || !st.IsDir() {
		userDir = pyport.Join(home, ".config/pip")
	}
	p.user = []string{
		pyport.Join(pyport.Join(home, ".pip"), p.base),
		pyport.Join(userDir, p.base),
	}
	return p
}

// windowsConfigPaths: %ProgramData%\pip\pip.ini (CSIDL_COMMON_APPDATA),
// the legacy %USERPROFILE%\pip\pip.ini and %APPDATA%\pip\pip.ini
// (CSIDL_APPDATA, roaming). The folders come from the environment, which
// Windows sets to the known folders; platformdirs asks the shell API,
// which agrees unless a user redirected them.
func windowsConfigPaths(in ConfigInput, env environ) configPaths {
	join := winJoin
	p := configPaths{base: "pip.ini", join: join}
	home := in.Home
	if home == "" {
		home, _ = env.get("USERPROFILE")
	}
	programData, _ := env.get("PROGRAMDATA")
	if programData == "" {
		programData, _ = env.get("ALLUSERSPROFILE")
	}
	if programData == "" {
		programData = `C:\ProgramData`
	}
	appData, _ := env.get("APPDATA")
	if appData == "" {
		appData = join(join(home, "AppData"), "Roaming")
	}
	p.global = []string{join(join(programData, "pip"), p.base)}
	p.user = []string{join(join(home, "pip"), p.base), join(join(appData, "pip"), p.base)}
	return p
}
