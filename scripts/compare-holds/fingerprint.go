package main

import (
	"context"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pipup/pipup/pip"
)

// envState is what must not change while the comparison runs: pip's own
// listing of the interpreter and every file's size, mode and mtime under
// its site-packages and scripts directories.
type envState struct {
	freeze      string
	freezeLines int
	roots       []string
	stat        map[string]string
	files       int
}

func fingerprint(ctx context.Context, in *pip.Interpreter) (envState, error) {
	cmd := exec.CommandContext(ctx, in.Executable, "-m", "pip", "list", "--format=freeze")
	b, err := cmd.Output()
	if err != nil {
		return envState{}, fmt.Errorf("pip list --format=freeze: %w", err)
	}
	s := envState{freeze: string(b), freezeLines: strings.Count(string(b), "\n"), stat: map[string]string{}}
	s.roots = append(append(s.roots, in.SitePackages...), filepath.Join(in.Prefix, "bin"))
	for _, root := range s.roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root {
					return nil // a site dir that does not exist
				}
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			s.stat[p] = fmt.Sprintf("%d %v %d", fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
			if !d.IsDir() {
				s.files++
			}
			return nil
		})
		if err != nil {
			return envState{}, fmt.Errorf("fingerprint %s: %w", root, err)
		}
	}
	return s, nil
}

// diff says what changed, "" when nothing did.
func (s envState) diff(t envState) string {
	var changes []string
	if s.freeze != t.freeze {
		changes = append(changes, "pip list --format=freeze differs")
	}
	for p, v := range s.stat {
		if w, ok := t.stat[p]; !ok {
			changes = append(changes, "removed "+p)
		} else if v != w {
			changes = append(changes, "modified "+p)
		}
	}
	for p := range t.stat {
		if _, ok := s.stat[p]; !ok {
			changes = append(changes, "added "+p)
		}
	}
	sort.Strings(changes)
	if len(changes) > 10 {
		changes = append(changes[:10], fmt.Sprintf("and %d more", len(changes)-10))
	}
	return strings.Join(changes, "; ")
}
