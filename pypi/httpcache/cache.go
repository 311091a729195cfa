// Package httpcache is a private on-disk HTTP cache in the form of an
// http.RoundTripper. It keeps one file per request key, serves fresh entries
// without a request, revalidates stale ones with conditional requests, and
// never lets a damaged file become an error: such an entry is refetched.
package httpcache

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// CacheHeader is set on every response the Transport returns, to "hit"
// (served from disk, no request), "revalidated" (stored body after a 304)
// or "miss" (the response came from the network).
const CacheHeader = "X-Pipup-Cache"

// Transport is an http.RoundTripper that caches GET responses on disk.
// Responses are stored only when their body is read to EOF (and matches
// Content-Length when one was given). Safe for concurrent use.
type Transport struct {
	// Dir holds the entries, e.g. $XDG_CACHE_HOME/pipup/http.
	Dir string
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Refresh revalidates every entry, even a fresh one.
	Refresh bool

	now func() time.Time // tests move the clock

	hits, revalidated, misses, stores, corrupt atomic.Int64
	cleanOnce                                  sync.Once
}

// Stats counts what the cache did.
type Stats struct {
	Hits        int64 // served from disk with no request
	Revalidated int64 // served from disk after a 304
	Misses      int64 // full responses from the network (bypassed requests included)
	Stores      int64 // entries written
	Corrupt     int64 // damaged entries found and ignored
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	return Stats{
		Hits:        t.hits.Load(),
		Revalidated: t.revalidated.Load(),
		Misses:      t.misses.Load(),
		Stores:      t.stores.Load(),
		Corrupt:     t.corrupt.Load(),
	}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// keyPath names the entry for req. The key covers the method, the URL
// without any userinfo, and the Accept header (a JSON and an HTML page for
// the same URL are different entries); file names are hex digests only.
func (t *Transport) keyPath(req *http.Request) string {
	u := *req.URL
	u.User = nil
	sum := sha256.Sum256([]byte(req.Method + " " + u.String() + "\n" + req.Header.Get("Accept")))
	k := hex.EncodeToString(sum[:])
	return filepath.Join(t.Dir, k[:2], k[2:])
}

// cacheable reports whether the cache may take part in req at all.
func cacheable(req *http.Request) bool {
	if req.Method != http.MethodGet && req.Method != "" {
		return false
	}
	h := req.Header
	// Requests that manage their own validation, ranges or encodings get
	// what the network says.
	return h.Get("Range") == "" && h.Get("If-None-Match") == "" &&
		h.Get("If-Modified-Since") == "" && h.Get("Accept-Encoding") == ""
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !cacheable(req) || t.Dir == "" {
		return t.fetch(req, "")
	}
	reqCC := parseCacheControl(req.Header)
	if reqCC.noStore {
		return t.fetch(req, "")
	}
	path := t.keyPath(req)
	ent, err := loadEntry(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			t.corrupt.Add(1)
		}
		return t.fetch(req, path)
	}
	if ent.Vary != varyKey(ent.Header, req) {
		ent.close()
		return t.fetch(req, path)
	}
	if !t.Refresh && !requestWantsRevalidation(req, reqCC) && ent.fresh(t.clock(), reqCC) {
		t.hits.Add(1)
		t.touch(path)
		return ent.response(req, "hit", t.clock()), nil
	}
	if !ent.hasValidators() {
		ent.close()
		return t.fetch(req, path)
	}
	return t.revalidate(req, path, ent)
}

