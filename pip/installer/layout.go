package installer

import (
	"archive/zip"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// fileKind says how a planned file gets its content and mode.
type fileKind int

const (
	kindMember    fileKind = iota // copied from the archive
	kindScript                    // from .data/scripts: "#!python" rewritten (pip's fix_script)
	kindWrapper                   // an entry point wrapper (generated, executable)
	kindGenerated                 // INSTALLER, REQUESTED, RECORD (generated, plain)
)

// plannedFile is one file the install writes.
type plannedFile struct {
	kind    fileKind
	member  *zip.File // for kindMember and kindScript
	content []byte    // for kindWrapper and kindGenerated
	dest    string    // absolute final path
}

// layout maps the wheel onto the target as pip's _install_wheel does:
// root files to purelib or platlib (Root-Is-Purelib), NAME.data/KEY/...
// to the scheme's KEY directory, .data/scripts files that setuptools made
// for an entry point skipped (pip generates its own), then the wrappers.
// It returns the library directory RECORD paths are relative to.
func (w *Wheel) layout(t *Target, metaName string) (libDir string, files []plannedFile, err error) {
	libDir = t.Scheme.Platlib
	if w.RootIsPurelib {
		libDir = t.Scheme.Purelib
	}
	schemeDirs := t.schemeDirs()
	schemeDirs["headers"] = filepath.Join(t.Scheme.Headers, metaName)

	console, gui, err := w.entryPoints()
	if err != nil {
		return "", nil, err
	}
	isWrapperName := func(name string) bool {
		lower := strings.ToLower(name)
		switch {
		case strings.HasSuffix(lower, ".exe"), strings.HasSuffix(lower, ".pya"):
			name = name[:len(name)-4]
		case strings.HasSuffix(lower, "-script.py"):
			name = name[:len(name)-10]
		}
		for _, ep := range console {
			if ep.Name == name {
				return true
			}
		}
		for _, ep := range gui {
			if ep.Name == name {
				return true
			}
		}
		return false
	}

	var root, other, scripts []plannedFile
	for _, f := range w.members {
		clean := path.Clean(f.Name)
		top, rest, _ := strings.Cut(clean, "/")
		if !strings.HasSuffix(top, ".data") {
			root = append(root, plannedFile{kind: kindMember, member: f, dest: filepath.Join(libDir, filepath.FromSlash(clean))})
			continue
		}
		key, sub, ok := strings.Cut(rest, "/")
		if !ok || sub == "" {
			return "", nil, fmt.Errorf("wheel %s: unexpected file %q: .data directory contents should be named like '<scheme key>/<path>'", baseName(w.Path), f.Name)
		}
		dir, known := schemeDirs[key]
		if !known {
			return "", nil, fmt.Errorf("wheel %s: unknown scheme key %q (for file %q): .data directory contents should be in subdirectories named data, headers, platlib, purelib or scripts", baseName(w.Path), key, f.Name)
		}
		dest := filepath.Join(dir, filepath.FromSlash(sub))
		if !Within(dir, dest) {
			return "", nil, fmt.Errorf("wheel %s: file %q would be installed outside %s", baseName(w.Path), f.Name, dir)
		}
		if key != "scripts" {
			other = append(other, plannedFile{kind: kindMember, member: f, dest: dest})
			continue
		}
		if isWrapperName(filepath.Base(dest)) {
			continue // setuptools' own wrapper for an entry point: pip ignores it
		}
		scripts = append(scripts, plannedFile{kind: kindScript, member: f, dest: dest})
	}
	files = append(append(append(files, root...), other...), scripts...)

	tmpl := scriptTemplate(t.PipVersion, t.Version)
	shebang := Shebang(t.Python, isDarwin())
	for _, group := range [][]EntryPoint{consoleScriptSpecs(console, t.Version, t.getenv), gui} {
		for _, ep := range group {
			wr, err := parseWrapper(ep)
			if err != nil {
				return "", nil, fmt.Errorf("wheel %s: %w", baseName(w.Path), err)
			}
			dest := filepath.Join(t.Scheme.Scripts, wr.name)
			if !Within(t.Scheme.Scripts, dest) || dest == filepath.Clean(t.Scheme.Scripts) {
				return "", nil, fmt.Errorf("wheel %s: invalid script entry point name %q: the script would be installed outside the scripts directory", baseName(w.Path), wr.name)
			}
			files = append(files, plannedFile{kind: kindWrapper, content: scriptText(tmpl, shebang, wr), dest: dest})
		}
	}
	for _, f := range files {
		if !Within(t.Root, f.dest) {
			return "", nil, fmt.Errorf("wheel %s: %s is outside the environment %s", baseName(w.Path), f.dest, t.Root)
		}
	}
	return libDir, files, nil
}

// entryPoints reads the console and GUI scripts of the wheel.
func (w *Wheel) entryPoints() (console, gui []EntryPoint, err error) {
	name := w.DistInfo + "/entry_points.txt"
	if _, ok := w.byName[name]; !ok {
		return nil, nil, nil
	}
	b, err := w.readSmall(name)
	if err != nil {
		return nil, nil, fmt.Errorf("wheel %s: %w", baseName(w.Path), err)
	}
	return parseEntryPoints(string(b))
}

// metadataName is METADATA's Name (pip names the headers directory after
// the project), falling back to the .dist-info name.
func (w *Wheel) metadataName() string {
	b, err := w.readSmall(w.DistInfo + "/METADATA")
	if err == nil {
		if n := parseHeaders(b)["name"]; n != "" {
			return n
		}
	}
	return w.Name
}

// Destinations lists every file an install of w into t would write,
// wrappers and .dist-info files included but not the .pyc files (which
// sit in __pycache__ beside each .py). Callers use it to find two
// distributions that would write the same file, and install those one
// after the other.
func (w *Wheel) Destinations(t Target) ([]string, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	libDir, files, err := w.layout(&t, w.metadataName())
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(files)+3)
	for _, f := range files {
		out = append(out, f.dest)
	}
	info := filepath.Join(libDir, w.DistInfo)
	return append(out, filepath.Join(info, "INSTALLER"), filepath.Join(info, "RECORD")), nil
}
