package pypi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
)

// pageFixture is a hand-written page under testdata/page, rendered the way
// a real index renders it, with the URL it is served from.
type pageFixture struct {
	file, pageURL string
}

var pageFixtures = []pageFixture{
	{"pypi-requests.html", "https://pypi.org/simple/requests/"},
	{"devpi.html", "http://localhost:3141/root/pypi/+simple/pluggy/"},
	{"artifactory.html", "https://deploy:s3cr3t@artifactory.example.com/artifactory/api/pypi/pypi-remote/simple/six/"},
	{"httpserver.html", "http://127.0.0.1:8000/wheels/"},
	{"pip-testdata.html", "file:///tmp/pip-data/indexes/simple/simple/index.html"},
	{"edge.html", "https://idx.example/simple/edge/"},
	{"base.html", "https://idx.example/simple/based/"},
	{"pypi-requests.json", "https://pypi.org/simple/requests/"},
	{"edge.json", "https://idx.example/simple/edge/"},
}

func (f pageFixture) contentType() string {
	if strings.HasSuffix(f.file, ".json") {
		return "application/vnd.pypi.simple.v1+json"
	}
	return "text/html; charset=utf-8"
}

// oracleLink is what the oracle script reports for one pip Link.
type oracleLink struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython string            `json:"requires_python"`
	Yanked         bool              `json:"yanked"`
	YankedReason   string            `json:"yanked_reason"`
	Metadata       bool              `json:"metadata"`
	MetadataHashes map[string]string `json:"metadata_hashes"`
}

func linkFromFile(f File) oracleLink {
	l := oracleLink{
		Filename: f.Filename, URL: f.URL, Hashes: f.Hashes, RequiresPython: f.RequiresPython,
		Yanked: f.Yanked, YankedReason: f.YankedReason, Metadata: f.CoreMetadata, MetadataHashes: f.CoreMetadataHashes,
	}
	if l.Hashes == nil {
		l.Hashes = map[string]string{}
	}
	if l.MetadataHashes == nil {
		l.MetadataHashes = map[string]string{}
	}
	return l
}

