package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/settings"
)

// The UI's `i` and `u`: the user's settings file is where a lasting
// "never offer me this" belongs (a project's [tool.pipup] is the
// project's to edit). settings edits the file keeping its other content
// and comments.

// userSettingsPath is the user's config.toml for this process.
func userSettingsPath() string {
	home, _ := os.UserHomeDir()
	return settings.UserPath(os.Environ(), home)
}

// uiIgnore adds name to the user's ignore list and says so in one line.
func uiIgnore(name string) (string, error) {
	path := userSettingsPath()
	added, err := settings.AddIgnore(path, name)
	if err != nil {
		return "", err
	}
	if !added {
		return fmt.Sprintf("%s was already ignored in %s.", name, path), nil
	}
	return fmt.Sprintf("%s is ignored from now on (added to %s).", name, path), nil
}

// uiUnignore takes name out of the user's ignore list. A package ignored by
// the project's file stays so: the error says where to take it out.
func uiUnignore(name string) (string, error) {
	path := userSettingsPath()
	removed, err := settings.RemoveIgnore(path, name)
	if err != nil {
		return "", err
	}
	if removed {
		return fmt.Sprintf("%s is offered again from the next run (taken out of %s).", name, path), nil
	}
	if s, err := loadSettings(); err == nil {
		if ig, ok := s.Ignore[pypi.Normalize(name)]; ok {
			return "", fmt.Errorf("it is ignored by %s: take it out there", ig.From)
		}
	}
	return "", errors.New("it is not in " + path)
}
