package pip

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pypitest"
)

// metaWheel is the distribution the candidateMetadata tests describe.
var metaWheel = pypitest.WheelSpec{Name: "Demo_Pkg", Version: "2.0", Summary: "demo", RequiresPython: ">=3.8",
	Requires: []string{"dep>=1", `win; sys_platform == "win32"`}}

const metaWheelRequires = `dep>=1|win; sys_platform == "win32"`

// lying is metadata that no answer may be taken from: a PEP 658 file that
// does not match its hash, or a main index describing another index's file.
var lying = []byte("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 2.0\nRequires-Dist: evil\n")

func withMetadata(md []byte) pypitest.FileOption {
	return func(f *pypitest.FileSpec) { f.Metadata = md }
}

// metaEnv is an Env with only what candidateMetadata needs (no
// interpreter) and a finder on the given index.
func metaEnv(t *testing.T, indexURL string, findOn ...string) (*Env, *pypi.Finder) {
	t.Helper()
	c, err := pypi.NewClient(pypi.ClientOptions{Retries: -1, CacheDir: filepath.Join(t.TempDir(), "http"), NetrcPath: filepath.Join(t.TempDir(), "netrc")})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := pep440.Parse("3.11.7")
	if err != nil {
		t.Fatal(err)
	}
	if len(findOn) == 0 {
		findOn = []string{indexURL}
	}
	f := &pypi.Finder{Client: c, Indexes: findOn, Target: pypi.Target{
		PythonVersion: pv, PyVersion: "3.11", Tags: pypi.NewTagSet([]pypi.Tag{{Interpreter: "py3", ABI: "none", Platform: "any"}}),
	}}
	return &Env{Config: IndexConfig{IndexURL: indexURL}, CacheDir: t.TempDir(), client: c}, f
}

func findCandidate(t *testing.T, f *pypi.Finder, name string) CandidateFile {
	t.Helper()
	res, err := f.Find(context.Background(), name, false)
	if err != nil || res.Best == nil {
		t.Fatalf("find %s: %v, %+v", name, err, res)
	}
	return candidateFile(res.Best)
}

