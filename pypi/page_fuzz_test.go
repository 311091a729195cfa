package pypi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pipup/pipup/internal/pyport"
)

// Pieces that real indexes, hand-made pages and broken pages put into links.
var (
	hrefPrefixes = []string{"", "", "", "/", "../", "./", "../../", "//host.example/", "https://h.example/a/",
		"HTTPS://H.example/", "http://u:p@h.example/", "file:///tmp/", "file:", "mailto:", "?", "#", "  ",
		"http://[::1]/", "http://[::1/", "http://[1.2.3.4]/", "http://[v1.x]/", "http://[vz]/",
		"http://h.example:8080/", "javascript:", "git+https://h/", "HTTP:", "\\\\server\\share\\"}
	hrefPieces = []string{"pkg-1.0.tar.gz", "pkg-1.0-py3-none-any.whl", "a b", "%20", "%2F", "%2f", "@", "%41",
		"%2541", "%E2%82", "%C3%A9", "%ED%A0%80", "%F0%9F%98", "%zz", "%", "é", "ü", "\u3000", ";p=1", "..", ".", "/", "//",
		"&amp;", "&lt;", "&#x41;", "&gt", "&#0;", "&#128;", "&#x110000;", "?x=1", "#sha256=ab", "&md5=cd", "#egg=x",
		"#sha1=", "#SHA1=x", "&sha512=z&", "+", "~", "'", "=", ":", "\t", "\n", " ", "\\", "[", "]", "|", "`", "{"}
	hrefSuffixes = []string{".whl", ".tar.gz", "/", "", "", "#sha256=deadbeef"}
	yankedValues = []string{"", "", `data-yanked`, `data-yanked=""`, `data-yanked="reason"`,
		`data-yanked="&lt;b&gt; &amp; c"`, `data-yanked=''`}
	pythonValues = []string{"", "", `data-requires-python`, `data-requires-python=""`,
		`data-requires-python="&gt;=3.7"`, `data-requires-python=">=3.7,<4"`, `data-requires-python="&gt=3"`}
	metaValues = []string{"", "", "data-core-metadata", `data-core-metadata="true"`, `data-core-metadata="false"`,
		`data-core-metadata="sha256=abc"`, `data-core-metadata="md5="`, `data-core-metadata="blake2b=x"`,
		`data-core-metadata=""`, `data-core-metadata="=x"`, `data-dist-info-metadata="true"`,
		`data-dist-info-metadata="sha1=d"`, "data-dist-info-metadata", `data-core-metadata="True"`}
	pageURLs = []string{"https://idx.example/simple/pkg/", "http://u:p@idx.example:8080/simple/pkg/",
		"file:///srv/index/pkg/index.html", "https://idx.example/simple/pkg", "https://idx.example/"}
	jsonValues = []string{"", "null", "true", "false", `""`, `"r"`, "0", "1", "[]", "[1]", "{}",
		`{"sha256":"a"}`, `{"blake2b":"b","md5":"c"}`, `"sha256=abc"`}
)

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func randomHref(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(pick(r, hrefPrefixes))
	for n := r.IntN(4); n > 0; n-- {
		b.WriteString(pick(r, hrefPieces))
	}
	b.WriteString(pick(r, hrefSuffixes))
	return b.String()
}

