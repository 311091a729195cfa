package pypi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pypitest"
)

// FindAll keeps one file per version, the one pip would pick (the most
// specific wheel tag beats a generic one), highest version first, and
// leaves out what pip would not consider for the target.
func TestFindAllKeepsBestFilePerVersion(t *testing.T) {
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	specs := []pypitest.WheelSpec{
		{Name: "dep", Version: "1.0"},
		{Name: "dep", Version: "1.5"},
		{Name: "dep", Version: "1.5", Tag: "cp311-cp311-manylinux_2_17_x86_64"},
		{Name: "dep", Version: "1.6", Tag: "cp27-cp27m-win32"}, // not for this target
		{Name: "dep", Version: "1.7", RequiresPython: ">=3.12"},
		{Name: "dep", Version: "2.0"},
		{Name: "dep", Version: "2.1b1"},
	}
	for _, s := range specs {
		if err := srv.AddWheel(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.AddWheel(pypitest.WheelSpec{Name: "dep", Version: "1.8"}, pypitest.Yank("broken")); err != nil {
		t.Fatal(err)
	}
	client, err := NewClient(ClientOptions{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	f := &Finder{
		Client:  client,
		Indexes: []string{srv.IndexURL()},
		Target: Target{
			PythonVersion: pep440.MustParse("3.11.7"),
			PyVersion:     "3.11",
			Tags: NewTagSet([]Tag{
				{"cp311", "cp311", "manylinux_2_17_x86_64"},
				{"py3", "none", "any"},
			}),
		},
	}
	cases := []struct {
		pre  bool
		want []string
	}{
		{false, []string{"2.0", "1.5", "1.0"}},
		{true, []string{"2.1b1", "2.0", "1.5", "1.0"}},
	}
	for _, c := range cases {
		res, err := f.FindAll(context.Background(), "Dep", c.pre)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range res.Versions {
			got = append(got, v.Version.String())
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("pre=%v: versions %v, want %v", c.pre, got, c.want)
		}
		if res.Best == nil || res.Best.Version.String() != c.want[0] {
			t.Errorf("pre=%v: best %+v", c.pre, res.Best)
		}
		for _, v := range res.Versions {
			if v.Version.String() == "1.5" && !strings.Contains(v.File.Filename, "manylinux") {
				t.Errorf("1.5: picked %s, want the manylinux wheel", v.File.Filename)
			}
		}
		plain, err := f.Find(context.Background(), "dep", c.pre)
		if err != nil || plain.Versions != nil || plain.Best.File.URL != res.Best.File.URL {
			t.Errorf("Find disagrees with FindAll: %+v, %v", plain, err)
		}
	}
}

// A version's Uploaded is the earliest upload time among the files pip
// would consider for it, on every index: files for another interpreter do
// not count, a file without a time gives way to one with, and HTML pages
// (which cannot say) leave it unknown.
func TestFindUploadTimes(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	primary := pypitest.NewServer()
	t.Cleanup(primary.Close)
	extra := pypitest.NewServer()
	t.Cleanup(extra.Close)
	htmlOnly := pypitest.NewServer(pypitest.WithFormats(true, false))
	t.Cleanup(htmlOnly.Close)
	add := func(s *pypitest.Server, spec pypitest.WheelSpec, opts ...pypitest.FileOption) {
		t.Helper()
		if err := s.AddWheel(spec, opts...); err != nil {
			t.Fatal(err)
		}
	}
	add(primary, pypitest.WheelSpec{Name: "dep", Version: "1.0"}, pypitest.UploadedAt(day(1)))
	add(primary, pypitest.WheelSpec{Name: "dep", Version: "2.0", Tag: "cp27-cp27m-win32"}, pypitest.UploadedAt(day(2))) // not for this target
	add(primary, pypitest.WheelSpec{Name: "dep", Version: "2.0", Tag: "cp311-cp311-manylinux_2_17_x86_64"}, pypitest.UploadedAt(day(9)))
	add(primary, pypitest.WheelSpec{Name: "dep", Version: "2.0"}) // no time
	add(extra, pypitest.WheelSpec{Name: "dep", Version: "2.0", Build: "1"}, pypitest.UploadedAt(day(5)))
	add(primary, pypitest.WheelSpec{Name: "dep", Version: "3.0"})
	add(htmlOnly, pypitest.WheelSpec{Name: "other", Version: "1.0"}, pypitest.UploadedAt(day(1)))

	client, err := NewClient(ClientOptions{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	target := Target{
		PythonVersion: pep440.MustParse("3.11.7"),
		PyVersion:     "3.11",
		Tags:          NewTagSet([]Tag{{"cp311", "cp311", "manylinux_2_17_x86_64"}, {"py3", "none", "any"}}),
	}
	f := &Finder{Client: client, Indexes: []string{primary.IndexURL(), extra.IndexURL(), htmlOnly.IndexURL()}, Target: target}
	tests := []struct {
		project string
		want    map[string]time.Time
	}{
		{"dep", map[string]time.Time{"3.0": {}, "2.0": day(5), "1.0": day(1)}},
		{"other", map[string]time.Time{"1.0": {}}},
	}
	for _, tt := range tests {
		res, err := f.FindAll(context.Background(), tt.project, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Versions) != len(tt.want) {
			t.Fatalf("%s: versions %+v", tt.project, res.Versions)
		}
		for _, c := range res.Versions {
			if want := tt.want[c.Version.String()]; !c.Uploaded.Equal(want) {
				t.Errorf("%s %s: uploaded %v, want %v", tt.project, c.Version, c.Uploaded, want)
			}
		}
	}
	// Find keeps the same time for its best version.
	f.Indexes = []string{primary.IndexURL(), extra.IndexURL()}
	add(primary, pypitest.WheelSpec{Name: "solo", Version: "1.0", Tag: "cp311-cp311-manylinux_2_17_x86_64"}, pypitest.UploadedAt(day(7)))
	add(extra, pypitest.WheelSpec{Name: "solo", Version: "1.0"}, pypitest.UploadedAt(day(3)))
	res, err := f.Find(context.Background(), "solo", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Best == nil || !res.Best.Uploaded.Equal(day(3)) || !res.Best.File.UploadTime.Equal(day(7)) {
		t.Errorf("Find: best %+v, want the manylinux file (uploaded day 7) of a version first uploaded on day 3", res.Best)
	}
}
