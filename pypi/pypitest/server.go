package pypitest

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a package index on 127.0.0.1. The simple index is at
// URL+"/simple/", distribution files at URL+"/files/<filename>" and PEP 658
// metadata at URL+"/files/<filename>.metadata"; WithJSONAPI adds PyPI's
// per-version JSON at URL+"/pypi/<name>/<version>/json". It is safe to add files,
// set faults and read counters while requests are being served.
type Server struct {
	URL string // e.g. http://127.0.0.1:PORT, no trailing slash

	ts      *httptest.Server
	cfg     config
	latency atomic.Int64
	done    chan struct{}
	once    sync.Once
	counts  counters
	gz      sync.Pool // *gzip.Writer

	mu       sync.RWMutex
	projects map[string]*project // by normalised name
	files    map[string]*file    // by file name
	faults   map[string]*faultState
	vulns    map[string][]Vulnerability // by "name version" (normalised, lower case)
	gates    map[string]chan struct{}   // held answers (hold.go): by file name, or apiGateKey
	clock    time.Time                  // last modification time handed out
	serial   int64
	rootMod  time.Time
}

type project struct {
	display, name string
	files         []*file
	modified      time.Time
	serial        int64
}

type file struct {
	spec     FileSpec
	project  string // normalised
	version  string // parsed from the file name, "" when unknown
	sha256   string // hex of the real data
	advert   string // hex advertised in pages ("" with NoHash)
	metadata []byte // nil when there is none to serve
	metaSHA  string
	// core is the core metadata the index knows of the file (what an
	// upload declares), served by the JSON API even when metadata is not.
	core     []byte
	modified time.Time
}

// FileSpec describes one distribution file offered for a project.
type FileSpec struct {
	Project  string // display name; stored under the normalised name
	Filename string
	Data     []byte
	// RequiresPython is advertised as data-requires-python / "requires-python".
	RequiresPython string
	Yanked         bool
	YankedReason   string // implies Yanked when set
	NoHash         bool   // omit the #sha256= fragment and the JSON hashes
	WrongHash      bool   // advertise a sha256 that does not match Data
	// Metadata is served as the PEP 658 .metadata file and describes the
	// version in the JSON API; the default for a wheel is its own METADATA.
	// NoMetadata turns the PEP 658 file off (the JSON API still knows it).
	Metadata   []byte
	NoMetadata bool
	// WrongMetadataHash advertises a sha256 for the PEP 658 file that does
	// not match it.
	WrongMetadataHash bool
	// UploadTime is served as PEP 700's "upload-time" on JSON pages; zero
	// leaves the key out, as an index that does not record it does. HTML
	// pages never carry it.
	UploadTime time.Time
}

// FileOption adjusts the FileSpec that AddWheel builds.
type FileOption func(*FileSpec)

// Yank marks the file yanked, with an optional reason.
func Yank(reason string) FileOption {
	return func(f *FileSpec) { f.Yanked, f.YankedReason = true, reason }
}

// AdvertiseRequiresPython overrides the advertised Requires-Python (by
// default the wheel's own), e.g. to make page and METADATA disagree.
func AdvertiseRequiresPython(spec string) FileOption {
	return func(f *FileSpec) { f.RequiresPython = spec }
}

// UploadedAt sets the file's upload time (PEP 700 "upload-time").
func UploadedAt(t time.Time) FileOption { return func(f *FileSpec) { f.UploadTime = t } }

// WithoutHash omits the hash from the pages.
func WithoutHash() FileOption { return func(f *FileSpec) { f.NoHash = true } }

// WithWrongHash advertises a sha256 that does not match the file.
func WithWrongHash() FileOption { return func(f *FileSpec) { f.WrongHash = true } }

// WithoutMetadata turns off the PEP 658 metadata file.
func WithoutMetadata() FileOption { return func(f *FileSpec) { f.NoMetadata = true } }

// WithWrongMetadataHash advertises a sha256 that does not match the PEP 658
// metadata file.
func WithWrongMetadataHash() FileOption { return func(f *FileSpec) { f.WrongMetadataHash = true } }

