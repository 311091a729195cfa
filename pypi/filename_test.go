package pypi

import (
	"reflect"
	"slices"
	"testing"
)

// wheelOracleNames are real and malformed wheel names pip's Wheel judges.
var wheelOracleNames = []string{
	"requests-2.31.0-py3-none-any.whl",
	"six-1.16.0-py2.py3-none-any.whl",
	"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	"numpy-1.26.4-cp311-cp311-musllinux_1_1_x86_64.whl",
	"numpy-1.26.4-cp311-cp311-win_amd64.whl",
	"numpy-1.26.4-cp311-cp311-macosx_10_9_x86_64.whl",
	"cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl",
	"cffi-1.16.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	"pydantic_core-2.16.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	"zope.interface-6.2-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	"foo-1.0-1-py3-none-any.whl",
	"foo-1.0-1abc-py3-none-any.whl",
	"foo-1.0-abc-py3-none-any.whl",
	"foo_bar-1.0_rc1-py3-none-any.whl",
	"Foo-1.0-PY3-NONE-ANY.whl",
	"foo-1.0-py3-none-any.WHL",
	"foo-1.0-py3-none-any.whl\n",
	"foo-1.0-py3-none.whl",
	"foo-1.0-py3-none-any-extra.whl",
	"foo--py3-none-any.whl",
	"-1.0-py3-none-any.whl",
	"foo-1.0.dist-info",
	"foo 1.0-py3-none-any.whl",
	"foo-1.0-py2..py3-none-any.whl",
	"foo-1.0-py3-none-any.tar.gz",
	"foo-1.0-\u0661-py3-none-any.whl",
	"pip-23.2.1-py3-none-any.whl",
	"tensorflow-2.15.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	"greenlet-3.0.3-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl",
	"mypy-1.9.0-cp311-cp311-linux_x86_64.whl",
}

var sdistOracleCases = [][2]string{
	{"requests-2.31.0", "requests"},
	{"foo__bar-1.0", "foo-bar"},
	{"Foo.Bar-1.0", "foo-bar"},
	{"foo-bar-1.0", "foo-bar"},
	{"foo-bar-1.0", "foo"},
	{"foo-", "foo"},
	{"foo", "foo"},
	{"bar-1.0", "foo"},
	{"foo-1.0-2", "foo"},
	{"zope.interface-6.2", "zope-interface"},
	{"-1.0", ""},
	{"foo--1.0", "foo"},
	{"foo_-1.0", "foo"},
}

var splitextOracleNames = []string{
	"foo-1.0.tar.gz", "foo-1.0.TAR.GZ", "foo-1.0.Tar.bz2", "foo-1.0.tgz", "foo-1.0.tar", "foo-1.0.zip",
	"foo-1.0-py3-none-any.whl", "foo", ".tar.gz", "..gz", "a.tar.", ".bashrc", "foo-1.0.tar.lzma",
	"x/y.tar.gz", "x.y/z", "foo.tar.tar.gz", "", ".", "a..b",
}

var normalizeOracleNames = []string{
	"Requests", "zope.interface", "Foo__Bar", "foo-_.-bar", "-foo-", "A.B_C-D", "", "ñAme", "foo..Bar",
}

