package installer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Wheel is an opened, structurally checked wheel archive. Its members'
// contents are checked against RECORD by Verify (or while Install stages
// them), not by OpenWheel.
type Wheel struct {
	// Path is the archive's file name as given to OpenWheel.
	Path string
	// Name and Version come from the .dist-info directory's name
	// ("foo_bar-1.0.dist-info" gives "foo_bar" and "1.0").
	Name, Version string
	// DistInfo and Data are the archive's top-level directory names
	// "NAME-VER.dist-info" and "NAME-VER.data".
	DistInfo, Data string
	// RootIsPurelib is the WHEEL file's Root-Is-Purelib.
	RootIsPurelib bool
	// Record is the archive's RECORD, as written.
	Record []RecordRow

	members []*zip.File          // regular files, in archive order
	byName  map[string]*zip.File // every member
	hashes  map[string]recordHash
	sizes   map[string]int64
	closer  io.Closer
}

// Close releases the archive.
func (w *Wheel) Close() error {
	if w.closer == nil {
		return nil
	}
	return w.closer.Close()
}

// OpenWheel opens and checks a wheel file. The checks are those that make
// an archive safe to write into an environment: no absolute, ".." or
// backslash member paths, no links or other special members, no duplicate
// names, exactly one .dist-info directory with WHEEL (Wheel-Version 1.x)
// and RECORD, every file listed in RECORD with an accepted hash, and no
// RECORD row whose path escapes the archive.
func OpenWheel(path string) (*Wheel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open wheel: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open wheel: %w", err)
	}
	w, err := readWheel(f, fi.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.closer = f
	return w, nil
}

// readWheel is OpenWheel on any io.ReaderAt (the fuzz target uses it).
func readWheel(r io.ReaderAt, size int64, name string) (*Wheel, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: not a valid zip archive: %v", baseName(name), err)
	}
	w := &Wheel{Path: name, byName: make(map[string]*zip.File, len(zr.File))}
	fail := func(format string, args ...any) (*Wheel, error) {
		return nil, fmt.Errorf("wheel %s: "+format, append([]any{baseName(name)}, args...)...)
	}
	infoDirs := map[string]bool{}
	for _, f := range zr.File {
		if reason := unsafeMemberPath(f.Name); reason != "" {
			return fail("member %q refused: %s", f.Name, reason)
		}
		if _, dup := w.byName[f.Name]; dup {
			return fail("member %q appears twice", f.Name)
		}
		w.byName[f.Name] = f
		mode := f.Mode()
		if strings.HasSuffix(f.Name, "/") {
			continue // a directory entry: pip creates directories lazily from files
		}
		if mode&fs.ModeSymlink != 0 {
			return fail("member %q refused: it is a symbolic link", f.Name)
		}
		if mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
			return fail("member %q refused: it is not a regular file", f.Name)
		}
		if mode.IsDir() {
			return fail("member %q refused: a directory without a trailing slash", f.Name)
		}
		w.members = append(w.members, f)
		if top, _, ok := strings.Cut(f.Name, "/"); ok && strings.HasSuffix(top, ".dist-info") {
			infoDirs[top] = true
		}
	}
	switch len(infoDirs) {
	case 0:
		return fail(".dist-info directory not found")
	case 1:
	default:
		var names []string
		for d := range infoDirs {
			names = append(names, d)
		}
		return fail("multiple .dist-info directories found: %s", strings.Join(names, ", "))
	}
	for d := range infoDirs {
		w.DistInfo = d
	}
	stem := strings.TrimSuffix(w.DistInfo, ".dist-info")
	dash := strings.IndexByte(stem, '-')
	if dash <= 0 || dash == len(stem)-1 {
		return fail(".dist-info directory %q is not NAME-VERSION.dist-info", w.DistInfo)
	}
	w.Name, w.Version = stem[:dash], stem[dash+1:]
	w.Data = stem + ".data"

	wheelMeta, err := w.readSmall(w.DistInfo + "/WHEEL")
	if err != nil {
		return fail("%v", err)
	}
	hdr := parseHeaders(wheelMeta)
	ver := hdr["wheel-version"]
	if ver == "" {
		return fail("WHEEL has no Wheel-Version")
	}
	if major, _, _ := strings.Cut(ver, "."); major != "1" {
		return fail("Wheel-Version %s is not supported (1.x is)", ver)
	}
	w.RootIsPurelib = strings.EqualFold(hdr["root-is-purelib"], "true")

	recordName := w.DistInfo + "/RECORD"
	rec, err := w.readSmall(recordName)
	if err != nil {
		return fail("%v", err)
	}
	if w.Record, err = ReadRecord(bytes.NewReader(rec)); err != nil {
		return fail("%v", err)
	}
	w.hashes = make(map[string]recordHash, len(w.Record))
	w.sizes = make(map[string]int64, len(w.Record))
	for _, row := range w.Record {
		if reason := unsafeMemberPath(row.Path); reason != "" {
			return fail("RECORD entry %q refused: %s", row.Path, reason)
		}
		if row.Hash == "" {
			continue
		}
		h, err := parseRecordHash(row.Hash)
		if err != nil {
			return fail("RECORD entry %q: %v", row.Path, err)
		}
		w.hashes[row.Path] = h
		if n, ok, err := parseSize(row.Size); err != nil {
			return fail("RECORD entry %q: %v", row.Path, err)
		} else if ok {
			w.sizes[row.Path] = n
		}
	}
	for _, f := range w.members {
		if f.Name == recordName || f.Name == recordName+".jws" || f.Name == recordName+".p7s" {
			continue // RECORD cannot hash itself; signatures are not listed
		}
		if _, ok := w.hashes[f.Name]; !ok {
			return fail("member %q has no hash in RECORD", f.Name)
		}
	}
	return w, nil
}

