package pip

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseMetadata(t *testing.T) {
	longDesc := "Description: " + strings.Repeat("x", 200<<10) + "\n        |" + strings.Repeat("y", 100) + "\n"
	tests := []struct {
		name string
		in   string
		want Metadata
	}{
		{
			name: "basic",
			in:   "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\nSummary: A thing\nRequires-Python: >=3.8\nRequires-Dist: a>=1\nRequires-Dist: b; extra == \"x\"\n\nbody text\nName: body\n",
			want: Metadata{Name: "Foo_Bar", Version: "1.0", Summary: "A thing", RequiresPython: ">=3.8", RequiresDist: []string{"a>=1", `b; extra == "x"`}},
		},
		{
			name: "crlf",
			in:   "Name: crlf\r\nVersion: 2.0\r\nSummary: s\r\n\r\nName: body\r\n",
			want: Metadata{Name: "crlf", Version: "2.0", Summary: "s"},
		},
		{
			name: "continuation lines are unfolded",
			in:   "Name: x\nSummary: first\n  second\n\tthird\nVersion: 1\n",
			want: Metadata{Name: "x", Version: "1", Summary: "first second third"},
		},
		{
			name: "first occurrence wins, names are case-insensitive",
			in:   "name: one\nNAME: two\nversion: 1.0\nVersion: 2.0\nrequires-dist: a\nREQUIRES-DIST: b\n",
			want: Metadata{Name: "one", Version: "1.0", RequiresDist: []string{"a", "b"}},
		},
		{
			name: "missing fields",
			in:   "Metadata-Version: 2.1\nName: only\n",
			want: Metadata{Name: "only"},
		},
		{
			name: "invalid version kept as is",
			in:   "Name: badver\nVersion: 1.0-foo-bar\n",
			want: Metadata{Name: "badver", Version: "1.0-foo-bar"},
		},
		{
			name: "no final newline",
			in:   "Name: n\nVersion: 3",
			want: Metadata{Name: "n", Version: "3"},
		},
		{
			name: "BOM",
			in:   "\xef\xbb\xbfName: bom\nVersion: 1\n",
			want: Metadata{Name: "bom", Version: "1"},
		},
		{
			name: "non-header line ends the headers",
			in:   "Name: a\nthis is not a header\nVersion: 1\n",
			want: Metadata{Name: "a"},
		},
		{
			name: "space before colon is not a header",
			in:   "Name: a\nVersion : 1\n",
			want: Metadata{Name: "a"},
		},
		{
			name: "value without space, extra spaces trimmed",
			in:   "Name:tight\nVersion:   1.2   \n",
			want: Metadata{Name: "tight", Version: "1.2"},
		},
		{
			name: "huge description header before later fields",
			in:   "Name: old\nVersion: 0.1\n" + longDesc + "Requires-Python: >=2.7\n\n",
			want: Metadata{Name: "old", Version: "0.1", RequiresPython: ">=2.7"},
		},
		{
			name: "leading continuation line is ignored",
			in:   " stray\nName: s\n",
			want: Metadata{Name: "s"},
		},
		{
			name: "empty",
			in:   "",
			want: Metadata{},
		},
		{
			name: "empty value",
			in:   "Name:\nVersion: 1\n",
			want: Metadata{Version: "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetadata(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMetadata() = %+v\nwant %+v", got, tt.want)
			}
			got1, err := ParseMetadata(iotest.OneByteReader(strings.NewReader(tt.in)))
			if err != nil || !reflect.DeepEqual(got1, got) {
				t.Errorf("one byte at a time: %+v, %v", got1, err)
			}
		})
	}
}

// failAfter errors once more than n bytes are read: proof that the body is
// never read.
type failAfter struct {
	r io.Reader
	n int
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("read past the headers")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestParseMetadataDoesNotReadBody(t *testing.T) {
	head := "Name: big\nVersion: 1\n\n"
	body := strings.NewReader(strings.Repeat("body line\n", 1<<20))
	r := &failAfter{r: io.MultiReader(strings.NewReader(head), body), n: len(head) + 4096}
	md, err := ParseMetadata(r)
	if err != nil || md.Name != "big" {
		t.Fatalf("ParseMetadata = %+v, %v", md, err)
	}
}

func TestParseMetadataReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("Name: x\n"), iotest.ErrReader(errors.New("disk on fire")))
	if _, err := ParseMetadata(r); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}

