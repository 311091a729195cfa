package piptest

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Unzip extracts the wheel (any zip) at path into dest, refusing entries
// that would land outside dest. Files are written 0644: enough for the
// pure-Python wheels tests use.
func Unzip(path, dest string) error {
	_, err := unzip(path, dest)
	return err
}

// unzip is Unzip that also reports the top-level *.dist-info directory.
func unzip(path, dest string) (distInfo string, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", fmt.Errorf("unzip: %w", err)
	}
	defer zr.Close()
	root := filepath.Clean(dest) + string(filepath.Separator)
	for _, f := range zr.File {
		p := filepath.Join(dest, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(p, root) {
			return "", fmt.Errorf("unzip %s: bad path %q", path, f.Name)
		}
		if d, _, ok := strings.Cut(f.Name, "/"); ok && strings.HasSuffix(d, ".dist-info") {
			distInfo = d
		}
		if f.FileInfo().IsDir() {
			continue
		}
		if err := writeFile(p, f.Open); err != nil {
			return "", fmt.Errorf("unzip %s: %w", path, err)
		}
	}
	return distInfo, nil
}

// writeFile creates dst, and its directory, with what open yields.
func writeFile(dst string, open func() (io.ReadCloser, error)) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// installWheel unpacks a pure-Python wheel into site-packages and marks it
// installed by pip, which is all ensurepip's result amounts to apart from
// console scripts and .pyc files.
func installWheel(whl, site string) error {
	distInfo, err := unzip(whl, site)
	if err != nil {
		return err
	}
	if distInfo == "" {
		return fmt.Errorf("%s: no .dist-info", whl)
	}
	return os.WriteFile(filepath.Join(site, distInfo, "INSTALLER"), []byte("pip\n"), 0o644)
}
