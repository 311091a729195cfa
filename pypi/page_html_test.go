package pypi

import (
	"reflect"
	"testing"
)

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