// revalidate sends a conditional request for a stored entry.
func (t *Transport) revalidate(req *http.Request, path string, ent *entry) (*http.Response, error) {
	creq := req.Clone(req.Context())
	if etag := ent.Header.Get("ETag"); etag != "" {
		creq.Header.Set("If-None-Match", etag)
	}
	if lm := ent.Header.Get("Last-Modified"); lm != "" {
		creq.Header.Set("If-Modified-Since", lm)
	}
	sent := t.clock()
	resp, err := t.base().RoundTrip(creq)
	if err != nil {
		ent.close()
		return nil, err
	}
	if resp.StatusCode != http.StatusNotModified {
		ent.close()
		return t.handle(req, path, resp, sent)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	mergeHeaders(ent.Header, resp.Header)
	ent.ReqTime, ent.RespTime = sent.UnixNano(), t.clock().UnixNano()
	ent.Vary = varyKey(ent.Header, req)
	if parseCacheControl(ent.Header).noStore {
		os.Remove(path)
	} else if t.rewrite(path, ent) == nil {
		t.stores.Add(1)
	}
	t.revalidated.Add(1)
	return ent.response(req, "revalidated", t.clock()), nil
}

// fetch sends req unchanged and, when path is set, stores the response.
func (t *Transport) fetch(req *http.Request, path string) (*http.Response, error) {
	sent := t.clock()
	resp, err := t.base().RoundTrip(req)
	if err != nil {
		return nil, err
	}
	return t.handle(req, path, resp, sent)
}

// handle marks a network response and arranges for it to be stored.
func (t *Transport) handle(req *http.Request, path string, resp *http.Response, sent time.Time) (*http.Response, error) {
	t.misses.Add(1)
	resp.Header.Set(CacheHeader, "miss")
	if path == "" {
		return resp, nil
	}
	if !storable(resp) {
		if storableStatus(resp.StatusCode) {
			os.Remove(path) // superseded by a response that must not be kept
		}
		return resp, nil
	}
	tmp, err := t.tempFile(path)
	if err != nil {
		return resp, nil // caching is best effort
	}
	hdr := storedHeader(resp.Header)
	resp.Body = &storingBody{
		rc:   resp.Body,
		t:    t,
		path: path,
		tmp:  tmp,
		w:    bufio.NewWriterSize(tmp, 64<<10),
		want: resp.ContentLength,
		meta: meta{
			Status:   resp.StatusCode,
			Header:   hdr,
			ReqTime:  sent.UnixNano(),
			RespTime: t.clock().UnixNano(),
			Vary:     varyKey(hdr, req),
		},
	}
	return resp, nil
}

// touch records a use of the entry at path for least-recently-used
// eviction (see maintain.go). Best effort: a file evicted meanwhile is
// simply stored again next time.
func (t *Transport) touch(path string) {
	_ = os.Chtimes(path, time.Time{}, t.clock())
}

// tempFile creates a file in Dir/tmp, on the same file system as the
// entries so that the final rename is atomic. Leftovers of killed runs are
// swept once per Transport.
func (t *Transport) tempFile(path string) (*os.File, error) {
	// The temporary file sits beside its entry: one shared temp directory
	// made every concurrent store queue on that directory's lock in the
	// kernel (a cold scan spent half its CPU in openat there).
	dir := filepath.Dir(path)
	t.cleanOnce.Do(func() {
		old, _ := filepath.Glob(filepath.Join(t.Dir, "*", tmpPrefix+"*"))
		for _, p := range old {
			if info, err := os.Stat(p); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.Remove(p)
			}
		}
	})
	f, err := os.CreateTemp(dir, tmpPrefix)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o700); err == nil {
			f, err = os.CreateTemp(dir, tmpPrefix)
		}
	}
	return f, err
}

// tmpPrefix starts the names of entries being written; loadEntry never
// sees them, since entry names are hex digests.
const tmpPrefix = ".tmp-"

// response builds the http.Response served from a stored entry.
func (e *entry) response(req *http.Request, how string, now time.Time) *http.Response {
	h := e.Header.Clone()
	h.Set(CacheHeader, how)
	h.Set("Content-Length", strconv.FormatInt(e.Len, 10))
	h.Set("Age", strconv.FormatInt(int64(e.currentAge(now)/time.Second), 10))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status)),
		StatusCode:    e.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          e.bodyReader(),
		ContentLength: e.Len,
		Request:       req,
	}
}

// storingBody passes the network body through to the caller while copying
// it into a temp file; the file becomes the entry only at a clean EOF.
// Unlike io.TeeReader, a failing disk write only abandons the entry and
// never fails the caller's read.
type storingBody struct {
	rc   io.ReadCloser
	t    *Transport
	path string
	want int64 // Content-Length, or -1

	mu   sync.Mutex // guards the fields below; never held across rc.Read
	tmp  *os.File
	w    *bufio.Writer
	n    int64
	crc  uint32
	meta meta
}

func (b *storingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tmp == nil {
		return n, err
	}
	if n > 0 {
		if _, werr := b.w.Write(p[:n]); werr != nil {
			b.abort()
			return n, err
		}
		b.crc = crc32.Update(b.crc, crcTable, p[:n])
		b.n += int64(n)
	}
	switch {
	case err == io.EOF:
		b.commit()
	case err != nil:
		b.abort()
	}
	return n, err
}

func (b *storingBody) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	b.abort()
	b.mu.Unlock()
	return err
}

func (b *storingBody) commit() {
	if b.want >= 0 && b.n != b.want {
		b.abort()
		return
	}
	b.meta.Len, b.meta.CRC = b.n, b.crc
	if err := b.t.finish(b.tmp, b.w, &b.meta, b.path); err != nil {
		b.abort()
		return
	}
	b.t.stores.Add(1)
	b.tmp = nil
}

func (b *storingBody) abort() {
	if b.tmp == nil {
		return
	}
	b.tmp.Close()
	os.Remove(b.tmp.Name())
	b.tmp = nil
}
