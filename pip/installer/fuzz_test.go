package installer

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// FuzzReadRecord: any input either fails to parse or gives rows that
// WriteRecord writes and ReadRecord reads back to the same rows (sorted).
func FuzzReadRecord(f *testing.F) {
	for _, s := range []string{
		"a/b.py,sha256=abc,12\r\nx.dist-info/RECORD,,\r\n",
		"\"quoted,path\",sha256=x,1\n",
		"one\n\n two , three ,4,extra\n",
		"\"unterminated\n",
		" leading space,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadRecord(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Path == "" {
				t.Fatalf("row with an empty path: %q", data)
			}
		}
		var buf bytes.Buffer
		if err := WriteRecord(&buf, rows); err != nil {
			t.Fatal(err)
		}
		again, err := ReadRecord(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("re-reading written RECORD %q: %v", buf.Bytes(), err)
		}
		var sorted bytes.Buffer
		_ = WriteRecord(&sorted, again)
		if !bytes.Equal(sorted.Bytes(), buf.Bytes()) || len(again) != len(rows) {
			t.Fatalf("round trip changed rows:\n%q\n%q", buf.Bytes(), sorted.Bytes())
		}
	})
}

// FuzzOpenWheel: any archive either is refused or opens, verifies or is
// refused again, and lays out only inside the environment.
func FuzzOpenWheel(f *testing.F) {
	for _, spec := range []pypitest.WheelSpec{
		{Name: "seed", Version: "1.0"},
		{Name: "seed", Version: "2.0", Files: map[string]string{
			"seed/__init__.py": "", "seed-2.0.data/scripts/tool": "#!python\n", "seed-2.0.data/data/share/x": "x",
		}, DistInfo: map[string]string{"entry_points.txt": "[console_scripts]\nseed = seed:main\n"}},
	} {
		_, b, err := pypitest.BuildWheel(spec)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := readWheel(bytes.NewReader(data), int64(len(data)), "fuzz.whl")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.whl") {
				t.Fatalf("error does not name the wheel: %v", err)
			}
			return
		}
		_ = w.Verify(context.Background())
		root := "/env"
		site := filepath.Join(root, "lib", "site-packages")
		tg := &Target{Root: root, Python: "/env/bin/python", Version: [2]int{3, 11},
			Scheme: Scheme{Purelib: site, Platlib: site, Scripts: "/env/bin", Data: root, Headers: "/env/include"},
			Getenv: func(string) (string, bool) { return "", false }}
		_, files, err := w.layout(tg, w.metadataName())
		if err != nil {
			return
		}
		for _, pf := range files {
			if !Within(root, pf.dest) || pf.dest == root {
				t.Fatalf("%s lands outside %s", pf.dest, root)
			}
		}
	})
}

// TestWriteRecordLikePython pins the CSV dialect: CRLF, minimal quoting,
// a leading space left alone (Go's encoding/csv would quote it).
func TestWriteRecordLikePython(t *testing.T) {
	var buf bytes.Buffer
	rows := []RecordRow{{Path: "b,c", Hash: "h", Size: "1"}, {Path: " a", Hash: "", Size: ""}, {Path: `q"x`, Hash: "h", Size: "2"}}
	if err := WriteRecord(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := " a,,\r\n\"b,c\",h,1\r\n\"q\"\"x\",h,2\r\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	back, err := ReadRecord(&buf)
	if err != nil || !reflect.DeepEqual(back, []RecordRow{rows[1], rows[0], rows[2]}) {
		t.Errorf("read back %v, %v", back, err)
	}
}
