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

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:pass@host/simple/", "https://****@host/simple/"},
		{"https://token@host/simple/", "https://****@host/simple/"},
		{"https://host/simple/", "https://host/simple/"},
		{"https://host/a@b/", "https://host/a@b/"},
		{"https://u:p@w@host:8080?q#f", "https://****@host:8080?q#f"},
		{`fetch "https://a:b@x/" and https://c@y/z: 401`, `fetch "https://****@x/" and https://****@y/z: 401`},
		{"no url here", "no url here"},
		{"https://a:b@", "https://****@"},
		{"://@", "://****@"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseErrorsHideCredentials makes pages fail in each way that puts a
// URL into the error and checks no credential leaks.
func TestParseErrorsHideCredentials(t *testing.T) {
	page, _ := url.Parse("https://alice:hunter2@idx.example/simple/x/")
	tests := []struct {
		name  string
		parse func(io.Reader, *url.URL, func(File) error) error
		body  string
	}{
		{"bad IPv6 href", ParseHTML, `<a href="https://bob:pw2@[::1/x-1.0.tar.gz">x</a>`},
		{"bad base", ParseHTML, `<base href="https://bob:pw2@[zz]/"><a href="x-1.0.tar.gz">x</a>`},
		{"bad JSON url", ParseJSON, `{"files":[{"url":"https://bob:pw2@[1.2.3.4]/x.tar.gz"}]}`},
		{"JSON syntax", ParseJSON, `{"files":[{"url": nope}]}`},
		{"JSON api-version", ParseJSON, `{"meta":{"api-version":"2.0"},"files":[]}`},
		{"reader failure", ParseHTML, "\x00"},
	}
	for _, tt := range tests {
		var r io.Reader = strings.NewReader(tt.body)
		if tt.name == "reader failure" {
			r = io.MultiReader(r, errReader{errors.New("read from https://carol:pw3@idx.example/: reset")})
		}
		err := tt.parse(r, page, func(File) error { return nil })
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, secret := range []string{"hunter2", "alice", "pw2", "bob", "carol", "pw3"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error %q contains %q", tt.name, err, secret)
			}
		}
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

// TestParseHTMLCases pins the meaning of each attribute independently of
// the oracle, and the places where we deliberately differ from pip.
func TestParseHTMLCases(t *testing.T) {
	const page = "https://idx.example/simple/pkg/"
	const sha = "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"
	tests := []struct {
		name, page, body string
		want             []File
	}{
		{"pypi anchor", page,
			`<a href="https://files.example/p/pkg-1.0-py3-none-any.whl#sha256=` + sha + `" data-requires-python="&gt;=3.7, &lt;4" ` +
				`data-dist-info-metadata="sha256=old" data-core-metadata="sha256=new">pkg</a>`,
			[]File{{Filename: "pkg-1.0-py3-none-any.whl", URL: "https://files.example/p/pkg-1.0-py3-none-any.whl",
				Hashes: map[string]string{"sha256": sha}, RequiresPython: ">=3.7, <4", CoreMetadata: true,
				CoreMetadataHashes: map[string]string{"sha256": "new"}, Size: -1}}},
		{"yanked forms", page,
			`<a href="a-1.tar.gz" data-yanked="">a</a><a href="b-1.tar.gz" data-yanked="bad &amp; old">b</a><a href="c-1.tar.gz" data-yanked>c</a>`,
			[]File{
				{Filename: "a-1.tar.gz", URL: page + "a-1.tar.gz", Yanked: true, Size: -1},
				{Filename: "b-1.tar.gz", URL: page + "b-1.tar.gz", Yanked: true, YankedReason: "bad & old", Size: -1},
				{Filename: "c-1.tar.gz", URL: page + "c-1.tar.gz", Size: -1}, // pip ignores a value-less data-yanked
			}},
		{"metadata forms", page,
			`<a href="a-1.tar.gz" data-dist-info-metadata="true">a</a><a href="b-1.tar.gz" data-core-metadata="sha1=x" data-dist-info-metadata="sha256=y">b</a>` +
				`<a href="c-1.tar.gz" data-core-metadata="sha3=z">c</a><a href="d-1.tar.gz">d</a>`,
			[]File{
				{Filename: "a-1.tar.gz", URL: page + "a-1.tar.gz", CoreMetadata: true, Size: -1},
				{Filename: "b-1.tar.gz", URL: page + "b-1.tar.gz", CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha1": "x"}, Size: -1},
				{Filename: "c-1.tar.gz", URL: page + "c-1.tar.gz", CoreMetadata: true, Size: -1},
				{Filename: "d-1.tar.gz", URL: page + "d-1.tar.gz", Size: -1},
			}},
		{"credentials of the page URL stay in file URLs", "https://tok@idx.example/simple/pkg/",
			`<a href="../../f/pkg-1.0.tar.gz#md5=abc">x</a>`,
			[]File{{Filename: "pkg-1.0.tar.gz", URL: "https://tok@idx.example/f/pkg-1.0.tar.gz", Hashes: map[string]string{"md5": "abc"}, Size: -1}}},
		{"names are decoded, URLs re-encoded as pip does", page,
			`<a href="my%20pkg%2B1-1.0.tar.gz">x</a><a href="two%2541-1.0.tar.gz">y</a><a href="sp ace+-1.0.tar.gz">z</a>`,
			[]File{
				{Filename: "my pkg+1-1.0.tar.gz", URL: page + "my%20pkg%2B1-1.0.tar.gz", Size: -1},
				{Filename: "twoA-1.0.tar.gz", URL: page + "two%2541-1.0.tar.gz", Size: -1},
				{Filename: "sp ace+-1.0.tar.gz", URL: page + "sp%20ace%2B-1.0.tar.gz", Size: -1},
			}},
		{"raw text: title and noscript are searched, script and comments are not", page,
			`<title><a href="t-1.tar.gz"></a></title><script><a href="s-1.tar.gz"></a></script><!-- <a href="c-1.tar.gz"> --><noscript><a href="n-1.tar.gz"></a></noscript>`,
			[]File{{Filename: "t-1.tar.gz", URL: page + "t-1.tar.gz", Size: -1}, {Filename: "n-1.tar.gz", URL: page + "n-1.tar.gz", Size: -1}}},
		{"no file name: skipped (pip yields an empty name)", "file:///srv/simple/index.html",
			`<a href="file:///">x</a><a href="pkg-1.tar.gz">y</a>`,
			[]File{{Filename: "pkg-1.tar.gz", URL: "file:///srv/simple/pkg-1.tar.gz", Size: -1}}},
		{"first base with href wins", page,
			`<base target="x"><base href="https://m.example/a/"><base href="https://other.example/"><a href="p-1.tar.gz">x</a>`,
			[]File{{Filename: "p-1.tar.gz", URL: "https://m.example/a/p-1.tar.gz", Size: -1}}},
		{"divergence: relative base resolved against the page", page,
			`<base href="/mirror/"><a href="p-1.tar.gz">x</a>`,
			[]File{{Filename: "p-1.tar.gz", URL: "https://idx.example/mirror/p-1.tar.gz", Size: -1}}},
		{"divergence: a late base only affects later anchors", page,
			`<a href="before-1.tar.gz">x</a><base href="https://m.example/"><a href="after-1.tar.gz">y</a>`,
			[]File{{Filename: "before-1.tar.gz", URL: page + "before-1.tar.gz", Size: -1}, {Filename: "after-1.tar.gz", URL: "https://m.example/after-1.tar.gz", Size: -1}}},
		{"a malformed base fails only links resolved against it (none here)", page, `<base href="http://[zz]/"><p>no links</p>`, nil},
		{"empty page", page, "", nil},
	}
	for _, tt := range tests {
		got, err := parseAll(ParseHTML, tt.body, tt.page)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestParseJSONCases(t *testing.T) {
	const page = "https://idx.example/simple/pkg/"
	one := func(f File) []File {
		if f.Filename == "" {
			f.Filename = "p-1.tar.gz"
		}
		if f.URL == "" {
			f.URL = page + "p-1.tar.gz"
		}
		if f.Size == 0 {
			f.Size = -1
		}
		return []File{f}
	}
	tests := []struct {
		name, body string
		want       []File
		err        bool
	}{
		{name: "minimal", body: `{"files":[{"url":"p-1.tar.gz"}]}`, want: one(File{})},
		{name: "no files key", body: `{"meta":{"api-version":"1.0"},"name":"pkg"}`},
		{name: "api-version 1.x", body: `{"meta":{"api-version":"1.4"},"files":[{"url":"p-1.tar.gz"}]}`, want: one(File{})},
		{name: "api-version 2 before files", body: `{"meta":{"api-version":"2.0"},"files":[{"url":"p-1.tar.gz"}]}`, err: true},
		{name: "api-version 2 after files", body: `{"files":[],"meta":{"api-version":"2.0"}}`, err: true},
		{name: "api-version not a string", body: `{"meta":{"api-version":1.0},"files":[]}`, err: true},
		{name: "meta not an object", body: `{"meta":[],"files":[]}`, err: true},
		{name: "full PEP 691/700 entry", body: `{"files":[{"filename":"ignored","url":"p-1.tar.gz#md5=frag","hashes":{"sha256":"s","md5":"json"},` +
			`"requires-python":">=3.8","yanked":"broken","core-metadata":{"sha256":"m","blake2b":"dropped"},"size":1234,"upload-time":"2024-01-01T00:00:00Z"}],` +
			`"versions":["1"]}`,
			want: one(File{Hashes: map[string]string{"sha256": "s", "md5": "frag"}, RequiresPython: ">=3.8", Yanked: true, YankedReason: "broken",
				CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": "m"}, Size: 1234})},
		{name: "yanked true", body: `{"files":[{"url":"p-1.tar.gz","yanked":true}]}`, want: one(File{Yanked: true})},
		{name: "yanked empty string is not yanked", body: `{"files":[{"url":"p-1.tar.gz","yanked":""}]}`, want: one(File{})},
		{name: "old metadata key", body: `{"files":[{"url":"p-1.tar.gz","dist-info-metadata":true}]}`, want: one(File{CoreMetadata: true})},
		{name: "core-metadata false hides the old key", body: `{"files":[{"url":"p-1.tar.gz","core-metadata":false,"dist-info-metadata":true}]}`, want: one(File{})},
		{name: "url missing or null", body: `{"files":[{"filename":"x"},{"url":null}]}`},
		{name: "UTF-8 BOM", body: "\uFEFF" + `{"files":[{"url":"p-1.tar.gz"}]}`, want: one(File{})},
		{name: "bad size ignored", body: `{"files":[{"url":"p-1.tar.gz","size":"12"}]}`, want: one(File{})},
		{name: "url not a string", body: `{"files":[{"url":5}]}`, err: true},
		{name: "file not an object", body: `{"files":["p-1.tar.gz"]}`, err: true},
		{name: "file null", body: `{"files":[null]}`, err: true},
		{name: "files null", body: `{"files":null}`, err: true},
		{name: "hashes a list", body: `{"files":[{"url":"p-1.tar.gz","hashes":[]}]}`, err: true},
		{name: "requires-python a number", body: `{"files":[{"url":"p-1.tar.gz","requires-python":3}]}`, err: true},
		{name: "duplicate files key", body: `{"files":[],"files":[]}`, err: true},
		{name: "top level array", body: `[]`, err: true},
		{name: "trailing data", body: `{"files":[]} {}`, err: true},
		{name: "truncated", body: `{"files":[{"url":"p-1.tar.gz"}`, err: true},
		{name: "empty body", body: ``, err: true},
	}
	for _, tt := range tests {
		got, err := parseAll(ParseJSON, tt.body, page)
		if (err != nil) != tt.err {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}
