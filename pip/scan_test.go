package pip

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// scanFixture is a venv with a few packages installed at 1.0, and a fresh
// pypitest index that offers 1.0 and 1.1 of each. The venv is built once per
// test binary (venvs are slow to make); each test gets its own index.
type scanFixture struct {
	srv    *pypitest.Server
	python string
	names  []string // installed from the index
}

var scanVenv struct {
	once   sync.Once
	python string
	err    error
}

var fixtureNames = []string{"able", "baker", "charlie", "dog"}

func fixtureIndex(t *testing.T) *pypitest.Server {
	t.Helper()
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, n := range fixtureNames {
		for _, v := range []string{"1.0", "1.1"} {
			if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: v, Summary: "the " + n + " package"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return srv
}

func newScanFixture(t *testing.T) *scanFixture {
	t.Helper()
	pythons.Python(t)
	scanVenv.once.Do(func() {
		args := []string{"--index-url", fixtureIndex(t).IndexURL()}
		for _, n := range fixtureNames {
			args = append(args, n+"==1.0")
		}
		scanVenv.python, scanVenv.err = pythons.InstalledVenv("pipup-scan-venv-", args...)
	})
	if scanVenv.err != nil {
		t.Fatalf("scan fixture venv: %v", scanVenv.err)
	}
	return &scanFixture{srv: fixtureIndex(t), python: scanVenv.python, names: fixtureNames}
}

func (f *scanFixture) open(t *testing.T, o Options) *Env {
	t.Helper()
	o.Python = f.python
	if o.IndexURL == "" {
		o.IndexURL = f.srv.IndexURL()
	}
	if o.CacheDir == "" && !o.NoCache {
		o.CacheDir = t.TempDir()
	}
	o.Environ = piptest.Environ("HOME=" + t.TempDir())
	e, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return e
}

// drain collects a scan's events; it fails the test if the channel is not
// closed after ScanDone and the vulnerability answers that may follow it.
func drain(t *testing.T, ch <-chan ScanEvent) (checked map[string]PackageChecked, skipped map[string]PackageSkipped, failed map[string]PackageFailed, done ScanDone) {
	t.Helper()
	checked, skipped, failed = map[string]PackageChecked{}, map[string]PackageSkipped{}, map[string]PackageFailed{}
	sawDone := false
	for ev := range ch {
		_, vuln := ev.(PackageVulnerable)
		_, unavailable := ev.(VulnsUnavailable)
		if sawDone && !vuln && !unavailable {
			t.Fatalf("event after ScanDone: %#v", ev)
		}
		switch ev := ev.(type) {
		case PackageChecked:
			checked[ev.Name] = ev
		case PackageSkipped:
			skipped[ev.Name] = ev
		case PackageFailed:
			failed[ev.Name] = ev
		case ScanDone:
			done, sawDone = ev, true
		}
	}
	if !sawDone {
		t.Fatal("scan closed its channel without ScanDone")
	}
	return
}

var notOnIndex = []string{"pip", "setuptools"}

func TestScanReportsOutdatedAndCounts(t *testing.T) {
	f := newScanFixture(t)
	e := f.open(t, Options{})
	checked, skipped, failed, done := drain(t, e.Scan(context.Background(), ScanRequest{}))
	for _, n := range f.names {
		c, ok := checked[n]
		if !ok {
			t.Fatalf("%s not checked; checked=%v skipped=%v failed=%v", n, checked, skipped, failed)
		}
		if c.Version != "1.0" || c.Latest != "1.1" || c.Bump != BumpMinor || c.FileType != "wheel" {
			t.Errorf("%s: got %+v", n, c)
		}
		if c.Summary != "the "+n+" package" {
			t.Errorf("%s: summary %q", n, c.Summary)
		}
		if !strings.HasSuffix(c.Candidate.URL, "/"+n+"-1.1-py3-none-any.whl") || len(c.Candidate.SHA256) != 64 {
			t.Errorf("%s: candidate %+v", n, c.Candidate)
		}
	}
	for _, n := range notOnIndex {
		if s, ok := skipped[n]; !ok || !strings.Contains(s.Reason, "not found") {
			t.Errorf("%s: want skipped as not found, got %+v (ok=%v)", n, s, ok)
		}
	}
	if len(failed) != 0 || done.Err != nil {
		t.Fatalf("failed=%v err=%v", failed, done.Err)
	}
	if done.Checked != len(f.names) || done.Outdated != len(f.names) || done.Skipped != len(notOnIndex) {
		t.Errorf("done = %+v", done)
	}
}

// A second scan within max-age sends no request for any project page that
// the index had; --refresh revalidates every one (304s).
func TestScanWarmCacheSendsNoPageRequests(t *testing.T) {
	f := newScanFixture(t)
	cache := t.TempDir()
	req := ScanRequest{Exclude: notOnIndex}

	f.srv.ResetCounts()
	_, _, _, done := drain(t, f.open(t, Options{CacheDir: cache}).Scan(context.Background(), req))
	if done.Checked != len(f.names) {
		t.Fatalf("cold scan: %+v", done)
	}
	if got := f.srv.Requests().Project; got != int64(len(f.names)) {
		t.Fatalf("cold scan made %d page requests, want %d", got, len(f.names))
	}

	f.srv.ResetCounts()
	checked, _, _, done := drain(t, f.open(t, Options{CacheDir: cache}).Scan(context.Background(), req))
	if done.Checked != len(f.names) || checked["able"].Latest != "1.1" {
		t.Fatalf("warm scan: %+v %+v", done, checked)
	}
	// The index has no JSON API: the vulnerability look-ups' probe may ask
	// for a few documents (404s), never for a page.
	if c := f.srv.Requests(); c.Total-c.JSONAPI != 0 || c.JSONAPI > probeMisses {
		t.Fatalf("warm scan made %+v requests, want none but at most %d JSON API probes", c, probeMisses)
	}

	f.srv.ResetCounts()
	_, _, _, done = drain(t, f.open(t, Options{CacheDir: cache, Refresh: true}).Scan(context.Background(), req))
	if done.Checked != len(f.names) {
		t.Fatalf("refresh scan: %+v", done)
	}
	if c := f.srv.Requests(); c.Project != int64(len(f.names)) || c.NotModified != int64(len(f.names)) {
		t.Fatalf("refresh scan: %+v, want %d revalidations answered 304", c, len(f.names))
	}

	// A new upload is seen after --refresh, not before max-age runs out.
	if err := f.srv.AddWheel(pypitest.WheelSpec{Name: "able", Version: "2.0"}); err != nil {
		t.Fatal(err)
	}
	checked, _, _, _ = drain(t, f.open(t, Options{CacheDir: cache}).Scan(context.Background(), req))
	if checked["able"].Latest != "1.1" {
		t.Errorf("fresh cache entry should still say 1.1, got %q", checked["able"].Latest)
	}
	checked, _, _, _ = drain(t, f.open(t, Options{CacheDir: cache, Refresh: true}).Scan(context.Background(), req))
	if checked["able"].Latest != "2.0" || checked["able"].Bump != BumpMajor {
		t.Errorf("after --refresh: %+v", checked["able"])
	}
}

// A broken cache entry is replaced, never fatal.
func TestScanSurvivesCorruptCache(t *testing.T) {
	f := newScanFixture(t)
	cache := t.TempDir()
	req := ScanRequest{Exclude: notOnIndex}
	drain(t, f.open(t, Options{CacheDir: cache}).Scan(context.Background(), req))
	n := 0
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
			switch n % 3 {
			case 0:
				os.WriteFile(p, []byte("garbage"), 0o644)
			case 1:
				os.Truncate(p, 10)
			default:
				os.WriteFile(p, nil, 0o644)
			}
		}
		return nil
	})
	if n == 0 {
		t.Fatal("the cold scan wrote no cache entries")
	}
	checked, _, failed, done := drain(t, f.open(t, Options{CacheDir: cache}).Scan(context.Background(), req))
	if len(failed) != 0 || done.Checked != len(f.names) || checked["baker"].Latest != "1.1" {
		t.Fatalf("after corrupting %d cache files: checked=%v failed=%v done=%+v", n, checked, failed, done)
	}
}

