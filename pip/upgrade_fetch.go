package pip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pipup/pipup/pypi"
)

// progressEvery throttles download progress events per package.
const progressEvery = 100 * time.Millisecond

// fetchAll downloads every package's file concurrently into the run's
// find-links directory, verifying each against the index's sha256, then
// builds wheels from the source archives among them. A package whose file
// cannot be fetched, verified or built fails here and is never installed.
// arrived, when set, is called (from the calling goroutine) with each
// package once its wheel is in or it has failed: a source archive once it
// is built.
func (u *upgrader) fetchAll(plan []*planItem, arrived func(*planItem)) {
	if arrived == nil {
		arrived = func(*planItem) {}
	}
	conc := u.o.Concurrency
	if conc <= 0 {
		conc = u.e.opts.Concurrency
	}
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	type result struct {
		it  *planItem
		err error
	}
	jobs := make(chan *planItem)
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(conc, len(plan)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				results <- result{it, u.download(it)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, it := range plan {
			select {
			case jobs <- it:
			case <-u.ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var sdists []*planItem
	for r := range results {
		switch {
		case r.err != nil && u.ctx.Err() != nil:
			// Cancelled mid-download: reported as not installed later.
		case r.err != nil:
			u.fail(r.it, r.err.Error())
			arrived(r.it)
		case !strings.HasSuffix(strings.ToLower(r.it.file), ".whl"):
			sdists = append(sdists, r.it)
		default:
			arrived(r.it)
		}
	}
	if len(sdists) > 0 && !u.hasPip() {
		// Building a wheel from source takes pip; pipup never installs it.
		for _, it := range sdists {
			u.fail(it, u.noPipReason("only a source distribution is available: building it"))
			arrived(it)
		}
		sdists = nil
	}
	if len(sdists) > 0 && u.ctx.Err() == nil {
		u.buildAll(sdists)
		for _, it := range sdists {
			arrived(it)
		}
	}
}

// download fetches one file, hashing as it writes. The file only enters
// the find-links directory once verified, so pip never sees a partial or
// unverified file.
func (u *upgrader) download(it *planItem) error {
	name := filepath.Base(it.cand.Filename)
	if name == "." || name == "/" || name == "" || name != it.cand.Filename {
		return fmt.Errorf("index offered an unusable file name %q", it.cand.Filename)
	}
	client := u.e.Client()
	if client == nil {
		return errors.New("no index client")
	}
	total := it.cand.Size
	u.send(UpgradeProgress{Name: it.name, Stage: StageDownloading, Done: 0, Total: total})
	rc, size, err := client.Open(u.ctx, it.cand.URL)
	if err != nil {
		return fmt.Errorf("download %s: %s", name, pypi.RedactURL(err.Error()))
	}
	defer rc.Close()
	if total < 0 && size >= 0 {
		total = size
	}
	tmp, err := os.CreateTemp(filepath.Join(u.work, "tmp"), "dl-*")
	if err != nil {
		return fmt.Errorf("download %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	pw := &progressWriter{u: u, name: it.name, total: total}
	_, err = io.Copy(io.MultiWriter(tmp, h, pw), readerWithContext(u.ctx, rc))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s: %s", name, pypi.RedactURL(err.Error()))
	}
	u.send(UpgradeProgress{Name: it.name, Stage: StageDownloading, Done: pw.done, Total: total})

	u.send(UpgradeProgress{Name: it.name, Stage: StageVerifying})
	got := hex.EncodeToString(h.Sum(nil))
	if want := strings.ToLower(it.cand.SHA256); want != "" && got != want {
		return fmt.Errorf("hash mismatch for %s: the index says sha256 %s, the file has %s; not installed", name, want, got)
	}
	if total >= 0 && pw.done != total && it.cand.Size >= 0 {
		return fmt.Errorf("download %s: got %d bytes, the index says %d", name, pw.done, total)
	}
	dest := filepath.Join(u.work, "wheels", name)
	if !strings.HasSuffix(strings.ToLower(name), ".whl") {
		dest = filepath.Join(u.work, "sdists", name)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("download %s: %w", name, err)
	}
	it.file = dest
	return nil
}

// progressWriter counts bytes and sends throttled progress events.
type progressWriter struct {
	u     *upgrader
	name  string
	total int64
	done  int64
	last  time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if now := time.Now(); now.Sub(p.last) >= progressEvery {
		p.last = now
		p.u.send(UpgradeProgress{Name: p.name, Stage: StageDownloading, Done: p.done, Total: p.total})
	}
	return len(b), nil
}

// readerWithContext stops a copy at the next read once ctx is cancelled,
// even if the body's own reads do not watch ctx.
func readerWithContext(ctx context.Context, r io.Reader) io.Reader {
	return readerFunc(func(b []byte) (int, error) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return r.Read(b)
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

// buildAll turns source archives into wheels with `pip wheel --no-deps`,
// a few at a time: building touches only the run's own directory, so it
// is safe in parallel with other builds (and is stopped on cancel).
func (u *upgrader) buildAll(items []*planItem) {
	workers := min(len(items), max(1, runtime.NumCPU()))
	jobs := make(chan *planItem)
	var wg sync.WaitGroup
	var mu sync.Mutex
	type outcome struct {
		it     *planItem
		reason string
	}
	var outcomes []outcome
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				reason := u.build(it)
				mu.Lock()
				outcomes = append(outcomes, outcome{it, reason})
				mu.Unlock()
			}
		}()
	}
	for _, it := range items {
		if u.ctx.Err() != nil {
			break
		}
		u.send(UpgradeProgress{Name: it.name, Stage: StageBuilding})
		jobs <- it
	}
	close(jobs)
	wg.Wait()
	for _, o := range outcomes {
		if o.reason != "" && u.ctx.Err() == nil {
			u.fail(o.it, o.reason)
		}
	}
}

// build builds one sdist into the find-links directory. Its build
// dependencies come from the configured indexes, as pip would fetch them.
func (u *upgrader) build(it *planItem) (reason string) {
	out := filepath.Join(u.work, "build-"+it.canonical)
	if err := os.Mkdir(out, 0o700); err != nil {
		return "build: " + err.Error()
	}
	args := []string{"wheel", "--no-deps", "--wheel-dir", out, it.file}
	res := runPip(u.pipCmd(args, true, true), u.ctx.Done())
	if !res.ok() {
		if res.timedOut {
			return fmt.Sprintf("building a wheel from %s did not finish within %s", filepath.Base(it.file), u.o.Timeout)
		}
		return "building a wheel from " + filepath.Base(it.file) + " failed: " + pipError(res.output)
	}
	built, _ := filepath.Glob(filepath.Join(out, "*.whl"))
	if len(built) != 1 {
		return fmt.Sprintf("building %s produced %d wheels, expected 1", filepath.Base(it.file), len(built))
	}
	dest := filepath.Join(u.work, "wheels", filepath.Base(built[0]))
	if err := os.Rename(built[0], dest); err != nil {
		return "build: " + err.Error()
	}
	it.file = dest
	return ""
}
