package pip

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// readInfo reads a .dist-info or .egg-info directory's metadata the way
// importlib.metadata does: METADATA, else PKG-INFO, else the path itself
// when it is a file (an egg-info file). A directory with none of them has
// empty metadata: the caller falls back to the directory name.
func readInfo(path string) (Metadata, error) {
	for _, name := range []string{"METADATA", "PKG-INFO"} {
		md, err := readMetadataFile(filepath.Join(path, name))
		if err == nil {
			return md, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDirectory) && !errors.Is(err, errEmpty) {
			return Metadata{}, err
		}
	}
	md, err := readMetadataFile(path)
	if err != nil && !errors.Is(err, errIsDirectory) && !errors.Is(err, errEmpty) {
		return Metadata{}, err
	}
	return md, nil
}

var (
	errIsDirectory  = errors.New("is a directory")
	errNotDirectory = errors.New("not a directory")
	errEmpty        = errors.New("empty file")
)

// readMetadataFile parses a metadata file's headers. It skips the fstat
// that os.ReadFile would do: with ~1,000 distributions the syscalls are
// the whole cost, so a directory or an empty file is told from the read.
func readMetadataFile(path string) (Metadata, error) {
	f, err := openRead(path)
	if err != nil {
		if isNotDir(err) {
			return Metadata{}, errNotDirectory
		}
		return Metadata{}, err
	}
	defer f.Close()
	cr := &countingReader{r: f}
	md, err := ParseMetadata(cr)
	switch {
	case errors.Is(err, syscall.EISDIR):
		return Metadata{}, errIsDirectory
	case err != nil:
		return Metadata{}, fmt.Errorf("%s: %w", path, err)
	case cr.n == 0:
		return Metadata{}, errEmpty // importlib.metadata moves on to the next file
	}
	return md, nil
}

// openRead opens a file for reading with O_NONBLOCK. For a regular file the
// flag changes nothing but spares os.File four fcntl calls that switch the
// descriptor to non-blocking and back; that is most of the syscalls per
// distribution. It also keeps a FIFO named METADATA from hanging the scan.
func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// readFirstLine returns the first non-empty line within the first 4 KB of
// a small file such as INSTALLER, with one read call.
func readFirstLine(path string) string {
	f, err := openRead(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var buf [4096]byte
	n, _ := f.Read(buf[:]) // one call: enough for any real INSTALLER
	return firstLine(buf[:n])
}

// readSmallFile reads up to 1 MB of a file.
func readSmallFile(path string) ([]byte, error) {
	f, err := openRead(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// addRequiresTxt fills Requires-Dist and Provides-Extra from requires.txt
// (read by read, only when needed) when the metadata has none, each
// independently, as pip does. Egg-info directories and zipped eggs share it.
func addRequiresTxt(md *Metadata, read func() ([]byte, error)) {
	if len(md.RequiresDist) > 0 && len(md.ProvidesExtra) > 0 {
		return
	}
	b, err := read()
	if err != nil {
		return
	}
	if len(md.RequiresDist) == 0 {
		md.RequiresDist = eggInfoRequires(string(b))
	}
	if len(md.ProvidesExtra) == 0 {
		md.ProvidesExtra = eggInfoExtras(string(b))
	}
}

// requiresTxtIn reads dir's requires.txt.
func requiresTxtIn(dir string) func() ([]byte, error) {
	return func() ([]byte, error) { return os.ReadFile(filepath.Join(dir, "requires.txt")) }
}

// readZipEgg reads EGG-INFO/PKG-INFO (and requires.txt) from a zipped egg.
func readZipEgg(path string) (Metadata, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return Metadata{}, fmt.Errorf("egg %s: %w", path, err)
	}
	defer zr.Close()
	read := func(name string) ([]byte, error) {
		f, err := zr.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, 1<<20))
	}
	b, err := read("EGG-INFO/PKG-INFO")
	if err != nil {
		return Metadata{}, fmt.Errorf("egg %s: %w", path, err)
	}
	md, err := ParseMetadata(bytes.NewReader(b))
	if err != nil {
		return Metadata{}, err
	}
	addRequiresTxt(&md, func() ([]byte, error) { return read("EGG-INFO/requires.txt") })
	return md, nil
}

func firstLine(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