// Counts are request counters; each request is counted once in Total and
// once in the class its path belongs to (Index for /simple/, Project for
// /simple/<name>/ including redirects and 404s, File, Metadata, JSONAPI for
// anything under /pypi/, served or not), whatever the answer. NotModified
// counts 304 answers of any class.
type Counts struct {
	Index, Project, File, Metadata, JSONAPI, NotModified, Total int64
}

type counters struct {
	index, project, file, metadata, jsonAPI, notModified, total atomic.Int64
}

// Option configures a Server.
type Option func(*config)

type config struct {
	latency        time.Duration
	html, json     bool
	jsonAPI        bool
	maxAge         int
	user, password string
	auth           bool
	gzip           bool
	listener       net.Listener
	tls            *tls.Config
}

// WithLatency delays every response by d.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithFormats chooses which Simple API forms the server offers: PEP 503 HTML
// and/or PEP 691 JSON. The default is both. At least one must be true.
func WithFormats(html, json bool) Option {
	return func(c *config) { c.html, c.json = html, json }
}

// WithJSONAPI makes the server also answer PyPI's per-version JSON API,
// GET /pypi/<name>/<version>/json, whose "info" describes the version from
// its files' core metadata as pypi.org does. Without it /pypi/ is 404, as
// on most private indexes.
func WithJSONAPI() Option { return func(c *config) { c.jsonAPI = true } }

// WithMaxAge sets Cache-Control max-age on simple pages (default 600, as PyPI).
func WithMaxAge(seconds int) Option { return func(c *config) { c.maxAge = seconds } }

// WithBasicAuth makes every request need these HTTP basic credentials.
func WithBasicAuth(user, password string) Option {
	return func(c *config) { c.user, c.password, c.auth = user, password, true }
}

// WithGzip turns gzip encoding of simple pages on or off (default on, as
// PyPI); it applies only when the request accepts gzip.
func WithGzip(on bool) Option { return func(c *config) { c.gzip = on } }

// WithListener serves on l instead of a fresh 127.0.0.1:0 listener.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithTLS serves https with this configuration (its certificates, and
// ClientAuth/ClientCAs for a server that requires client certificates);
// URL is then https://127.0.0.1:port.
func WithTLS(conf *tls.Config) Option { return func(c *config) { c.tls = conf } }