func TestCandidateMetadataSources(t *testing.T) {
	sdist := func(srv *pypitest.Server, md []byte) error {
		name, data := pypitest.BuildSdist("demo-pkg", "2.0")
		// The upload's metadata is known to the JSON API only, as on pypi.org.
		return srv.Add(pypitest.FileSpec{Project: "demo-pkg", Filename: name, Data: data, Metadata: md, NoMetadata: true})
	}
	cases := []struct {
		name      string
		jsonAPI   bool
		add       func(*pypitest.Server) error
		elsewhere bool // the file is on a second index; the main one has the JSON API and lies
		requires  string
		err       string          // substring of the error
		counts    pypitest.Counts // File, Metadata, JSONAPI on the file's server
	}{
		{name: "PEP 658", jsonAPI: true,
			add:      func(s *pypitest.Server) error { return s.AddWheel(metaWheel) },
			requires: metaWheelRequires, counts: pypitest.Counts{Metadata: 1}},
		{name: "PEP 658 hash mismatch, wheel read instead",
			add: func(s *pypitest.Server) error {
				return s.AddWheel(metaWheel, withMetadata(lying), pypitest.WithWrongMetadataHash())
			},
			requires: metaWheelRequires, counts: pypitest.Counts{Metadata: 1, JSONAPI: 1, File: 1}},
		{name: "PEP 658 hash mismatch, JSON API used instead", jsonAPI: true,
			add:      func(s *pypitest.Server) error { return s.AddWheel(metaWheel, pypitest.WithWrongMetadataHash()) },
			requires: metaWheelRequires, counts: pypitest.Counts{Metadata: 1, JSONAPI: 1}},
		{name: "PEP 658 of another version, wheel read instead",
			add: func(s *pypitest.Server) error {
				return s.AddWheel(metaWheel, withMetadata([]byte("Name: demo-pkg\nVersion: 1.0\nRequires-Dist: old\n")))
			},
			requires: metaWheelRequires, counts: pypitest.Counts{Metadata: 1, JSONAPI: 1, File: 1}},
		{name: "no PEP 658, JSON API", jsonAPI: true,
			add:      func(s *pypitest.Server) error { return s.AddWheel(metaWheel, pypitest.WithoutMetadata()) },
			requires: metaWheelRequires, counts: pypitest.Counts{JSONAPI: 1}},
		{name: "no PEP 658, no JSON API: the wheel",
			add:      func(s *pypitest.Server) error { return s.AddWheel(metaWheel, pypitest.WithoutMetadata()) },
			requires: metaWheelRequires, counts: pypitest.Counts{JSONAPI: 1, File: 1}},
		{name: "JSON API of another host is not asked", elsewhere: true,
			add:      func(s *pypitest.Server) error { return s.AddWheel(metaWheel, pypitest.WithoutMetadata()) },
			requires: metaWheelRequires, counts: pypitest.Counts{File: 1}},
		{name: "wheel that does not match its hash",
			add: func(s *pypitest.Server) error {
				return s.AddWheel(metaWheel, pypitest.WithoutMetadata(), pypitest.WithWrongHash())
			},
			err: "demo_pkg-2.0-py3-none-any.whl (http://127.0.0.1", counts: pypitest.Counts{JSONAPI: 1, File: 1}},
		{name: "sdist, JSON API", jsonAPI: true,
			add:      func(s *pypitest.Server) error { return sdist(s, lying) },
			requires: "evil", counts: pypitest.Counts{JSONAPI: 1}},
		{name: "sdist, no metadata anywhere",
			add: func(s *pypitest.Server) error { return sdist(s, nil) },
			err: "demo_pkg-2.0.tar.gz is a source distribution and the index serves no metadata for it", counts: pypitest.Counts{JSONAPI: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []pypitest.Option
			if c.jsonAPI {
				opts = append(opts, pypitest.WithJSONAPI())
			}
			srv := pypitest.NewServer(opts...)
			t.Cleanup(srv.Close)
			if err := c.add(srv); err != nil {
				t.Fatal(err)
			}
			main := srv
			if c.elsewhere {
				main = pypitest.NewServer(pypitest.WithJSONAPI())
				t.Cleanup(main.Close)
				if err := main.AddWheel(metaWheel, withMetadata(lying)); err != nil {
					t.Fatal(err)
				}
			}
			e, finder := metaEnv(t, main.IndexURL(), srv.IndexURL())
			cand := findCandidate(t, finder, "demo-pkg")
			srv.ResetCounts()
			main.ResetCounts()
			md, err := e.candidateMetadata(context.Background(), "Demo.Pkg", "2.0", cand)
			switch {
			case c.err != "":
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "metadata of Demo.Pkg 2.0: ") {
					t.Errorf("error %v, want one containing %q", err, c.err)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case strings.Join(md.RequiresDist, "|") != c.requires:
				t.Errorf("requires %q, want %q", md.RequiresDist, c.requires)
			case c.requires == metaWheelRequires && (md.Summary != "demo" || md.RequiresPython != ">=3.8"):
				t.Errorf("metadata %+v", md)
			}
			got := srv.Requests()
			if got := (pypitest.Counts{File: got.File, Metadata: got.Metadata, JSONAPI: got.JSONAPI}); got != c.counts {
				t.Errorf("requests %+v, want %+v", got, c.counts)
			}
			if c.elsewhere && main.Requests().Total != 0 {
				t.Errorf("the main index was asked about another index's file: %+v", main.Requests())
			}
		})
	}
}