// An index failure for one project fails that package only.
func TestScanIndexFaultFailsOnePackage(t *testing.T) {
	for _, fault := range []pypitest.Fault{{Status: 500}, {Garbage: true}, {WrongContentType: true}} {
		f := newScanFixture(t)
		f.srv.Fail("baker", fault)
		checked, _, failed, done := drain(t, f.open(t, Options{NoCache: true, Timeout: 2 * time.Second}).Scan(context.Background(), ScanRequest{Exclude: notOnIndex}))
		if _, ok := failed["baker"]; !ok || len(failed) != 1 {
			t.Errorf("fault %+v: failed = %v", fault, failed)
		}
		if len(checked) != len(f.names)-1 || done.Failed != 1 {
			t.Errorf("fault %+v: checked=%d done=%+v", fault, len(checked), done)
		}
	}
}

// Cancelling stops a scan against a hanging index promptly, with ScanDone
// carrying the cancellation.
func TestScanCancel(t *testing.T) {
	f := newScanFixture(t)
	f.srv.Fail("", pypitest.Fault{Hang: true})
	e := f.open(t, Options{NoCache: true})
	ctx, cancel := context.WithCancel(context.Background())
	ch := e.Scan(ctx, ScanRequest{})
	time.AfterFunc(200*time.Millisecond, cancel)
	finished := make(chan ScanDone)
	go func() {
		_, _, _, done := drain(t, ch)
		finished <- done
	}()
	select {
	case done := <-finished:
		if !errors.Is(done.Err, context.Canceled) {
			t.Errorf("ScanDone.Err = %v, want context.Canceled", done.Err)
		}
		if done.Checked != 0 {
			t.Errorf("nothing can have been checked against a hanging index: %+v", done)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("scan did not stop within 10s of cancel")
	}
}

// Editable installs and installed versions that are not PEP 440 are
// reported as skipped with the reason, not looked up and not a crash.
func TestScanSkipsEditableAndInvalidVersions(t *testing.T) {
	f := newScanFixture(t)
	site := sitePackages(t, f.python)
	writeDist(t, site, "mine-0.1.dist-info", "Name: mine\nVersion: 0.1\n", map[string]string{
		"direct_url.json": `{"url": "file:///src/mine", "dir_info": {"editable": true}}`,
	})
	writeDist(t, site, "weird-1.0_foo_bar.dist-info", "Name: weird\nVersion: 1.0-foo-bar\n", nil)
	if err := f.srv.AddWheel(pypitest.WheelSpec{Name: "mine", Version: "9.0"}); err != nil {
		t.Fatal(err)
	}
	_, skipped, failed, done := drain(t, f.open(t, Options{NoCache: true}).Scan(context.Background(), ScanRequest{}))
	if s := skipped["mine"]; !strings.Contains(s.Reason, "editable") {
		t.Errorf("mine: %+v", s)
	}
	if s := skipped["weird"]; !strings.Contains(s.Reason, "not a valid PEP 440 version") || s.Version != "1.0-foo-bar" {
		t.Errorf("weird: %+v", s)
	}
	if len(failed) != 0 || done.Err != nil {
		t.Errorf("failed=%v err=%v", failed, done.Err)
	}
}

func TestScanSelectsPackages(t *testing.T) {
	f := newScanFixture(t)
	e := f.open(t, Options{NoCache: true})
	checked, skipped, _, done := drain(t, e.Scan(context.Background(), ScanRequest{
		Packages: []string{"Able", "BAKER", "not-installed", "dog"},
		Exclude:  []string{"dog"},
	}))
	if len(checked) != 2 || checked["able"].Latest == "" || checked["baker"].Latest == "" {
		t.Errorf("checked = %v", checked)
	}
	if s, ok := skipped["not-installed"]; !ok || s.Reason != "not installed" {
		t.Errorf("skipped = %v", skipped)
	}
	if done.Skipped != 1 {
		t.Errorf("done = %+v", done)
	}
}

func sitePackages(t *testing.T, python string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(python)), "lib", "python3*", "site-packages"))
	if len(m) != 1 {
		t.Fatalf("site-packages of %s: %v", python, m)
	}
	return m[0]
}

func writeDist(t *testing.T, site, dir, metadata string, extra map[string]string) {
	t.Helper()
	d := filepath.Join(site, dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	// The venv is shared: leave it as it was.
	t.Cleanup(func() { os.RemoveAll(d) })
	files := map[string]string{"METADATA": "Metadata-Version: 2.1\n" + metadata, "INSTALLER": "pip\n", "RECORD": ""}
	for k, v := range extra {
		files[k] = v
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Each looked-up package is announced before its result, so a UI can show
// what is in flight.
func TestScanAnnouncesEachCheck(t *testing.T) {
	f := newScanFixture(t)
	announced := map[string]bool{}
	results := 0
	for ev := range f.open(t, Options{NoCache: true}).Scan(context.Background(), ScanRequest{Exclude: notOnIndex}) {
		switch ev := ev.(type) {
		case PackageChecking:
			announced[ev.Name] = true
		case PackageChecked:
			results++
			if !announced[ev.Name] {
				t.Errorf("%s: result before PackageChecking", ev.Name)
			}
		}
	}
	if results != len(f.names) || len(announced) != len(f.names) {
		t.Errorf("announced %v, %d results; want %d of each", announced, results, len(f.names))
	}
}
