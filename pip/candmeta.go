package pip

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// maxWheel bounds a wheel downloaded only to read its METADATA: far above
// any pure-Python wheel, below what would fill a small disk.
const maxWheel = 512 << 20

// candidateMetadata returns the core metadata of the distribution file
// cand of name at version. It tries, in order, the index's PEP 658
// metadata file (checked against its advertised sha256), the PyPI JSON API
// of the main index (only for a file on that index's host), and the wheel
// itself. Successes are cached for the Env's lifetime; concurrent callers
// for the same version share one fetch. Failures are not cached.
func (e *Env) candidateMetadata(ctx context.Context, name, version string, cand CandidateFile) (Metadata, error) {
	key := pypi.Normalize(name) + " " + pep440.Canonicalize(version)
	md, err := e.metadata.do(ctx, key, "metadata of "+name+" "+version,
		func() (Metadata, error) { return e.fetchMetadata(ctx, name, version, cand) },
		func(err error) bool { return err == nil })
	if err != nil {
		return Metadata{}, err
	}
	return cloneMetadata(md), nil
}

// fetchMetadata goes through the sources in order. A source that fails
// (or whose answer does not check out) is noted and the next one tried;
// the notes make the error when none is left.
func (e *Env) fetchMetadata(ctx context.Context, name, version string, cand CandidateFile) (Metadata, error) {
	var failures []error
	try := func(md Metadata, err error) (Metadata, bool) {
		if err == nil {
			err = consistent(md, name, version)
		}
		if err == nil {
			return md, true
		}
		failures = append(failures, err)
		return Metadata{}, false
	}
	fail := func() (Metadata, error) {
		if err := ctx.Err(); err != nil {
			return Metadata{}, fmt.Errorf("metadata of %s %s: %w", name, version, err)
		}
		return Metadata{}, fmt.Errorf("metadata of %s %s: %w", name, version, joinErrors(failures))
	}

	if cand.MetadataURL != "" {
		if md, ok := try(e.pep658Metadata(ctx, cand)); ok {
			return md, nil
		}
		if ctx.Err() != nil {
			return fail()
		}
	}
	if e.jsonAPIDescribes(cand) {
		// Not found means no JSON API, or none for this version: no failure.
		if md, err := e.jsonAPIMetadata(ctx, name, version); !errors.Is(err, pypi.ErrNotFound) {
			if md, ok := try(md, err); ok {
				return md, nil
			}
		}
		if ctx.Err() != nil {
			return fail()
		}
	}
	if strings.HasSuffix(strings.ToLower(cand.Filename), ".whl") {
		if md, ok := try(e.wheelFileMetadata(ctx, cand)); ok {
			return md, nil
		}
	} else {
		failures = append(failures, fmt.Errorf("%s is a source distribution and the index serves no metadata for it (no PEP 658 file, no JSON API entry); pipup does not build source distributions", cand.Filename))
	}
	return fail()
}

// pep658Metadata reads the PEP 658 metadata file of cand, refusing one
// that does not match the sha256 the index gave for it.
func (e *Env) pep658Metadata(ctx context.Context, cand CandidateFile) (Metadata, error) {
	body, _, err := e.client.Open(ctx, cand.MetadataURL)
	if err != nil {
		return Metadata{}, fmt.Errorf("metadata file of %s: %w", cand.Filename, err)
	}
	defer body.Close()
	data, err := readBounded(body, maxMetadata)
	if err != nil {
		return Metadata{}, fmt.Errorf("metadata file of %s (%s): %w", cand.Filename, pypi.RedactURL(cand.MetadataURL), err)
	}
	if want := cand.MetadataSHA256; want != "" {
		if got := hexSHA256(data); !strings.EqualFold(got, want) {
			return Metadata{}, fmt.Errorf("metadata file of %s (%s) has sha256 %s, but the index says %s: not used", cand.Filename, pypi.RedactURL(cand.MetadataURL), got, want)
		}
	}
	md, err := ParseMetadata(bytes.NewReader(data))
	if err != nil {
		return Metadata{}, fmt.Errorf("metadata file of %s: %w", cand.Filename, err)
	}
	return md, nil
}