// randomAnchor writes an anchor whose attribute quoting keeps the tag
// boundaries of the HTML5 tokenizer and of Python's HTMLParser the same;
// within that, attribute syntax varies freely.
func randomAnchor(r *rand.Rand) string {
	attrs := []string{pick(r, yankedValues), pick(r, pythonValues), pick(r, metaValues)}
	for n := 1 + r.IntN(2); n > 0; n-- {
		href := randomHref(r)
		eq := pick(r, []string{"=", "=", " = ", "==", "\n=\n"})
		switch q := r.IntN(3); {
		case q == 0 && !strings.Contains(href, `"`):
			attrs = append(attrs, "href"+eq+`"`+href+`"`)
		case q == 1 && !strings.Contains(href, "'"):
			attrs = append(attrs, "href"+eq+"'"+href+"'")
		default:
			bare := strings.Map(func(c rune) rune {
				if c == '\'' || c == '"' || c == '>' || pyport.IsSpace(c) {
					return -1
				}
				return c
			}, href)
			attrs = append(attrs, "href"+eq+bare)
		}
	}
	if r.IntN(8) == 0 {
		attrs = append(attrs, "href")
	}
	r.Shuffle(len(attrs), func(i, j int) { attrs[i], attrs[j] = attrs[j], attrs[i] })
	sep := pick(r, []string{" ", " ", "\n", "  ", "\t"})
	end := pick(r, []string{">", ">", "/>", " >"})
	return "<" + pick(r, []string{"a", "a", "A"}) + sep + strings.Join(attrs, sep) + end + "x</a>"
}

func randomJSONFile(r *rand.Rand) string {
	var fields []string
	add := func(key, raw string) {
		if raw != "" {
			fields = append(fields, `"`+key+`":`+raw)
		}
	}
	href, _ := json.Marshal(randomHref(r))
	switch r.IntN(12) {
	case 0: // no url
	case 1:
		add("url", "null")
	case 2:
		add("url", "5")
	default:
		add("url", string(href))
	}
	add("hashes", pick(r, []string{"", "{}", `{"sha256":"a"}`, `{"blake2b":"b","md5":"c"}`, "null"}))
	add("yanked", pick(r, jsonValues))
	add("requires-python", pick(r, []string{"", "null", `""`, `">=3.8"`, `"&gt;=3"`, "false"}))
	add("core-metadata", pick(r, jsonValues))
	add("dist-info-metadata", pick(r, jsonValues))
	add("size", pick(r, []string{"", "12", "1.5", "-1", `"9"`}))
	r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	return "{" + strings.Join(fields, ",") + "}"
}

// randomPages builds the randomized oracle pages: one link per page, so that
// a page pip refuses hides no other comparison.
func randomPages() []oraclePage {
	r := rand.New(rand.NewPCG(2023, 2321))
	var pages []oraclePage
	for i := 0; i < 1500; i++ {
		base := pick(r, []string{"", "", "", `<base href="https://b.example/x/y">`, `<base href="">`, "<base>"})
		pages = append(pages, oraclePage{
			Content:     "<html><head>" + base + "</head><body>\n" + randomAnchor(r) + "\n</body></html>",
			ContentType: "text/html",
			URL:         pick(r, pageURLs),
		})
	}
	for i := 0; i < 700; i++ {
		pages = append(pages, oraclePage{
			Content:     `{"meta":{"api-version":"1.1"},"name":"pkg","files":[` + randomJSONFile(r) + "]}",
			ContentType: "application/vnd.pypi.simple.v1+json",
			URL:         pick(r, pageURLs),
		})
	}
	return pages
}

func randomWheelNames() []string {
	r := rand.New(rand.NewPCG(425, 427))
	names := []string{"foo", "Foo_Bar", "foo.bar", "a", "", "x y", "ñame"}
	versions := []string{"1.0", "1_0", "", "1.0+local_1", "2!1.0.post1"}
	builds := []string{"", "", "-1", "-1abc", "-x", "-\u0661", "-1 2"}
	tags := []string{"py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		"CP311-ABI3-Win_AMD64", "py3-none", "py3--any", "py3-none-any-extra", "cp311-abi3-linux_x86_64",
		"py3..py2-none-any", "pp310-pypy310_pp73-manylinux_2_28_x86_64"}
	suffixes := []string{".whl", ".whl", ".WHL", ".whl\n", ".dist-info", ".zip", "", ".whl "}
	var out []string
	for i := 0; i < 400; i++ {
		out = append(out, pick(r, names)+"-"+pick(r, versions)+pick(r, builds)+"-"+pick(r, tags)+pick(r, suffixes))
	}
	return out
}