// TestParseMetadataMatchesPython checks tricky inputs against Python's email
// parser, which importlib.metadata (and so pip) uses.
func TestParseMetadataMatchesPython(t *testing.T) {
	py := pythons.Python(t)
	inputs := []string{
		"Name: a\nVersion: 1\n\nName: b\n",
		"Name: a\r\nVersion: 1\r\nSummary: one\r\n two\r\n\r\n",
		"Name: a\nSummary: x\n\ty\n  z\nRequires-Dist: p\n  ; python_version < \"3\"\nRequires-Dist: q\n",
		"name: lower\nNAME: upper\nVersion:1\n",
		"Name: a\nbroken line\nVersion: 1\n",
		"Name: a\nVersion : 1\n",
		"Name: a\nVer sion: 1\nVersion: 2\n",
		": empty name\nName: e\nVersion: 1\n",
		"Name: \nVersion: 1\n",
		"Name: a\n\n\nVersion: 1\n",
		"Name:  spaced  \nVersion:\t1.0\t\n",
		"From nobody\nName: mbox\n",
		"Summary:0\r0\nName: x\n",
		"Name: a\rVersion: 1\r\rName: b\n",
		"Name: a\r\r\nVersion: 1\n",
		"Name: a\rSummary: s\r t\rVersion: 2",
	}
	data, _ := json.Marshal(inputs)
	cmd := exec.Command(py, "-c", `import email, json, re, sys
def norm(v):
    return None if v is None else re.sub(r"(\r\n|\r|\n)[ \t]+", " ", v).strip()
out = []
for s in json.load(sys.stdin):
    m = email.message_from_string(s)
    out.append({"Name": norm(m.get("Name")), "Version": norm(m.get("Version")),
                "Summary": norm(m.get("Summary")),
                "RequiresDist": [norm(v) for v in m.get_all("Requires-Dist", [])]})
print(json.dumps(out))`)
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Name, Version, Summary *string
		RequiresDist           []string
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for i, in := range inputs {
		got, err := ParseMetadata(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		w := want[i]
		if got.Name != deref(w.Name) || got.Version != deref(w.Version) || got.Summary != deref(w.Summary) ||
			len(got.RequiresDist) != len(w.RequiresDist) || (len(w.RequiresDist) > 0 && !reflect.DeepEqual(got.RequiresDist, w.RequiresDist)) {
			t.Errorf("input %q:\n got %+v\nwant name=%q version=%q summary=%q requires=%q", in, got, deref(w.Name), deref(w.Version), deref(w.Summary), w.RequiresDist)
		}
	}
}

func TestParseDirectURL(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *DirectURL
		wantErr bool
	}{
		{"editable dir", `{"url": "file:///src/proj", "dir_info": {"editable": true}}`, &DirectURL{URL: "file:///src/proj", Dir: true, Editable: true}, false},
		{"plain dir", `{"url": "file:///src/proj", "dir_info": {}}`, &DirectURL{URL: "file:///src/proj", Dir: true}, false},
		{"archive", `{"url": "file:///w/x-1.0-py3-none-any.whl", "archive_info": {"hashes": {"sha256": "ab"}}}`, &DirectURL{URL: "file:///w/x-1.0-py3-none-any.whl", Archive: true}, false},
		{"vcs", `{"url": "https://g.example/r.git", "vcs_info": {"vcs": "git", "commit_id": "abc123", "requested_revision": "main"}}`, &DirectURL{URL: "https://g.example/r.git", VCS: "git", CommitID: "abc123"}, false},
		{"vcs without commit", `{"url": "https://g.example/r.git", "vcs_info": {"vcs": "git"}}`, nil, true},
		{"two infos", `{"url": "file:///x", "dir_info": {}, "archive_info": {}}`, nil, true},
		{"no info", `{"url": "file:///x"}`, nil, true},
		{"no url", `{"dir_info": {}}`, nil, true},
		{"not json", `{"url": `, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDirectURL([]byte(tt.in))
			if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseDirectURL = %+v, %v; want %+v, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestEggInfoRequires(t *testing.T) {
	in := "six>=1.0\n# comment\n\n[Socks]\nPySocks!=1.5.7\n[:python_version < \"3\"]\nenum34\n[Sec_Ure:sys_platform == \"win32\"]\npywin32\n"
	want := []string{
		"six>=1.0",
		`PySocks!=1.5.7 ; extra == "socks"`,
		`enum34 ; python_version < "3"`,
		`pywin32 ; (sys_platform == "win32") and extra == "sec-ure"`,
	}
	if got := eggInfoRequires(in); !reflect.DeepEqual(got, want) {
		t.Errorf("eggInfoRequires = %q\nwant %q", got, want)
	}
}