// jsonAPIDescribes reports whether the main index's JSON API may describe
// cand: only when cand is a file of that index's host. A file from another
// index (an extra index, find-links) is another project that happens to
// share the name, which the main index must not describe (dependency
// confusion).
func (e *Env) jsonAPIDescribes(cand CandidateFile) bool {
	if e.Config.NoIndex || e.Config.IndexURL == "" {
		return false
	}
	a, err1 := url.Parse(e.Config.IndexURL)
	f, err2 := url.Parse(cand.URL)
	return err1 == nil && err2 == nil && a.Scheme == f.Scheme && strings.EqualFold(a.Host, f.Host)
}

// jsonAPIMetadata is the core metadata the main index's JSON API gives for
// name at version. An error matching pypi.ErrNotFound means there is none.
func (e *Env) jsonAPIMetadata(ctx context.Context, name, version string) (Metadata, error) {
	r, err := e.release(ctx, name, version)
	if err != nil {
		return Metadata{}, err
	}
	return Metadata{
		Name: r.Name, Version: r.Version, Summary: r.Summary, RequiresDist: r.RequiresDist,
		RequiresPython: r.RequiresPython, ProvidesExtra: r.ProvidesExtra,
	}, nil
}

// wheelFileMetadata downloads the wheel into a temporary file, checks its
// sha256 when the index gave one and reads its METADATA.
func (e *Env) wheelFileMetadata(ctx context.Context, cand CandidateFile) (Metadata, error) {
	where := fmt.Sprintf("%s (%s)", cand.Filename, pypi.RedactURL(cand.URL))
	dir := e.CacheDir
	if dir == "" {
		dir = e.tempDir
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return Metadata{}, fmt.Errorf("download %s: %w", cand.Filename, err)
	}
	body, size, err := e.client.Open(ctx, cand.URL)
	if err != nil {
		return Metadata{}, fmt.Errorf("download %s: %w", cand.Filename, err)
	}
	defer body.Close()
	if size > maxWheel {
		return Metadata{}, fmt.Errorf("download %s: %d bytes is more than pipup reads for metadata (%d MiB)", where, size, maxWheel>>20)
	}
	tmp, err := os.CreateTemp(dir, "meta-*.whl")
	if err != nil {
		return Metadata{}, fmt.Errorf("download %s: %w", cand.Filename, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, maxWheel+1))
	if err != nil {
		return Metadata{}, fmt.Errorf("download %s: %w", where, err)
	}
	if n > maxWheel {
		return Metadata{}, fmt.Errorf("download %s: larger than pipup reads for metadata (%d MiB)", where, maxWheel>>20)
	}
	if want := cand.SHA256; want != "" {
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
			return Metadata{}, fmt.Errorf("download %s: sha256 %s, but the index says %s", where, got, want)
		}
	}
	zr, err := zip.NewReader(tmp, n)
	if err != nil {
		return Metadata{}, fmt.Errorf("read %s: %w", cand.Filename, err)
	}
	return wheelMetadata(zr, cand.Filename)
}

// consistent refuses metadata that describes another project or version
// than the one asked for, as pip does (MetadataInconsistent).
func consistent(md Metadata, name, version string) error {
	if md.Name != "" && pypi.Normalize(md.Name) != pypi.Normalize(name) {
		return fmt.Errorf("metadata names project %q, not %q", md.Name, name)
	}
	if md.Version == "" {
		return nil
	}
	got, err1 := pep440.Parse(md.Version)
	want, err2 := pep440.Parse(version)
	if (err1 == nil && err2 == nil && got.Compare(want) != 0) || ((err1 != nil || err2 != nil) && md.Version != version) {
		return fmt.Errorf("metadata says version %q, not %q", md.Version, version)
	}
	return nil
}

func cloneMetadata(md Metadata) Metadata {
	md.RequiresDist = slices.Clone(md.RequiresDist)
	md.ProvidesExtra = slices.Clone(md.ProvidesExtra)
	return md
}

// readBounded reads all of r, failing when it holds more than limit bytes.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d MiB", limit>>20)
	}
	return data, nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// joinErrors is errors.Join on one line, as pipup's errors are.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return multiError(errs)
}

type multiError []error

func (m multiError) Error() string {
	parts := make([]string, len(m))
	for i, err := range m {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (m multiError) Unwrap() []error { return m }
