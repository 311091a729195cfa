package httpcache

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCorruptEntriesAreReplaced(t *testing.T) {
	small := "small body"
	large := strings.Repeat("0123456789abcdef", (inMemoryMax/16)+1000) // takes the streaming path
	damage := []struct {
		name string
		fn   func(b []byte) []byte
	}{
		{"empty", func(b []byte) []byte { return nil }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-5] }},
		{"cut in body", func(b []byte) []byte { return b[:len(b)/2] }},
		{"garbage", func(b []byte) []byte { return bytes.Repeat([]byte{0xff}, len(b)) }},
		{"body byte flipped", func(b []byte) []byte { b[1] ^= 0x20; return b }},
		{"meta byte flipped", func(b []byte) []byte { b[len(b)-footerLen-3] ^= 0x01; return b }},
		{"appended", func(b []byte) []byte { return append(b, "extra"...) }},
		{"bad magic", func(b []byte) []byte { b[len(b)-1] = 'X'; return b }},
	}
	for _, body := range []string{small, large} {
		for _, d := range damage {
			t.Run(fmt.Sprintf("%s/%d", d.name, len(body)), func(t *testing.T) {
				o := newOrigin(t, fixed(body, "Cache-Control", "max-age=60"))
				tr, _ := newTransport(t)
				get(t, tr, o.URL)
				files := entryFiles(t, tr.Dir)
				if len(files) != 1 {
					t.Fatalf("want 1 entry, have %v", files)
				}
				raw, err := os.ReadFile(files[0])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(files[0], d.fn(raw), 0o600); err != nil {
					t.Fatal(err)
				}
				b, how, _ := get(t, tr, o.URL)
				if b != body || how != "miss" {
					t.Fatalf("damaged entry served: %d bytes, %q", len(b), how)
				}
				if s := tr.Stats(); s.Corrupt != 1 {
					t.Errorf("corrupt count %d", s.Corrupt)
				}
				b, how, _ = get(t, tr, o.URL)
				if b != body || how != "hit" {
					t.Fatalf("replacement not used: %d bytes, %q", len(b), how)
				}
			})
		}
	}
}

func TestLargeEntryRevalidation(t *testing.T) {
	body := strings.Repeat("x", inMemoryMax+1)
	o := newOrigin(t, fixed(body, "Cache-Control", "max-age=1", "ETag", `"big"`))
	tr, clk := newTransport(t)
	get(t, tr, o.URL)
	clk.add(2 * time.Second)
	o.set(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=100")
		w.WriteHeader(http.StatusNotModified)
	})
	for _, want := range []string{"revalidated", "hit"} {
		b, how, _ := get(t, tr, o.URL)
		if b != body || how != want {
			t.Fatalf("%d bytes %q, want %q", len(b), how, want)
		}
	}
}

// TestConcurrentSameKey hammers one key with readers that finish, abandon or
// refresh, while the origin keeps changing the body. Every body served must
// be one the origin sent whole, and the final entry must load cleanly.
func TestConcurrentSameKey(t *testing.T) {
	var gen sync.Mutex
	version := 0
	bodyFor := func(v int) string { return strings.Repeat(strconv.Itoa(v%10), 2000+v) }
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		gen.Lock()
		version++
		v := version
		gen.Unlock()
		w.Header().Set("Cache-Control", "max-age=0")
		w.Header().Set("ETag", `"`+strconv.Itoa(v)+`"`)
		if v%3 == 0 && r.Header.Get("If-None-Match") != "" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, bodyFor(v))
	})
	tr := &Transport{Dir: t.TempDir()}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for range 40 {
				req, _ := http.NewRequest("GET", o.URL+"/same", nil)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				if rng.IntN(4) == 0 {
					io.ReadFull(resp.Body, make([]byte, 100))
					resp.Body.Close()
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Error(err)
					return
				}
				n := len(b) - 2000
				if n <= 0 || string(b) != bodyFor(n) {
					t.Errorf("inconsistent body of %d bytes (%q)", len(b), how(resp))
					return
				}
			}
		}()
	}
	wg.Wait()
	files := entryFiles(t, tr.Dir)
	if len(files) != 1 {
		t.Fatalf("entries: %v", files)
	}
	if _, err := loadEntry(files[0]); err != nil {
		t.Fatalf("final entry: %v", err)
	}
	if n := countFiles(t, tr.Dir); n != 1 {
		t.Errorf("%d files in cache dir, want 1 (temp files left behind)", n)
	}
	if s := tr.Stats(); s.Corrupt != 0 || s.Stores == 0 {
		t.Errorf("stats %+v", s)
	}
}

func how(r *http.Response) string { return r.Header.Get(CacheHeader) }

// TestWarmHits1000 times the hit path the scan depends on: 1,000 distinct
// warm entries of a typical simple-page size, each read to EOF.
func TestWarmHits1000(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	tr, urls := warmCache(t, 1000, 20<<10)
	start := time.Now()
	readAll(t, tr, urls)
	elapsed := time.Since(start)
	t.Logf("1000 warm hits (20 KiB each): %v", elapsed)
	if s := tr.Stats(); s.Hits != 1000 {
		t.Fatalf("hits %d", s.Hits)
	}
	// A guard against the pathological only (re-reading, quadratic work):
	// -race on two busy cores is many times slower than a real run, and
	// BenchmarkHit1000 is the measurement.
	if elapsed > 10*time.Second {
		t.Errorf("1000 hits took %v", elapsed)
	}
}

func BenchmarkHit1000(b *testing.B) {
	tr, urls := warmCache(b, 1000, 20<<10)
	b.ResetTimer()
	for b.Loop() {
		readAll(b, tr, urls)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/1000hits")
}

func warmCache(tb testing.TB, n, size int) (*Transport, []string) {
	tb.Helper()
	body := strings.Repeat("a", size)
	srv := newOrigin(tb, fixed(body, "Cache-Control", "max-age=600", "Content-Type", "application/vnd.pypi.simple.v1+json"))
	tr := &Transport{Dir: tb.TempDir()}
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/simple/project-%d/", srv.URL, i)
	}
	readAll(tb, tr, urls)
	return tr, urls
}

func readAll(tb testing.TB, tr *Transport, urls []string) {
	for _, u := range urls {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Accept", "application/vnd.pypi.simple.v1+json")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			tb.Fatal(err)
		}
		resp.Body.Close()
	}
}

// BenchmarkHit1000Parallel is the scan's shape: 64 workers sharing the
// 1,000 warm entries.
func BenchmarkHit1000Parallel(b *testing.B) {
	tr, urls := warmCache(b, 1000, 20<<10)
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for w := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				readAll(b, tr, urls[w*len(urls)/64:(w+1)*len(urls)/64])
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/1000hits")
}