func TestParseWheelFilename(t *testing.T) {
	tests := []struct {
		name string
		want WheelName
		err  bool
	}{
		{name: "six-1.16.0-py2.py3-none-any.whl", want: WheelName{Name: "six", Version: "1.16.0",
			Tags: []Tag{{"py2", "none", "any"}, {"py3", "none", "any"}}}},
		{name: "foo_bar-1.0_rc1-7x-CP311-ABI3-Manylinux_2_17_x86_64.whl", want: WheelName{Name: "foo-bar",
			Version: "1.0-rc1", Build: "7x", Tags: []Tag{{"cp311", "abi3", "manylinux_2_17_x86_64"}}}},
		{name: "a-1-py3.py3-none-any.whl", want: WheelName{Name: "a", Version: "1",
			Tags: []Tag{{"py3", "none", "any"}}}},
		{name: "foo-1.0-abc-py3-none-any.whl", err: true}, // a build tag starts with a digit
		{name: "foo-1.0-py3-none-any.WHL", err: true},
		{name: "foo-1.0.dist-info", err: true},
		{name: "foo-1.0-py3-none.whl", err: true},
		{name: "", err: true},
	}
	for _, tt := range tests {
		got, err := ParseWheelFilename(tt.name)
		if (err != nil) != tt.err {
			t.Errorf("ParseWheelFilename(%q) error = %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseWheelFilename(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestWheelOracle compares names, versions, build tags, expanded tags and
// the priority against this interpreter's supported tags with pip's Wheel.
func TestWheelOracle(t *testing.T) {
	req, res := runOracle(t)
	var supported []Tag
	for _, s := range res.Tags {
		tag, err := ParseTag(s)
		if err != nil {
			t.Fatalf("ParseTag(%q) from pip's get_supported(): %v", s, err)
		}
		supported = append(supported, tag)
	}
	set := NewTagSet(supported)
	valid, supportedCount := 0, 0
	for i, name := range req.Wheels {
		want := res.Wheels[i]
		got, err := ParseWheelFilename(name)
		if want.Error != "" {
			if err == nil {
				t.Errorf("%q: pip refuses it (%s), we parse %+v", name, want.Error, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v; pip parses it", name, err)
			continue
		}
		valid++
		var tags []string
		for _, tag := range got.Tags {
			tags = append(tags, tag.String())
		}
		slices.Sort(tags)
		if got.Name != want.Name || got.Version != want.Version || got.Build != want.Build || !slices.Equal(tags, want.Tags) {
			t.Errorf("%q: got %s %s %q %v, pip %s %s %q %v", name, got.Name, got.Version, got.Build, tags,
				want.Name, want.Version, want.Build, want.Tags)
		}
		prio, ok := set.Priority(got)
		if !ok {
			prio = -1
		} else {
			supportedCount++
		}
		if prio != want.Priority {
			t.Errorf("%q: priority %d, pip %d", name, prio, want.Priority)
		}
	}
	if supportedCount == 0 || valid == len(req.Wheels) {
		t.Errorf("weak oracle run: %d supported, %d of %d valid", supportedCount, valid, len(req.Wheels))
	}
	t.Logf("compared %d wheel names (%d valid, %d supported by %d tags of python %s)",
		len(req.Wheels), valid, supportedCount, len(res.Tags), res.Python)
}

func TestSdistVersion(t *testing.T) {
	tests := []struct {
		stem, name, want string
		ok               bool
	}{
		{"requests-2.31.0", "requests", "2.31.0", true},
		{"foo__bar-1.0", "foo-bar", "1.0", true},
		{"foo-bar-1.0", "foo", "bar-1.0", true},
		{"foo-bar-1.0", "Foo_Bar", "1.0", true}, // the name is normalized first
		{"foo-", "foo", "", false},
		{"bar-1.0", "foo", "", false},
	}
	for _, tt := range tests {
		got, ok := SdistVersion(tt.stem, tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SdistVersion(%q, %q) = %q, %v; want %q, %v", tt.stem, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFilenameHelpersOracle(t *testing.T) {
	req, res := runOracle(t)
	for i, c := range req.Sdists {
		got, ok := SdistVersion(c[0], c[1])
		want := res.Sdists[i]
		if ok != (want != nil) || (ok && got != *want) {
			t.Errorf("SdistVersion(%q, %q) = %q, %v; pip %v", c[0], c[1], got, ok, want)
		}
	}
	for i, n := range req.Splitext {
		stem, ext := SplitArchiveExt(n)
		if want := res.Splitext[i]; stem != want[0] || ext != want[1] {
			t.Errorf("SplitArchiveExt(%q) = %q, %q; pip %q", n, stem, ext, want)
		}
	}
	for i, n := range req.Names {
		if got := Normalize(n); got != res.Names[i] {
			t.Errorf("Normalize(%q) = %q; pip %q", n, got, res.Names[i])
		}
	}
	if len(res.Supported) != 12 {
		t.Errorf("pip lists %d supported extensions, want 12 (bz2 and lzma present)", len(res.Supported))
	}
	for _, ext := range res.Supported {
		if !IsSupportedArchive(ext) {
			t.Errorf("IsSupportedArchive(%q) = false; pip supports it", ext)
		}
	}
	for _, ext := range []string{"", ".TAR.GZ", ".egg", ".exe", ".rpm", ".tar.zst", ".gz", ".bz2", ".Zip"} {
		if IsSupportedArchive(ext) || slices.Contains(res.Supported, ext) {
			t.Errorf("IsSupportedArchive(%q) = %v, pip %v", ext, IsSupportedArchive(ext), slices.Contains(res.Supported, ext))
		}
	}
}
