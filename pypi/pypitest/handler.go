package pypitest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	mimeTextHTML = "text/html"
	mimeHTML     = "application/vnd.pypi.simple.v1+html"
	mimeJSON     = "application/vnd.pypi.simple.v1+json"
)

type kind int

const (
	kindOther kind = iota
	kindIndex
	kindProject
	kindFile
	kindMetadata
	kindAPI
)

// route is what a request path refers to.
type route struct {
	kind     kind
	name     string // project name as requested (kindProject, kindAPI)
	version  string // kindAPI
	redirect string // canonical path to redirect to, if not already there
	file     *file  // kindFile / kindMetadata, nil when unknown
}

// statusWriter remembers the status so that 304s can be counted whoever
// writes them (our pages or http.ServeContent).
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw}
	defer func() {
		if w.code == http.StatusNotModified {
			s.counts.notModified.Add(1)
		}
	}()
	s.counts.total.Add(1)
	rt := s.route(r.URL.Path)
	scope := ""
	switch rt.kind {
	case kindIndex:
		s.counts.index.Add(1)
	case kindProject:
		s.counts.project.Add(1)
		scope = normalize(rt.name)
	case kindFile:
		s.counts.file.Add(1)
	case kindMetadata:
		s.counts.metadata.Add(1)
	case kindAPI:
		s.counts.jsonAPI.Add(1)
		// Without the API the path is as foreign as any other: it must not
		// use up a project's fault.
		if s.cfg.jsonAPI && rt.name != "" {
			scope = normalize(rt.name)
		}
	}
	if rt.file != nil {
		scope = rt.file.project
	}

	if !s.wait(r, time.Duration(s.latency.Load())) {
		return
	}
	if rt.kind == kindFile && rt.file != nil && !s.passGate(r, rt.file.spec.Filename) {
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="pypitest"`)
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	fault, _ := s.takeFault(scope)
	if fault.Hang {
		s.wait(r, -1)
		return
	}
	if fault.Status != 0 {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		http.Error(w, fmt.Sprintf("%d %s (pypitest fault)", fault.Status, http.StatusText(fault.Status)), fault.Status)
		return
	}

	if rt.redirect != "" {
		target := rt.redirect
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	switch rt.kind {
	case kindIndex:
		s.servePage(w, r, "", fault)
	case kindProject:
		s.servePage(w, r, rt.name, fault)
	case kindFile, kindMetadata:
		if rt.file == nil {
			http.NotFound(w, r)
			return
		}
		s.serveFile(w, r, rt.file, rt.kind == kindMetadata, fault)
	case kindAPI:
		s.serveJSONAPI(w, r, rt.name, rt.version, fault)
	default:
		http.NotFound(w, r)
	}
}

// wait sleeps for d (forever when d < 0) and reports whether to go on. A
// closing server aborts the connection rather than answer.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d == 0 {
		return true
	}
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) route(path string) route {
	switch {
	case path == "/simple":
		return route{kind: kindIndex, redirect: "/simple/"}
	case path == "/simple/":
		return route{kind: kindIndex}
	case strings.HasPrefix(path, "/simple/"):
		rest := strings.TrimPrefix(path, "/simple/")
		name := strings.TrimSuffix(rest, "/")
		if name == "" || strings.Contains(name, "/") {
			return route{kind: kindProject, name: "\x00invalid"}
		}
		rt := route{kind: kindProject, name: name}
		if canonical := normalize(name); canonical != name || !strings.HasSuffix(rest, "/") {
			rt.redirect = "/simple/" + canonical + "/"
		}
		return rt
	case strings.HasPrefix(path, "/files/"):
		name := strings.TrimPrefix(path, "/files/")
		s.mu.RLock()
		defer s.mu.RUnlock()
		if f := s.files[name]; f != nil {
			return route{kind: kindFile, file: f}
		}
		if base, ok := strings.CutSuffix(name, ".metadata"); ok {
			if f := s.files[base]; f != nil && f.metadata != nil {
				return route{kind: kindMetadata, file: f}
			}
			return route{kind: kindMetadata}
		}
		return route{kind: kindFile}
	case strings.HasPrefix(path, "/pypi/"):
		parts := strings.Split(strings.TrimPrefix(path, "/pypi/"), "/")
		if len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] == "json" {
			return route{kind: kindAPI, name: parts[0], version: parts[1]}
		}
		return route{kind: kindAPI}
	}
	return route{kind: kindOther}
}

// servePage answers the root page (name "") or a project page.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, name string, fault Fault) {
	ct := s.negotiate(r.Header.Get("Accept"))
	if ct == "" {
		http.Error(w, "406 Not Acceptable: this index serves "+mimeJSON, http.StatusNotAcceptable)
		return
	}
	var (
		body   []byte
		mod    time.Time
		serial int64
		found  = true
	)
	s.mu.RLock()
	if name == "" {
		body, mod, serial = s.rootPage(ct), s.rootMod, s.serial
	} else if p := s.projects[normalize(name)]; p != nil {
		body, mod, serial = s.projectPage(p, ct), p.modified, p.serial
	} else {
		found = false
	}
	s.mu.RUnlock()
	if !found {
		http.NotFound(w, r)
		return
	}

	h := w.Header()
	h.Set("Vary", "Accept, Accept-Encoding")
	h.Set("Cache-Control", fmt.Sprintf("max-age=%d, public", s.cfg.maxAge))
	h.Set("X-PyPI-Last-Serial", strconv.FormatInt(serial, 10))
	conditional := true
	if fault.Garbage {
		body, conditional = garbage(ct, 0), false
	}
	if fault.WrongContentType {
		ct = "text/plain"
	}
	if ct != mimeJSON {
		ct += "; charset=utf-8"
	}
	s.writeEntity(w, r, ct, body, mod, conditional)
}

// writeEntity sends a page-like body: gzipped when the client accepts it
// and, when conditional, with an ETag and Last-Modified honoured by
// conditional requests.
func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, ct string, body []byte, mod time.Time, conditional bool) {
	h := w.Header()
	if s.cfg.gzip && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = s.gzipped(body)
		h.Set("Content-Encoding", "gzip")
	}
	if conditional {
		etag := `"` + hexSHA256(append([]byte(ct+"\n"), body...))[:40] + `"`
		h.Set("ETag", etag)
		if !mod.IsZero() {
			h.Set("Last-Modified", mod.Format(http.TimeFormat))
		}
		if notModified(r, etag, mod) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, f *file, metadata bool, fault Fault) {
	data, sum, ct := f.spec.Data, f.sha256, "application/octet-stream"
	if metadata {
		data, sum, ct = f.metadata, f.metaSHA, "text/plain; charset=utf-8"
	}
	h := w.Header()
	h.Set("Cache-Control", "max-age=365000000, immutable, public")
	if fault.WrongContentType {
		ct = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	if fault.Garbage {
		data := garbage(ct, len(data))
		h.Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(data)
		}
		return
	}
	h.Set("ETag", `"`+sum+`"`)
	// ServeContent brings Range requests (pip's lazy wheels) and the
	// conditional-request logic.
	http.ServeContent(w, r, "", f.modified, bytes.NewReader(data))
}

// negotiate picks the representation the way PyPI does: the offers are
// text/html, v1+html, v1+json in that order; the client's q-values rank
// them and ties keep that order. No acceptable offer falls back to
// text/html, or "" (406) when HTML is switched off.
func (s *Server) negotiate(accept string) string {
	var offers []string
	if s.cfg.html {
		offers = append(offers, mimeTextHTML, mimeHTML)
	}
	if s.cfg.json {
		offers = append(offers, mimeJSON)
	}
	if strings.TrimSpace(accept) == "" {
		return offers[0]
	}
	type rng struct {
		typ string
		q   float64
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		// PEP 691 lets clients ask for "latest", which is v1 here.
		mt = strings.Replace(mt, "application/vnd.pypi.simple.latest+", "application/vnd.pypi.simple.v1+", 1)
		ranges = append(ranges, rng{mt, q})
	}
	qs := make([]float64, len(offers))
	for i, o := range offers {
		best := 0 // specificity of the matching range: 3 exact, 2 type/*, 1 */*
		for _, r := range ranges {
			spec := 0
			switch {
			case r.typ == o:
				spec = 3
			case strings.HasSuffix(r.typ, "/*") && strings.HasPrefix(o, strings.TrimSuffix(r.typ, "*")):
				spec = 2
			case r.typ == "*/*":
				spec = 1
			}
			if spec > best {
				best, qs[i] = spec, r.q
			}
		}
	}
	idx := make([]int, len(offers))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return qs[idx[a]] > qs[idx[b]] })
	if qs[idx[0]] > 0 {
		return offers[idx[0]]
	}
	if s.cfg.html {
		return mimeTextHTML
	}
	return ""
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if c := strings.TrimSpace(coding); c != "gzip" && c != "*" {
			continue
		}
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// gzipped compresses b with a pooled writer: a new gzip.Writer allocates
// about 800 KB, which made the server, not the client under test, the
// bottleneck of a 1,000-project benchmark on two cores.
func (s *Server) gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := s.gz.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(&buf)
	} else {
		zw.Reset(&buf)
	}
	_, _ = zw.Write(b) // a bytes.Buffer cannot fail
	_ = zw.Close()
	s.gz.Put(zw)
	return buf.Bytes()
}

// notModified evaluates If-None-Match (weak comparison, RFC 9110) and,
// only in its absence, If-Modified-Since.
func notModified(r *http.Request, etag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !mod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !mod.After(t)
	}
	return false
}