// NewServer starts a server; Close it when done. It panics on a
// contradictory configuration, as httptest.NewServer does on failure.
func NewServer(opts ...Option) *Server {
	cfg := config{html: true, json: true, maxAge: 600, gzip: true}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.html && !cfg.json {
		panic("pypitest: WithFormats(false, false) leaves nothing to serve")
	}
	s := &Server{
		cfg:      cfg,
		done:     make(chan struct{}),
		projects: map[string]*project{},
		files:    map[string]*file{},
		faults:   map[string]*faultState{},
	}
	s.latency.Store(int64(cfg.latency))
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.listener != nil {
		s.ts.Listener.Close()
		s.ts.Listener = cfg.listener
	}
	if cfg.tls != nil {
		// A refused client certificate is what some tests are about; the
		// server's log line for each handshake would only be noise.
		s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
		s.ts.TLS = cfg.tls
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
	return s
}

// Close stops the server, aborting hanging requests.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// IndexURL is the simple index root, URL+"/simple/".
func (s *Server) IndexURL() string { return s.URL + "/simple/" }

// Client returns an HTTP client configured for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// SetLatency changes the delay added to every response.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// Requests returns the request counters.
func (s *Server) Requests() Counts {
	c := &s.counts
	return Counts{
		Index: c.index.Load(), Project: c.project.Load(), File: c.file.Load(),
		Metadata: c.metadata.Load(), JSONAPI: c.jsonAPI.Load(), NotModified: c.notModified.Load(), Total: c.total.Load(),
	}
}

// ResetCounts sets all counters to zero.
func (s *Server) ResetCounts() {
	for _, c := range []*atomic.Int64{&s.counts.index, &s.counts.project, &s.counts.file,
		&s.counts.metadata, &s.counts.jsonAPI, &s.counts.notModified, &s.counts.total} {
		c.Store(0)
	}
}

// Add offers a distribution file for a project, creating the project when
// needed. File names are unique across the server, as on PyPI.
func (s *Server) Add(f FileSpec) error {
	if f.Project == "" || f.Filename == "" || strings.ContainsAny(f.Filename, "/\\") {
		return fmt.Errorf("add file %q for project %q: project and a plain file name are required", f.Filename, f.Project)
	}
	f.Data = append([]byte(nil), f.Data...)
	if f.YankedReason != "" {
		f.Yanked = true
	}
	nf := &file{spec: f, project: normalize(f.Project), version: versionOf(f.Filename)}
	nf.sha256 = hexSHA256(f.Data)
	switch {
	case f.NoHash:
	case f.WrongHash:
		nf.advert = hexSHA256(append([]byte("wrong:"), f.Data...))
	default:
		nf.advert = nf.sha256
	}
	switch {
	case f.Metadata != nil:
		nf.core = append([]byte(nil), f.Metadata...)
	case strings.HasSuffix(f.Filename, ".whl"):
		nf.core, _ = wheelMetadata(f.Data)
	}
	if !f.NoMetadata && nf.core != nil {
		nf.metadata, nf.metaSHA = nf.core, hexSHA256(nf.core)
		if f.WrongMetadataHash {
			nf.metaSHA = hexSHA256(append([]byte("wrong:"), nf.core...))
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.files[f.Filename]; dup {
		return fmt.Errorf("add file %q: a file of that name already exists", f.Filename)
	}
	p := s.projects[nf.project]
	if p == nil {
		p = &project{display: f.Project, name: nf.project}
		s.projects[nf.project] = p
	}
	now := s.tick()
	s.serial++
	nf.modified = now
	p.files = append(p.files, nf)
	p.modified, p.serial = now, s.serial
	s.rootMod = now
	s.files[f.Filename] = nf
	return nil
}

// AddWheel builds the wheel and adds it, advertising the wheel's own
// Requires-Python unless an option says otherwise.
func (s *Server) AddWheel(spec WheelSpec, opts ...FileOption) error {
	name, data, err := BuildWheel(spec)
	if err != nil {
		return err
	}
	f := FileSpec{Project: spec.Name, Filename: name, Data: data, RequiresPython: spec.RequiresPython}
	for _, o := range opts {
		o(&f)
	}
	return s.Add(f)
}

// WriteFindLinksDir copies the files of the given projects (all when none
// are named) into dir, for pip's --find-links.
func (s *Server) WriteFindLinksDir(dir string, projects ...string) error {
	want := map[string]bool{}
	for _, p := range projects {
		want[normalize(p)] = true
	}
	s.mu.RLock()
	var files []*file
	for _, f := range s.files {
		if len(want) == 0 || want[f.project] {
			files = append(files, f)
		}
	}
	s.mu.RUnlock()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.spec.Filename), f.spec.Data, 0o644); err != nil {
			return fmt.Errorf("write find-links dir: %w", err)
		}
	}
	return nil
}

// tick hands out a modification time strictly after the previous one, so
// that Last-Modified/If-Modified-Since stay correct when files are added
// within the same second. Callers hold s.mu.
func (s *Server) tick() time.Time {
	t := time.Now().UTC().Truncate(time.Second)
	if !t.After(s.clock) {
		t = s.clock.Add(time.Second)
	}
	s.clock = t
	return t
}

// projectNames returns the projects sorted by normalised name.
func (s *Server) projectNames() []*project {
	out := make([]*project, 0, len(s.projects))
	for _, p := range s.projects {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Server) authorized(r *http.Request) bool {
	if !s.cfg.auth {
		return true
	}
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.cfg.user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.cfg.password)) == 1
}

// versionOf extracts the version from a wheel or sdist file name.
func versionOf(filename string) string {
	if base, ok := strings.CutSuffix(filename, ".whl"); ok {
		if parts := strings.Split(base, "-"); len(parts) >= 5 {
			return parts[1]
		}
		return ""
	}
	for _, ext := range []string{".tar.gz", ".zip", ".tar.bz2", ".tgz"} {
		if base, ok := strings.CutSuffix(filename, ext); ok {
			if i := strings.LastIndex(base, "-"); i > 0 {
				return base[i+1:]
			}
		}
	}
	return ""
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
