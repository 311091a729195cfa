package pypitest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		out[f.Name] = string(b)
	}
	return out
}

func TestBuildWheel(t *testing.T) {
	tests := []struct {
		name     string
		spec     WheelSpec
		filename string
		distInfo string
		metadata []string // lines METADATA must contain
		wheel    []string // lines WHEEL must contain
		module   string   // a file the wheel must contain
	}{
		{
			name:     "defaults",
			spec:     WheelSpec{Name: "Demo.Pkg", Version: "1.0"},
			filename: "demo_pkg-1.0-py3-none-any.whl",
			distInfo: "demo_pkg-1.0.dist-info",
			metadata: []string{"Metadata-Version: 2.1", "Name: Demo.Pkg", "Version: 1.0"},
			wheel:    []string{"Wheel-Version: 1.0", "Root-Is-Purelib: true", "Tag: py3-none-any"},
			module:   "demo_pkg/__init__.py",
		},
		{
			name: "compressed tag, build, requirements",
			spec: WheelSpec{Name: "a-b", Version: "2.0.post1", Tag: "py2.py3-none-any", Build: "1",
				RequiresPython: ">=3.8", Requires: []string{"six>=1.0", `tomli; python_version < "3.11"`}, Summary: "hi"},
			filename: "a_b-2.0.post1-1-py2.py3-none-any.whl",
			distInfo: "a_b-2.0.post1.dist-info",
			metadata: []string{"Requires-Python: >=3.8", "Requires-Dist: six>=1.0", `Requires-Dist: tomli; python_version < "3.11"`, "Summary: hi"},
			wheel:    []string{"Tag: py2-none-any", "Tag: py3-none-any", "Build: 1"},
			module:   "a_b/__init__.py",
		},
		{
			name:     "platform wheel with own files",
			spec:     WheelSpec{Name: "fast", Version: "3", Tag: "cp311-cp311-win_amd64", Files: map[string]string{"fast.py": "x = 1\n"}},
			filename: "fast-3-cp311-cp311-win_amd64.whl",
			distInfo: "fast-3.dist-info",
			wheel:    []string{"Root-Is-Purelib: false", "Tag: cp311-cp311-win_amd64"},
			module:   "fast.py",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, data, err := BuildWheel(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.filename {
				t.Errorf("filename = %q, want %q", name, tt.filename)
			}
			_, again, _ := BuildWheel(tt.spec)
			if !bytes.Equal(data, again) {
				t.Error("two builds of the same spec differ")
			}
			files := unzip(t, data)
			if _, ok := files[tt.module]; !ok {
				t.Errorf("wheel lacks %s; has %v", tt.module, keys(files))
			}
			for file, want := range map[string][]string{"METADATA": tt.metadata, "WHEEL": tt.wheel} {
				got := files[tt.distInfo+"/"+file]
				for _, line := range want {
					if !strings.Contains(got, line+"\n") {
						t.Errorf("%s lacks %q:\n%s", file, line, got)
					}
				}
			}
			checkRecord(t, files, tt.distInfo)
			meta, ok := wheelMetadata(data)
			if !ok || string(meta) != files[tt.distInfo+"/METADATA"] {
				t.Errorf("wheelMetadata = %q, %v", meta, ok)
			}
		})
	}
}

// checkRecord verifies that RECORD lists every other file with its size and
// urlsafe-base64 sha256, and itself without a hash.
func checkRecord(t *testing.T, files map[string]string, distInfo string) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(files[distInfo+"/RECORD"])).ReadAll()
	if err != nil {
		t.Fatalf("parse RECORD: %v", err)
	}
	if len(rows) != len(files) {
		t.Errorf("RECORD has %d rows for %d files", len(rows), len(files))
	}
	for _, row := range rows {
		content, ok := files[row[0]]
		switch {
		case !ok:
			t.Errorf("RECORD lists missing file %s", row[0])
		case row[0] == distInfo+"/RECORD":
			if row[1] != "" || row[2] != "" {
				t.Errorf("RECORD row for itself = %v", row)
			}
		default:
			sum := sha256.Sum256([]byte(content))
			if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); row[1] != want {
				t.Errorf("RECORD hash of %s = %s, want %s", row[0], row[1], want)
			}
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBuildWheelBroken(t *testing.T) {
	_, data, err := BuildWheel(WheelSpec{Name: "bad", Version: "1", Broken: true})
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, data)
	if _, ok := files["bad-1.dist-info/WHEEL"]; ok {
		t.Error("broken wheel still has a WHEEL file")
	}
	if _, ok := files["bad-1.dist-info/METADATA"]; !ok {
		t.Error("broken wheel lost its METADATA")
	}
	checkRecord(t, files, "bad-1.dist-info")
}

func TestBuildWheelErrors(t *testing.T) {
	for _, spec := range []WheelSpec{
		{Version: "1"},
		{Name: "x"},
		{Name: "x", Version: "1", Tag: "py3-none"},
		{Name: "x", Version: "1", Tag: "py3..-none-any"},
		{Name: "x", Version: "1", Build: "a1"},
		{Name: "x", Version: "1", Files: map[string]string{"x-1.dist-info/METADATA": ""}},
	} {
		if name, _, err := BuildWheel(spec); err == nil {
			t.Errorf("BuildWheel(%+v) = %s, want an error", spec, name)
		}
	}
}

func TestWriteWheel(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteWheel(dir, WheelSpec{Name: "w", Version: "1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "w-1.0-py3-none-any.whl") {
		t.Errorf("path = %s", path)
	}
	got, err := os.ReadFile(path)
	_, want, _ := BuildWheel(WheelSpec{Name: "w", Version: "1.0"})
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("written wheel differs from BuildWheel's (err %v)", err)
	}
}

func TestBuildSdist(t *testing.T) {
	name, data := BuildSdist("My.Project", "1.2")
	if name != "my_project-1.2.tar.gz" {
		t.Errorf("filename = %q", name)
	}
	if _, again := BuildSdist("My.Project", "1.2"); !bytes.Equal(data, again) {
		t.Error("two builds differ")
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(tr)
	if h.Name != "my_project-1.2/PKG-INFO" || !strings.Contains(string(body), "Name: My.Project\nVersion: 1.2\n") {
		t.Errorf("sdist holds %s:\n%s", h.Name, body)
	}
}
