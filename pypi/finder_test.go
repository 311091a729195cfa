package pypi

import (
	"context"
	"strings"
	"testing"

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
