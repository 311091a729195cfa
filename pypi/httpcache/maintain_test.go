package httpcache

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// store fetches path from o through tr so that one entry is written, with
// the clock at its current time.
func store(t *testing.T, tr *Transport, url string) string {
	t.Helper()
	if _, how, _ := get(t, tr, url); how != "miss" {
		t.Fatalf("GET %s: %s, want a miss that stores", url, how)
	}
	req, _ := http.NewRequest("GET", url, nil)
	return tr.keyPath(req)
}

// sizeServer serves n bytes with the content type named by the path:
// /page/… is an index page, anything else a wheel.
func sizeServer(t *testing.T, n int) *origin {
	return newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		ct := "application/octet-stream"
		if strings.HasPrefix(r.URL.Path, "/page/") {
			ct = "application/vnd.pypi.simple.v1+json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "max-age=31536000")
		w.Write([]byte(strings.Repeat("x", n)))
	})
}

func writeTemp(t *testing.T, dir string, age time.Duration, now time.Time) string {
	t.Helper()
	sub := filepath.Join(dir, "ab")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(sub, tmpPrefix+fmt.Sprint(age))
	if err := os.WriteFile(p, make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, time.Time{}, now.Add(-age)); err != nil {
		t.Fatal(err)
	}
	return p
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return !errors.Is(err, fs.ErrNotExist)
}

func TestInspect(t *testing.T) {
	o := sizeServer(t, 1000)
	tr, clk := newTransport(t)
	start := clk.now()
	store(t, tr, o.URL+"/page/a/")
	clk.add(time.Hour)
	store(t, tr, o.URL+"/page/b/")
	clk.add(time.Hour)
	whl := store(t, tr, o.URL+"/files/a-1.0-py3-none-any.whl")
	damaged := store(t, tr, o.URL+"/files/b-1.0-py3-none-any.whl")
	if err := os.Truncate(damaged, 500); err != nil { // a torn write
		t.Fatal(err)
	}
	writeTemp(t, tr.Dir, time.Minute, clk.now())

	info, err := Inspect(tr.Dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Dir: tr.Dir, Pages: 2, Files: 1, Corrupt: 1, Temp: 1}
	got := info
	got.Bytes, got.Oldest, got.Newest = 0, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("Inspect = %+v, want %+v", got, want)
	}
	st, _ := os.Stat(whl)
	if min := 3*1000 + 500 + 100 + 3*footerLen; info.Bytes < int64(min) {
		t.Errorf("Bytes = %d, want at least %d", info.Bytes, min)
	}
	if !info.Oldest.Equal(start) || !info.Newest.Equal(st.ModTime()) {
		t.Errorf("Oldest %v Newest %v, want %v and %v", info.Oldest, info.Newest, start, st.ModTime())
	}

	empty, err := Inspect(filepath.Join(t.TempDir(), "never-made"))
	if err != nil || empty.Entries() != 0 || empty.Bytes != 0 {
		t.Errorf("missing dir: %+v %v", empty, err)
	}
}