// unsafeMemberPath says why an archive path cannot be written into an
// environment, or "" when it can.
func unsafeMemberPath(p string) string {
	switch {
	case p == "":
		return "empty path"
	case strings.ContainsRune(p, 0):
		return "NUL byte in path"
	case strings.HasPrefix(p, "/"), len(p) > 1 && p[1] == ':', strings.HasPrefix(p, `\`):
		return "absolute path"
	case strings.ContainsRune(p, '\\'):
		return "backslash in path"
	}
	for _, part := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
		if part == ".." {
			return "path contains '..'"
		}
	}
	if c := path.Clean(p); c == "." || strings.HasPrefix(c, "../") {
		return "path leaves the archive"
	}
	return ""
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// maxMetaSize bounds the dist-info files read whole into memory.
const maxMetaSize = 64 << 20

// readSmall returns a member's content, checked against RECORD when RECORD
// has been read.
func (w *Wheel) readSmall(name string) ([]byte, error) {
	f, ok := w.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s is missing", name)
	}
	if f.UncompressedSize64 > maxMetaSize {
		return nil, fmt.Errorf("%s is too large (%d bytes)", name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMetaSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt archive member: %w", name, err)
	}
	if w.hashes != nil {
		if err := w.check(name, b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// check compares content with the member's RECORD row.
func (w *Wheel) check(name string, content []byte) error {
	h, ok := w.hashes[name]
	if !ok {
		return nil
	}
	hh := newHash(h.algo)
	hh.Write(content)
	return w.compare(name, hh.Sum(nil), int64(len(content)))
}

func (w *Wheel) compare(name string, sum []byte, n int64) error {
	h := w.hashes[name]
	if !bytes.Equal(sum, h.digest) {
		return &HashMismatchError{Wheel: baseName(w.Path), Member: name}
	}
	if want, ok := w.sizes[name]; ok && want != n {
		return fmt.Errorf("wheel %s: member %q has %d bytes, RECORD says %d", baseName(w.Path), name, n, want)
	}
	return nil
}

// HashMismatchError is a member whose content does not match RECORD.
type HashMismatchError struct{ Wheel, Member string }

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("wheel %s: member %q does not match its RECORD hash (corrupt or tampered wheel)", e.Wheel, e.Member)
}

// copyMember writes a member to dst while hashing it, and fails if the
// content does not match RECORD. progress, when set, is called with the
// bytes written so far.
func (w *Wheel) copyMember(ctx context.Context, f *zip.File, dst io.Writer, progress func(int64)) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("wheel %s: member %q: %w", baseName(w.Path), f.Name, err)
	}
	defer rc.Close()
	h, listed := w.hashes[f.Name]
	var hh = newHash("sha256")
	if listed {
		hh = newHash(h.algo)
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, rerr := rc.Read(buf)
		if k > 0 {
			hh.Write(buf[:k])
			if _, err := dst.Write(buf[:k]); err != nil {
				return err
			}
			n += int64(k)
			if progress != nil {
				progress(int64(k))
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return fmt.Errorf("wheel %s: member %q: corrupt archive: %v", baseName(w.Path), f.Name, rerr)
		}
	}
	if listed {
		return w.compare(f.Name, hh.Sum(nil), n)
	}
	return nil
}

// Verify checks every member against RECORD without writing anything.
func (w *Wheel) Verify(ctx context.Context) error {
	for _, f := range w.members {
		if err := w.copyMember(ctx, f, io.Discard, nil); err != nil {
			return err
		}
	}
	return nil
}

// Metadata is the content of .dist-info/METADATA, checked against RECORD.
func (w *Wheel) Metadata() ([]byte, error) {
	b, err := w.readSmall(w.DistInfo + "/METADATA")
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %w", baseName(w.Path), err)
	}
	return b, nil
}

// Size is the total uncompressed size of the members.
func (w *Wheel) Size() int64 {
	var n int64
	for _, f := range w.members {
		n += int64(f.UncompressedSize64)
	}
	return n
}

// parseHeaders reads an email-header style file (WHEEL) into lower-cased
// keys; the first occurrence of a key wins, as email.message.Message.get.
func parseHeaders(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), maxMetaSize)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			break // end of the headers
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, seen := out[k]; !seen {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// isExecutable is pip's zip_item_is_executable: a regular file whose Unix
// mode (high 16 bits of the external attributes) has any x bit.
func isExecutable(f *zip.File) bool {
	mode := f.ExternalAttrs >> 16
	return mode != 0 && mode&0o170000 == 0o100000 && mode&0o111 != 0
}