func TestCandidateMetadataCached(t *testing.T) {
	srv := pypitest.NewServer(pypitest.WithLatency(50 * time.Millisecond))
	t.Cleanup(srv.Close)
	if err := srv.AddWheel(metaWheel, pypitest.WithoutMetadata()); err != nil {
		t.Fatal(err)
	}
	e, finder := metaEnv(t, srv.IndexURL())
	cand := findCandidate(t, finder, "demo-pkg")
	srv.ResetCounts()
	// Concurrent callers share one fetch; later ones (any spelling, any
	// form of the version) are answered from the Env.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name, version := "demo-pkg", "2.0"
			if i%2 == 1 {
				name, version = "Demo_Pkg", "2.0.0"
			}
			md, err := e.candidateMetadata(context.Background(), name, version, cand)
			if err == nil && strings.Join(md.RequiresDist, "|") != metaWheelRequires {
				t.Errorf("requires %q", md.RequiresDist)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if c := srv.Requests(); c.File != 1 || c.JSONAPI != 1 {
		t.Errorf("concurrent calls: %+v, want one JSON API try and one wheel download", c)
	}
	srv.ResetCounts()
	md, err := e.candidateMetadata(context.Background(), "DEMO.PKG", "2.0", cand)
	if err != nil || len(md.RequiresDist) != 2 {
		t.Fatalf("cached: %+v, %v", md, err)
	}
	md.RequiresDist[0] = "changed by the caller"
	if c := srv.Requests(); c.Total != 0 {
		t.Errorf("second call made requests: %+v", c)
	}
	if md, _ := e.candidateMetadata(context.Background(), "demo-pkg", "2.0", cand); md.RequiresDist[0] != "dep>=1" {
		t.Errorf("a caller's change reached the cache: %q", md.RequiresDist)
	}

	// A failure is not cached: the next call tries again. (The file is
	// 2.0's, so its metadata is refused for 3.0.)
	if _, err := e.candidateMetadata(context.Background(), "demo-pkg", "3.0", cand); err == nil || !strings.Contains(err.Error(), `metadata says version "2.0", not "3.0"`) {
		t.Fatalf("2.0's file described 3.0: %v", err)
	}
	// (The requests it makes are not counted: the JSON API's "not found"
	// is kept for the Env's life, and the wheel is in the HTTP cache.)
	if e.metadata.kept("demo-pkg 3") {
		t.Error("failure was cached")
	}
	if _, err := e.candidateMetadata(context.Background(), "demo-pkg", "3.0", cand); err == nil {
		t.Error("second try: no error")
	}
}

// Credentials of the index never show in the errors.
func TestCandidateMetadataErrorsRedacted(t *testing.T) {
	srv := pypitest.NewServer(pypitest.WithBasicAuth("user", "s3cret"))
	t.Cleanup(srv.Close)
	if err := srv.AddWheel(metaWheel, pypitest.WithWrongMetadataHash(), pypitest.WithWrongHash()); err != nil {
		t.Fatal(err)
	}
	index := strings.Replace(srv.IndexURL(), "http://", "http://user:s3cret@", 1)
	e, finder := metaEnv(t, index)
	cand := findCandidate(t, finder, "demo-pkg")
	cand.URL = strings.Replace(cand.URL, "http://", "http://user:s3cret@", 1)
	cand.MetadataURL = cand.URL + ".metadata"
	_, err := e.candidateMetadata(context.Background(), "demo-pkg", "2.0", cand)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret") || strings.Count(msg, "sha256") != 2 || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want both hash failures on one line, without the password", msg)
	}
}

// With no PEP 658 files on the index, a lift is still found: from the JSON
// API when the index has one, else from the dependent's wheel.
func TestScanLiftWithoutPEP658(t *testing.T) {
	py, _ := holdFixture(t)
	for _, jsonAPI := range []bool{false, true} {
		var opts []pypitest.Option
		if jsonAPI {
			opts = append(opts, pypitest.WithJSONAPI())
		}
		srv := pypitest.NewServer(opts...)
		t.Cleanup(srv.Close)
		for _, s := range holdIndex {
			if err := srv.AddWheel(s, pypitest.WithoutMetadata()); err != nil {
				t.Fatal(err)
			}
		}
		f := &scanFixture{srv: srv, python: py}
		checked, _, _, done := drain(t, f.open(t, Options{}).Scan(context.Background(), ScanRequest{}))
		if done.Err != nil {
			t.Fatal(done.Err)
		}
		if l := checked["dep"].Lift; l == nil || l.To != "2.0" || len(l.With) != 1 || l.With[0] != (PlannedUpgrade{"holder", "1.0", "2.0"}) {
			t.Errorf("JSON API %v: dep: lift %+v, want holder 1.0 -> 2.0 freeing dep 2.0", jsonAPI, l)
		}
		c := srv.Requests()
		if c.Metadata != 0 || (jsonAPI && (c.File != 0 || c.JSONAPI == 0)) || (!jsonAPI && c.File == 0) {
			t.Errorf("JSON API %v: requests %+v", jsonAPI, c)
		}
	}
}
