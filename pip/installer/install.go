package installer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Stage is what an install is doing, for progress reports.
type Stage int

const (
	StageUnpacking  Stage = iota // writing (and hash-checking) files into staging
	StageCompiling               // byte-compiling the staged .py files
	StageCommitting              // swapping the old version for the new
	StageDone                    // committed and cleaned up
)

func (s Stage) String() string {
	switch s {
	case StageUnpacking:
		return "unpacking"
	case StageCompiling:
		return "compiling"
	case StageCommitting:
		return "committing"
	case StageDone:
		return "done"
	}
	return "stage(" + strconv.Itoa(int(s)) + ")"
}

// Progress is one progress report: the stage, and for StageUnpacking the
// bytes written so far out of Total.
type Progress struct {
	Stage       Stage
	Done, Total int64
}

// Options tune one Install.
type Options struct {
	// Old is the .dist-info directory of the installed version being
	// replaced, "" for a fresh install.
	Old string
	// Requested writes REQUESTED for a fresh install. When replacing Old,
	// REQUESTED is written exactly when Old has one, whatever this says.
	Requested bool
	// NoCompile skips byte-compilation, as pip's --no-compile.
	NoCompile bool
	// Compiler byte-compiles; nil starts one for this call. Share one
	// across the installs of a run.
	Compiler *Compiler
	// CompileEnv is the environment of a Compiler started for this call
	// (nil: this process's).
	CompileEnv []string
	// Progress, when set, is called from the installing goroutine.
	Progress func(Progress)

	// commitHook, in tests, is called at each step of the commit.
	commitHook func(step int) error
}

// Result is what an Install did.
type Result struct {
	Name, Version string
	// DistInfo is the new .dist-info directory.
	DistInfo string
	// Files are the files written (absolute), .pyc files and RECORD included.
	Files []string
}

// Install installs the wheel at wheelPath into t, replacing opts.Old. It
// writes what pip's install_wheel writes (INSTALLER says "pipup", there is
// no direct_url.json) and is atomic: on any error, or ctx done, before the
// commit point the environment is as it was.
func Install(ctx context.Context, t Target, wheelPath string, opts Options) (*Result, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	w, err := OpenWheel(wheelPath)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	return install(ctx, &t, w, opts)
}

// InstallWheel is Install of a wheel already opened (by a caller that
// read its Destinations first, say): the archive is not read again. w
// stays open; the caller closes it.
func InstallWheel(ctx context.Context, t Target, w *Wheel, opts Options) (*Result, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	return install(ctx, &t, w, opts)
}