func TestHitRecordsUse(t *testing.T) {
	o := sizeServer(t, 10)
	tr, clk := newTransport(t)
	p := store(t, tr, o.URL+"/page/a/")
	clk.add(5 * time.Minute) // still fresh: the next get is a hit
	if _, how, _ := get(t, tr, o.URL+"/page/a/"); how != "hit" {
		t.Fatalf("second get: %s", how)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !st.ModTime().Equal(clk.now()) {
		t.Errorf("entry last used %v, want the hit's time %v", st.ModTime(), clk.now())
	}
}

// TestEvictHoldsBound fills the cache past its bound and checks that
// eviction brings it under the bound, least recently used first.
func TestEvictHoldsBound(t *testing.T) {
	const body = 10 << 10
	o := sizeServer(t, body)
	tr, clk := newTransport(t)
	var paths []string
	for i := range 20 {
		paths = append(paths, store(t, tr, fmt.Sprintf("%s/files/p%d.whl", o.URL, i)))
		clk.add(time.Minute)
	}
	// The oldest entry is used again: it is now the most recent.
	if _, how, _ := get(t, tr, o.URL+"/files/p0.whl"); how != "hit" {
		t.Fatalf("reuse: %s", how)
	}
	young := writeTemp(t, tr.Dir, time.Minute, clk.now())
	old := writeTemp(t, tr.Dir, 2*time.Hour, clk.now())

	before, _ := Inspect(tr.Dir)
	bound := before.Bytes / 2
	r, err := Evict(tr.Dir, bound, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	after, _ := Inspect(tr.Dir)
	if after.Bytes > bound {
		t.Errorf("after eviction %d bytes, bound %d", after.Bytes, bound)
	}
	if before.Bytes-after.Bytes != r.Bytes {
		t.Errorf("Removed says %d bytes, the cache shrank by %d", r.Bytes, before.Bytes-after.Bytes)
	}
	if !exists(paths[0]) {
		t.Error("the entry used last was evicted")
	}
	if exists(paths[1]) {
		t.Error("the least recently used entry was kept")
	}
	if !exists(paths[19]) {
		t.Error("the newest entry was evicted")
	}
	if !exists(young) {
		t.Error("a temp file another process may be writing was removed")
	}
	if exists(old) {
		t.Error("a temp file left by a killed run was kept")
	}

	// Under the bound, nothing more goes; no bound, nothing goes.
	for _, max := range []int64{bound, 0, -1} {
		if r, err := Evict(tr.Dir, max, clk.now()); err != nil || r != (Removed{}) {
			t.Errorf("Evict(%d) again = %+v, %v; want nothing removed", max, r, err)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name      string
		olderThan time.Duration
		// which of: old entry, recent entry, damaged recent entry, young
		// temp, old temp survive
		keep [5]bool
	}{
		{"all", 0, [5]bool{false, false, false, true, false}},
		{"older than 30 days", 30 * 24 * time.Hour, [5]bool{false, true, false, true, false}},
		{"older than a year", 365 * 24 * time.Hour, [5]bool{true, true, false, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sizeServer(t, 100)
			tr, clk := newTransport(t)
			oldEntry := store(t, tr, o.URL+"/page/old/")
			clk.add(40 * 24 * time.Hour)
			recent := store(t, tr, o.URL+"/page/recent/")
			damaged := store(t, tr, o.URL+"/files/x.whl")
			if err := os.Truncate(damaged, 50); err != nil { // a torn write
				t.Fatal(err)
			}
			os.Chtimes(damaged, time.Time{}, clk.now())
			clk.add(24 * time.Hour)
			young := writeTemp(t, tr.Dir, time.Minute, clk.now())
			oldTemp := writeTemp(t, tr.Dir, 3*time.Hour, clk.now())

			if _, err := Clean(tr.Dir, tt.olderThan, clk.now()); err != nil {
				t.Fatal(err)
			}
			for i, p := range []string{oldEntry, recent, damaged, young, oldTemp} {
				if exists(p) != tt.keep[i] {
					t.Errorf("file %d (%s): exists=%t, want %t", i, filepath.Base(p), exists(p), tt.keep[i])
				}
			}
		})
	}
}

func TestRemoveUnchanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "e")
	os.WriteFile(p, []byte("one"), 0o600)
	seen, _ := os.Lstat(p)
	past := seen.ModTime().Add(-time.Hour)

	// Used meanwhile (a hit touched it): kept.
	os.Chtimes(p, time.Time{}, past.Add(time.Minute))
	seen2, _ := os.Lstat(p)
	os.Chtimes(p, time.Time{}, past.Add(2*time.Minute))
	if removeUnchanged(file{path: p, info: seen2}) || !exists(p) {
		t.Error("removed an entry used after the walk")
	}
	// Replaced meanwhile (another process stored it again): kept.
	seen3, _ := os.Lstat(p)
	os.WriteFile(p+".new", []byte("two"), 0o600)
	os.Chtimes(p+".new", time.Time{}, seen3.ModTime())
	os.Rename(p+".new", p)
	if removeUnchanged(file{path: p, info: seen3}) || !exists(p) {
		t.Error("removed an entry stored again after the walk")
	}
	// Gone meanwhile (another process evicted it): no error, not counted.
	seen4, _ := os.Lstat(p)
	os.Remove(p)
	if removeUnchanged(file{path: p, info: seen4}) {
		t.Error("counted a file another process removed")
	}
}

// TestEvictWhileStoring runs eviction with a tiny bound while other
// goroutines store and read entries: every read still succeeds with the
// right body, and nothing left behind is damaged.
func TestEvictWhileStoring(t *testing.T) {
	o := sizeServer(t, 4<<10)
	tr := &Transport{Dir: t.TempDir(), Base: http.DefaultTransport.(*http.Transport).Clone()}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				body, _, _ := get(t, tr, fmt.Sprintf("%s/files/g%d-%d.whl", o.URL, g, i%7))
				if len(body) != 4<<10 {
					t.Errorf("body of %d bytes", len(body))
				}
			}
		}()
	}
	evicted := make(chan struct{})
	go func() {
		defer close(evicted)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := Evict(tr.Dir, 8<<10, time.Now()); err != nil {
				t.Errorf("Evict: %v", err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-evicted
	info, err := Inspect(tr.Dir)
	if err != nil || info.Corrupt != 0 {
		t.Errorf("after concurrent eviction: %+v %v", info, err)
	}
}

// BenchmarkEvictWithinBound is the cost every scan, upgrade and undo pays
// at its end: a walk of a cache of 5,000 entries that is within its bound.
func BenchmarkEvictWithinBound(b *testing.B) {
	dir := b.TempDir()
	for i := range 5000 {
		sub := filepath.Join(dir, fmt.Sprintf("%02x", i%256))
		os.MkdirAll(sub, 0o700)
		os.WriteFile(filepath.Join(sub, fmt.Sprintf("%062x", i)), make([]byte, 512), 0o600)
	}
	b.ResetTimer()
	for range b.N {
		if r, err := Evict(dir, 1<<40, time.Now()); err != nil || r.Entries != 0 {
			b.Fatal(r, err)
		}
	}
}