func fuzzSeeds(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "page", "*"+ext))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no %s fixtures: %v", ext, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkFuzzFile holds for every file a parser reports without error.
func checkFuzzFile(t *testing.T, f File, html bool) {
	if f.Filename == "" {
		t.Fatalf("file with an empty name: %+v", f)
	}
	if strings.Contains(f.URL, "#") {
		t.Fatalf("URL keeps a fragment: %q", f.URL)
	}
	if html && f.Size != -1 {
		t.Fatalf("HTML gave a size: %+v", f)
	}
	if f.YankedReason != "" && !f.Yanked {
		t.Fatalf("reason without yank: %+v", f)
	}
	if len(f.CoreMetadataHashes) > 0 && !f.CoreMetadata {
		t.Fatalf("metadata hashes without metadata: %+v", f)
	}
}

func FuzzParseHTML(f *testing.F) {
	fuzzSeeds(f, ".html")
	f.Add([]byte(`<base href="//x"><a href="[">`))
	page, _ := url.Parse("https://u:p@idx.example/simple/pkg/")
	f.Fuzz(func(t *testing.T, data []byte) {
		var files []File
		err := ParseHTML(strings.NewReader(string(data)), page, func(f File) error {
			files = append(files, f)
			return nil
		})
		if err != nil {
			return
		}
		for _, file := range files {
			checkFuzzFile(t, file, true)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	fuzzSeeds(f, ".json")
	f.Add([]byte(`{"files":[{"url":"file:///"}]}`))
	page, _ := url.Parse("https://u:p@idx.example/simple/pkg/")
	f.Fuzz(func(t *testing.T, data []byte) {
		var files []File
		err := ParseJSON(strings.NewReader(string(data)), page, func(f File) error {
			files = append(files, f)
			return nil
		})
		if err != nil {
			return
		}
		for _, file := range files {
			checkFuzzFile(t, file, false)
		}
	})
}

func FuzzParseWheelFilename(f *testing.F) {
	for _, n := range wheelOracleNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		w, err := ParseWheelFilename(name)
		if err != nil {
			return
		}
		if w.Name == "" || len(w.Tags) == 0 {
			t.Fatalf("ParseWheelFilename(%q) = %+v: empty name or no tags", name, w)
		}
		if strings.Contains(w.Name+w.Version, "_") {
			t.Fatalf("ParseWheelFilename(%q) = %+v: underscore kept", name, w)
		}
		for _, tag := range w.Tags {
			if strings.Contains(tag.String(), ".") || tag != lowerTag(tag) {
				t.Fatalf("ParseWheelFilename(%q): tag %q not expanded or not lower-case", name, tag)
			}
		}
	})
}

// pageGen produces a large PyPI-like page on the fly, so a test can feed a
// parser far more bytes than it ever holds.
type pageGen struct {
	json     bool
	n, i     int
	produced int64
	buf      []byte
	stage    int // 0 header, 1 files, 2 footer, 3 done
}

const fakeSHA = "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"

func (g *pageGen) fill() {
	switch {
	case g.stage == 0:
		if g.json {
			g.buf = append(g.buf, `{"files":[`...)
		} else {
			g.buf = append(g.buf, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for big</title>\n  </head>\n  <body>\n    <h1>Links for big</h1>\n"...)
		}
		g.stage = 1
	case g.stage == 1 && g.i < g.n:
		name := fmt.Sprintf("big-1.%d.%d-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", g.i/100, g.i%100)
		u := "https://files.pythonhosted.org/packages/ab/cd/" + fakeSHA[:60] + "/" + name
		if g.json {
			if g.i > 0 {
				g.buf = append(g.buf, ',')
			}
			g.buf = fmt.Appendf(g.buf, `{"core-metadata":{"sha256":"%s"},"data-dist-info-metadata":{"sha256":"%s"},"filename":"%s","hashes":{"sha256":"%s"},"requires-python":">=3.8","size":%d,"upload-time":"2024-02-05T20:35:10.123456Z","url":"%s","yanked":%v}`,
				fakeSHA, fakeSHA, name, fakeSHA, 1000+g.i, u, g.i%50 == 0)
		} else {
			yanked := ""
			if g.i%50 == 0 {
				yanked = ` data-yanked=""`
			}
			g.buf = fmt.Appendf(g.buf, "    <a href=\"%s#sha256=%s\" data-requires-python=\"&gt;=3.8\" data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\"%s>%s</a><br />\n",
				u, fakeSHA, fakeSHA, fakeSHA, yanked, name)
		}
		g.i++
	case g.stage == 1:
		if g.json {
			g.buf = append(g.buf, `],"meta":{"_last-serial":1,"api-version":"1.1"},"name":"big","versions":[`...)
			for v := 0; v < g.n/100; v++ {
				if v > 0 {
					g.buf = append(g.buf, ',')
				}
				g.buf = fmt.Appendf(g.buf, `"1.%d"`, v)
			}
			g.buf = append(g.buf, "]}"...)
		} else {
			g.buf = append(g.buf, "    </body>\n</html>\n<!--SERIAL 1-->\n"...)
		}
		g.stage = 3
	}
}

func (g *pageGen) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.stage == 3 {
			return 0, io.EOF
		}
		g.fill()
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.produced += int64(n)
	return n, nil
}

func pageSize(json bool, n int) int64 {
	g := &pageGen{json: json, n: n}
	size, _ := io.Copy(io.Discard, g)
	return size
}

// TestParseStreamsInConstantMemory feeds 60,000 files (about 35 MB) to
// each parser and checks that files arrive before the page ends and that
// the live heap stays far below the page size.
func TestParseStreamsInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds 70 MB through the parsers")
	}
	page, _ := url.Parse("https://pypi.org/simple/big/")
	for _, kind := range []PageKind{PageHTML, PageJSON} {
		const n = 60_000
		total := pageSize(kind == PageJSON, n)
		g := &pageGen{json: kind == PageJSON, n: n}
		var files int
		var firstAt int64
		var maxHeap uint64
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		baseHeap := ms.HeapAlloc
		err := ParsePage(kind, g, page, func(f File) error {
			if files == 0 {
				firstAt = g.produced
			}
			files++
			if files%20_000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				maxHeap = max(maxHeap, ms.HeapAlloc)
			}
			if f.Filename == "" || f.Hashes["sha256"] != fakeSHA || !f.CoreMetadata {
				return fmt.Errorf("bad file %+v", f)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		if files != n {
			t.Fatalf("%v: %d files, want %d", kind, files, n)
		}
		if firstAt > total/100 {
			t.Errorf("%v: first file after %d of %d bytes: not streaming", kind, firstAt, total)
		}
		growth := int64(maxHeap) - int64(baseHeap)
		if growth > 4<<20 {
			t.Errorf("%v: live heap grew by %d bytes on a %d-byte page", kind, growth, total)
		}
		t.Logf("%v: %d files, %d MB page, first file after %d bytes, live heap growth %d KB",
			kind, files, total>>20, firstAt, growth>>10)
	}
}

func benchmarkParse(b *testing.B, kind PageKind) {
	const n = 20_000
	g := &pageGen{json: kind == PageJSON, n: n}
	body, err := io.ReadAll(g)
	if err != nil {
		b.Fatal(err)
	}
	page, _ := url.Parse("https://pypi.org/simple/big/")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		files := 0
		if err := ParsePage(kind, bytes.NewReader(body), page, func(File) error { files++; return nil }); err != nil || files != n {
			b.Fatalf("%d files, %v", files, err)
		}
	}
	b.ReportMetric(float64(len(body)), "page-bytes")
}

// BenchmarkParseHTML20k and BenchmarkParseJSON20k parse a generated
// 20,000-file page (PyPI's layout, about 9 MB of HTML or 11 MB of JSON).
func BenchmarkParseHTML20k(b *testing.B) { benchmarkParse(b, PageHTML) }
func BenchmarkParseJSON20k(b *testing.B) { benchmarkParse(b, PageJSON) }