func install(ctx context.Context, t *Target, w *Wheel, opts Options) (*Result, error) {
	report := func(p Progress) {
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	libDir, files, err := w.layout(t, w.metadataName())
	if err != nil {
		return nil, err
	}
	// One symlink check for the whole install: the old files' and the
	// new files' directories are mostly the same few.
	inside, err := realDirCheck(t.Root)
	if err != nil {
		return nil, err
	}
	var old *removal
	requested := opts.Requested
	if opts.Old != "" {
		if old, err = oldRemoval(t, opts.Old, inside); err != nil {
			return nil, err
		}
		_, statErr := os.Lstat(filepath.Join(opts.Old, "REQUESTED"))
		requested = statErr == nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	x, err := newTxn(t.Root, w.Name+"-"+w.Version)
	if err != nil {
		return nil, err
	}
	x.hook = opts.commitHook
	defer func() {
		if !x.committed || x.broken {
			// Nothing moved yet, or rollback already ran; a broken
			// transaction keeps its directory for Recover but lets go of
			// the lock, as a killed process would.
			_ = x.close()
		}
	}()

	st := &stager{t: t, w: w, x: x, libDir: libDir, ctx: ctx, total: w.Size(), report: report,
		staged: map[string]string{}, installed: map[string]string{}, changed: map[string]RecordRow{}}
	for _, f := range files {
		if err := st.write(f); err != nil {
			return nil, err
		}
	}

	// Byte-compile as pip does: each installed .py file once, in sorted order.
	if !opts.NoCompile {
		report(Progress{Stage: StageCompiling})
		if err := st.compile(opts); err != nil {
			return nil, err
		}
	}

	infoDir := filepath.Join(libDir, w.DistInfo)
	if err := st.generate(filepath.Join(infoDir, "INSTALLER"), []byte("pipup\n")); err != nil {
		return nil, err
	}
	if requested {
		if err := st.generate(filepath.Join(infoDir, "REQUESTED"), nil); err != nil {
			return nil, err
		}
	}
	if err := st.writeRecord(infoDir); err != nil {
		return nil, err
	}

	// Commit: old files (and whatever the new ones replace) aside, new in.
	report(Progress{Stage: StageCommitting})
	res := &Result{Name: w.Name, Version: w.Version, DistInfo: infoDir}
	oldSet := map[string]bool{}
	var asideRels []string
	asideSet := map[string]bool{}
	if old != nil {
		for _, p := range old.files {
			oldSet[p] = true
			rel, _ := filepath.Rel(t.Root, p)
			asideRels = append(asideRels, rel)
			asideSet[rel] = true
		}
	}
	news := make([]newFile, 0, len(st.order))
	for _, dest := range st.order {
		rel, _ := filepath.Rel(t.Root, dest)
		staged, err := filepath.Rel(x.dir, st.staged[dest])
		if err != nil || !filepath.IsLocal(staged) {
			return nil, fmt.Errorf("stage %s: staged outside the staging directory", dest)
		}
		news = append(news, newFile{Rel: rel, Staged: staged})
		res.Files = append(res.Files, dest)
	}
	x.prepare(news, asideSet)
	for _, nf := range news {
		dest := filepath.Join(t.Root, nf.Rel)
		if oldSet[dest] || x.missing(filepath.Dir(dest)) {
			continue // replaced anyway, or nothing can be there
		}
		if _, err := os.Lstat(dest); err == nil {
			// Another distribution's file, or nobody's: it is replaced,
			// so it goes aside like the old version's.
			asideRels = append(asideRels, nf.Rel)
		}
	}
	checkDir := func(dir string) error {
		if !inside(dir) {
			return fmt.Errorf("directory %s leads outside the environment %s: refused", dir, t.Root)
		}
		return nil
	}
	var prune []string
	if old != nil {
		prune = old.dirs
	}
	if err := x.commit(ctx, asideRels, prune, checkDir); err != nil {
		return nil, err
	}
	_ = x.close() // the old files go with the staging directory
	for _, d := range prune {
		pruneEmpty(d)
	}
	report(Progress{Stage: StageDone})
	return res, nil
}

// stager writes the new files into the transaction's staging directory
// and collects their RECORD rows.
type stager struct {
	t      *Target
	w      *Wheel
	x      *txn
	ctx    context.Context
	libDir string
	report func(Progress)

	total, done int64
	order       []string             // final paths, in writing order, unique
	staged      map[string]string    // final path -> staged path
	installed   map[string]string    // archive path -> installed RECORD path
	changed     map[string]RecordRow // installed RECORD path -> rehashed row
	generated   []RecordRow
}

func (s *stager) recordPath(dest string) string {
	rel, err := filepath.Rel(s.libDir, dest)
	if err != nil {
		rel = dest
	}
	return filepath.ToSlash(rel)
}

// create opens the staged file for dest; perm is the mode before umask,
// as Python's open() (0o666) or pip's executable extraction (0o777).
func (s *stager) create(dest string, perm fs.FileMode) (*os.File, string, error) {
	sp, err := s.x.stagedPath(dest)
	if err != nil {
		return nil, "", err
	}
	if _, again := s.staged[dest]; again {
		// Two members for one path (a root file and its .data/purelib
		// twin): the second replaces the first, as in pip. Only then is
		// there anything to remove.
		_ = os.Remove(sp)
	}
	f, err := os.OpenFile(sp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, "", fmt.Errorf("stage %s: %w", dest, err)
	}
	if _, seen := s.staged[dest]; !seen {
		s.order = append(s.order, dest)
	}
	s.staged[dest] = sp
	return f, sp, nil
}

func (s *stager) write(pf plannedFile) error {
	switch pf.kind {
	case kindWrapper:
		if err := s.generate(pf.dest, pf.content); err != nil {
			return err
		}
		// distlib's set_executable_mode: the created mode plus r-x for all.
		sp := s.staged[pf.dest]
		fi, err := os.Stat(sp)
		if err != nil {
			return err
		}
		return os.Chmod(sp, (fi.Mode()|0o555)&0o7777)
	case kindGenerated:
		return s.generate(pf.dest, pf.content)
	}
	f := pf.member
	if f.Name == s.w.DistInfo+"/RECORD" && pf.kind == kindMember {
		// writeRecord writes RECORD anew (mode 0o666 less the umask, as
		// pip's _generate_file, whatever the member's): staging the
		// member's copy first would only be removed again. OpenWheel has
		// read it whole already.
		s.done += int64(f.UncompressedSize64)
		s.installed[f.Name] = s.recordPath(pf.dest)
		return nil
	}
	exec := isExecutable(f)
	perm := fs.FileMode(0o666)
	if exec {
		perm = 0o777
	}
	out, sp, err := s.create(pf.dest, perm)
	if err != nil {
		return err
	}
	var content bytes.Buffer
	var dst io.Writer = out
	if pf.kind == kindScript {
		dst = &content // the first line may change: rewrite after checking
	}
	err = s.w.copyMember(s.ctx, f, dst, func(n int64) {
		s.done += n
		s.report(Progress{Stage: StageUnpacking, Done: s.done, Total: s.total})
	})
	if err == nil && pf.kind == kindScript {
		fixed, changed := fixScript(content.Bytes(), s.t.Python)
		if _, err = out.Write(fixed); err == nil && changed {
			sum := sha256.Sum256(fixed)
			s.changed[s.recordPath(pf.dest)] = RecordRow{Hash: hashField(sum[:]), Size: strconv.Itoa(len(fixed))}
		}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("stage %s: %w", pf.dest, err)
	}
	if exec {
		// pip's set_extracted_file_to_default_mode_plus_executable.
		fi, err := os.Stat(sp)
		if err != nil {
			return err
		}
		if err := os.Chmod(sp, fi.Mode().Perm()|0o111); err != nil {
			return err
		}
	}
	s.installed[f.Name] = s.recordPath(pf.dest)
	return nil
}

// generate writes a file pip generates (wrapper, INSTALLER, REQUESTED,
// RECORD is separate) and adds its RECORD row.
func (s *stager) generate(dest string, content []byte) error {
	f, _, err := s.create(dest, 0o666)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("stage %s: %w", dest, err)
	}
	sum := sha256.Sum256(content)
	s.generated = append(s.generated, RecordRow{Path: s.recordPath(dest), Hash: hashField(sum[:]), Size: strconv.Itoa(len(content))})
	return nil
}

// compile byte-compiles the staged .py files that pip would (every
// installed file ending in .py), naming their final paths in the code.
func (s *stager) compile(opts Options) error {
	var srcs []string
	seen := map[string]bool{}
	for _, rp := range s.installed {
		dest := filepath.Join(s.libDir, filepath.FromSlash(rp))
		if strings.HasSuffix(dest, ".py") && !seen[dest] {
			seen[dest] = true
			srcs = append(srcs, dest)
		}
	}
	if len(srcs) == 0 {
		return nil
	}
	sort.Strings(srcs)
	pairs := make([]CompilePair, len(srcs))
	for i, dest := range srcs {
		pairs[i] = CompilePair{Source: s.staged[dest], Dir: filepath.Dir(dest)}
	}
	c := opts.Compiler
	if c == nil {
		c = NewCompiler(s.t.Python, 1, opts.CompileEnv)
		defer c.Close()
	}
	pycs, err := c.Compile(s.ctx, pairs)
	if err != nil {
		return err
	}
	for i, pyc := range pycs {
		if pyc == "" {
			continue
		}
		dest := filepath.Join(filepath.Dir(srcs[i]), "__pycache__", filepath.Base(pyc))
		if filepath.Dir(pyc) != filepath.Join(filepath.Dir(pairs[i].Source), "__pycache__") {
			return fmt.Errorf("byte-compile %s: unexpected output %s", srcs[i], pyc)
		}
		if _, seen := s.staged[dest]; !seen {
			s.order = append(s.order, dest)
		}
		s.staged[dest] = pyc
		row, err := hashFile(pyc)
		if err != nil {
			return fmt.Errorf("byte-compile %s: %w", srcs[i], err)
		}
		row.Path = s.recordPath(dest)
		s.generated = append(s.generated, row)
	}
	return nil
}

// writeRecord writes RECORD as pip's get_csv_rows_for_installed makes it:
// the wheel's rows with installed paths (rehashed where the content
// changed), then the generated files; rows sorted.
func (s *stager) writeRecord(infoDir string) error {
	var rows []RecordRow
	for _, r := range s.w.Record {
		path, ok := s.installed[r.Path]
		if !ok {
			path = r.Path // listed but not installed (a skipped wrapper): pip keeps the row as is
		}
		row := RecordRow{Path: path, Hash: r.Hash, Size: r.Size}
		if ch, ok := s.changed[path]; ok {
			row.Hash, row.Size = ch.Hash, ch.Size
		}
		rows = append(rows, row)
	}
	rows = append(rows, s.generated...)
	var buf bytes.Buffer
	if err := WriteRecord(&buf, rows); err != nil {
		return err
	}
	dest := filepath.Join(infoDir, "RECORD")
	f, _, err := s.create(dest, 0o666)
	if err != nil {
		return err
	}
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("stage %s: %w", dest, err)
	}
	return nil
}

func hashFile(path string) (RecordRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return RecordRow{}, err
	}
	defer f.Close()
	var h hash.Hash = sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return RecordRow{}, err
	}
	return RecordRow{Hash: hashField(h.Sum(nil)), Size: strconv.FormatInt(n, 10)}, nil
}