type oraclePage struct {
	Content     string `json:"content"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

type oracleRequest struct {
	Pages    []oraclePage `json:"pages"`
	Wheels   []string     `json:"wheels"`
	Sdists   [][2]string  `json:"sdists"`
	Splitext []string     `json:"splitext"`
	Names    []string     `json:"names"`
}

type oracleResponse struct {
	Pip    string `json:"pip"`
	Python string `json:"python"`
	Pages  []struct {
		Links []oracleLink `json:"links"`
		Error string       `json:"error"`
	} `json:"pages"`
	Tags   []string `json:"tags"`
	Wheels []struct {
		Name     string   `json:"name"`
		Version  string   `json:"version"`
		Build    string   `json:"build"`
		Tags     []string `json:"tags"`
		Priority int      `json:"priority"`
		Error    string   `json:"error"`
	} `json:"wheels"`
	Sdists    []*string   `json:"sdists"`
	Splitext  [][2]string `json:"splitext"`
	Supported []string    `json:"supported_extensions"`
	Names     []string    `json:"names"`
}

// oracleScript asks python3's own pip (whatever version it is): parse_links on each page, Wheel on
// each file name, _extract_version_from_fragment, splitext and
// canonicalize_name, plus the interpreter's supported tags.
const oracleScript = `
import json, sys
import pip
from pip._internal.index.collector import parse_links, IndexContent
from pip._internal.models.wheel import Wheel
from pip._internal.index.package_finder import _extract_version_from_fragment
from pip._internal.utils.misc import splitext
from pip._internal.utils.unpacking import SUPPORTED_EXTENSIONS
from pip._internal.utils.compatibility_tags import get_supported
from pip._vendor.packaging.utils import canonicalize_name

req = json.load(sys.stdin)
out = {"pip": pip.__version__, "python": sys.version.split()[0], "pages": [], "wheels": []}
for p in req["pages"]:
    try:
        page = IndexContent(p["content"].encode("utf-8"), p["content_type"], None, p["url"], cache_link_parsing=False)
        links = []
        for l in parse_links(page):
            m = l.metadata_file_data
            links.append({"filename": l.filename, "url": l.url_without_fragment, "hashes": dict(l._hashes),
                "requires_python": l.requires_python or "", "yanked": l.is_yanked,
                "yanked_reason": l.yanked_reason or "", "metadata": m is not None,
                "metadata_hashes": (m.hashes or {}) if m is not None else {}})
        out["pages"].append({"links": links})
    except Exception as e:
        out["pages"].append({"error": "%s: %s" % (type(e).__name__, e)})
supported = get_supported()
prio = {t: i for i, t in enumerate(supported)}
out["tags"] = [str(t) for t in supported]
for fn in req["wheels"]:
    try:
        w = Wheel(fn)
        out["wheels"].append({"name": w.name, "version": w.version, "build": w.build_tag or "",
            "tags": sorted(str(t) for t in w.file_tags),
            "priority": w.find_most_preferred_tag(supported, prio) if w.supported(supported) else -1})
    except Exception as e:
        out["wheels"].append({"error": "%s: %s" % (type(e).__name__, e)})
out["sdists"] = [_extract_version_from_fragment(s, c) for s, c in req["sdists"]]
out["splitext"] = [list(splitext(n)) for n in req["splitext"]]
out["supported_extensions"] = list(SUPPORTED_EXTENSIONS)
out["names"] = [canonicalize_name(n) for n in req["names"]]
json.dump(out, sys.stdout)
`

var (
	oracleOnce sync.Once
	oracleReq  oracleRequest
	oracleRes  oracleResponse
	oracleErr  error
	// Index of the first randomized page in oracleReq.Pages.
	oracleRandomStart int
)

// runOracle runs pip once per test binary on every input the oracle tests
// compare, batched, and fails the test when python3 or pip cannot be used
// (skips it, naming what is missing, when there is none).
func runOracle(t *testing.T) (*oracleRequest, *oracleResponse) {
	t.Helper()
	python := testenv.Python(t)
	oracleOnce.Do(func() {
		for _, f := range pageFixtures {
			b, err := os.ReadFile(filepath.Join("testdata", "page", f.file))
			if err != nil {
				oracleErr = err
				return
			}
			oracleReq.Pages = append(oracleReq.Pages, oraclePage{string(b), f.contentType(), f.pageURL})
		}
		oracleRandomStart = len(oracleReq.Pages)
		oracleReq.Pages = append(oracleReq.Pages, randomPages()...)
		oracleReq.Wheels = append(append([]string{}, wheelOracleNames...), randomWheelNames()...)
		oracleReq.Sdists = sdistOracleCases
		oracleReq.Splitext = splitextOracleNames
		oracleReq.Names = normalizeOracleNames
		oracleErr = execOracle(python, &oracleReq, &oracleRes)
	})
	if errors.Is(oracleErr, errNoPip) {
		testenv.Missing(t, "pip in %s (the oracle is its own pip): %v", python, oracleErr)
	}
	if oracleErr != nil {
		t.Fatalf("pip oracle: %v", oracleErr)
	}
	return &oracleReq, &oracleRes
}

// errNoPip is execOracle's error when python cannot import pip.
var errNoPip = errors.New("no module named pip")

func execOracle(python string, req *oracleRequest, res *oracleResponse) error {
	in, err := json.Marshal(req)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", oracleScript)
	cmd.Env = cleanPipEnv()
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && strings.Contains(stderr.String(), "No module named 'pip'") {
		return fmt.Errorf("%s: %w", python, errNoPip)
	}
	if err != nil {
		return fmt.Errorf("%s: %v: %s", python, err, stderr.String())
	}
	if err := json.Unmarshal(out, res); err != nil {
		return fmt.Errorf("decode oracle output: %v", err)
	}
	if len(res.Pages) != len(req.Pages) || len(res.Wheels) != len(req.Wheels) {
		return errors.New("oracle answered a different number of inputs")
	}
	return nil
}

// cleanPipEnv drops the caller's PIP_* and PYTHON* settings so that they
// cannot change what pip does or which pip runs.
func cleanPipEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIP_") && !strings.HasPrefix(kv, "PYTHON") {
			env = append(env, kv)
		}
	}
	return append(env, "PIP_CONFIG_FILE=/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
}

// parseForOracle parses one oracle page with our parser.
func parseForOracle(p oraclePage) ([]oracleLink, error) {
	u, err := url.Parse(p.URL)
	if err != nil {
		return nil, err
	}
	if u.String() != p.URL {
		return nil, fmt.Errorf("page URL %q does not survive url.Parse (%q)", p.URL, u.String())
	}
	kind, err := ParseContentType(p.ContentType)
	if err != nil {
		return nil, err
	}
	links := []oracleLink{}
	err = ParsePage(kind, strings.NewReader(p.Content), u, func(f File) error {
		links = append(links, linkFromFile(f))
		return nil
	})
	return links, err
}

func comparePage(t *testing.T, name string, p oraclePage, want []oracleLink, wantErr string) {
	t.Helper()
	got, err := parseForOracle(p)
	if wantErr != "" {
		if err == nil {
			t.Errorf("%s: pip fails (%s), we do not\npage: %q", name, wantErr, p.Content)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v; pip parses it\npage: %q", name, err, p.Content)
		return
	}
	// Deliberate difference: pip yields links whose URL has no file name at
	// all (Filename ""); ParseHTML and ParseJSON skip them.
	want = slices.DeleteFunc(slices.Clone(want), func(l oracleLink) bool { return l.Filename == "" })
	if len(got) != len(want) {
		t.Errorf("%s: %d links, pip has %d\ngot  %+v\nwant %+v\npage: %q", name, len(got), len(want), got, want, p.Content)
		return
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: link %d differs from pip\ngot  %+v\nwant %+v\npage: %q", name, i, got[i], want[i], p.Content)
		}
	}
}

// TestParsePagesOracle compares every fixture with pip's own parse_links.
func TestParsePagesOracle(t *testing.T) {
	req, res := runOracle(t)
	t.Logf("oracle: python %s, pip %s", res.Python, res.Pip)
	links := 0
	for i, f := range pageFixtures {
		if res.Pages[i].Error != "" {
			t.Errorf("%s: pip fails on a fixture: %s", f.file, res.Pages[i].Error)
			continue
		}
		if len(res.Pages[i].Links) == 0 {
			t.Errorf("%s: pip finds no links; the fixture tests nothing", f.file)
		}
		links += len(res.Pages[i].Links)
		comparePage(t, f.file, req.Pages[i], res.Pages[i].Links, "")
	}
	t.Logf("compared %d links on %d fixtures", links, len(pageFixtures))
}

// TestParsePagesRandomOracle compares generated single-link pages, built
// from the pieces real indexes and broken ones use, with pip.
func TestParsePagesRandomOracle(t *testing.T) {
	req, res := runOracle(t)
	pipErrors := 0
	for i := oracleRandomStart; i < len(req.Pages); i++ {
		if res.Pages[i].Error != "" {
			pipErrors++
		}
		comparePage(t, fmt.Sprintf("random page %d", i-oracleRandomStart), req.Pages[i], res.Pages[i].Links, res.Pages[i].Error)
	}
	t.Logf("compared %d random pages (%d that pip refuses)", len(req.Pages)-oracleRandomStart, pipErrors)
}

func TestParseContentType(t *testing.T) {
	tests := []struct {
		ct   string
		want PageKind
	}{
		{"application/vnd.pypi.simple.v1+json", PageJSON},
		{"application/vnd.pypi.simple.v1+json; charset=utf-8", PageJSON},
		{"Application/VND.PyPI.Simple.V1+JSON", PageJSON},
		{"application/vnd.pypi.simple.v1+html", PageHTML},
		{"text/html", PageHTML},
		{"text/html; charset=ISO-8859-1", PageHTML},
		{"TEXT/HTML", PageHTML},
		{"text/htmlx", PageHTML}, // pip matches a prefix
		{"application/vnd.pypi.simple.latest+json", 0},
		{"application/json", 0},
		{"text/plain", 0},
		{" text/html", 0},
		{"", 0},
	}
	for _, tt := range tests {
		got, err := ParseContentType(tt.ct)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("ParseContentType(%q) = %v, want an error", tt.ct, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseContentType(%q) = %v, %v; want %v", tt.ct, got, err, tt.want)
		}
	}
}

func TestAcceptHeaderIsPips(t *testing.T) {
	// collector.py joins these three with ", ".
	want := strings.Join([]string{
		"application/vnd.pypi.simple.v1+json",
		"application/vnd.pypi.simple.v1+html; q=0.1",
		"text/html; q=0.01",
	}, ", ")
	if AcceptHeader != want {
		t.Errorf("AcceptHeader = %q, want %q", AcceptHeader, want)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestParseCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	pages := []struct {
		name  string
		parse func(io.Reader, *url.URL, func(File) error) error
		body  string
	}{
		{"html", ParseHTML, `<a href="a-1.tar.gz"></a><a href="b-1.tar.gz"></a>`},
		{"json", ParseJSON, `{"files":[{"url":"a-1.tar.gz"},{"url":"b-1.tar.gz"}]}`},
	}
	page, _ := url.Parse("https://idx.example/simple/a/")
	for _, p := range pages {
		calls := 0
		err := p.parse(strings.NewReader(p.body), page, func(File) error { calls++; return stop })
		if err != stop || calls != 1 {
			t.Errorf("%s: err=%v calls=%d, want the callback's own error after 1 call", p.name, err, calls)
		}
	}
}

func parseAll(parse func(io.Reader, *url.URL, func(File) error) error, body, pageURL string) ([]File, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	var files []File
	err = parse(strings.NewReader(body), u, func(f File) error {
		files = append(files, f)
		return nil
	})
	return files, err
}
