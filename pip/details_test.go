package pip

import (
	"context"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

func TestPickLinks(t *testing.T) {
	got := pickLinks("https://old-home.example", map[string]string{
		"Documentation": "https://docs.example",
		"Changelog":     "https://example/CHANGES.md",
		"Source":        "https://github.com/x/y",
		"Funding":       "https://fund.example",
		"Tracker":       "javascript:alert(1)",
	})
	want := []Link{{Label: "home", URL: "https://docs.example"}, {Label: "changelog", URL: "https://example/CHANGES.md"}, {Label: "source", URL: "https://github.com/x/y"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %v, want %v", i, got[i], want[i])
		}
	}
	// The old home_page field fills in; non-web schemes and repeats are dropped.
	got = pickLinks("https://home.example", map[string]string{"Homepage": "ftp://x", "Repository": "https://home.example"})
	if len(got) != 1 || got[0] != (Link{Label: "home", URL: "https://home.example"}) {
		t.Errorf("fallback: %v", got)
	}
}

// Env.Details reads the main index's JSON API through the one reader
// (pypi.Client.Release) and picks the links; a file of another host gets
// no details (the main index must not describe a namesake), an index
// without the API or the version gives none without an error, and a broken
// document is an error.
func TestEnvDetails(t *testing.T) {
	main := pypitest.NewServer(pypitest.WithJSONAPI())
	t.Cleanup(main.Close)
	spec := pypitest.WheelSpec{Name: "demo", Version: "2.0", Summary: "the demo",
		HomePage: "https://home.example", ProjectURLs: []string{"Changelog, https://src.example/CHANGES", "Source, https://src.example"}}
	if err := main.AddWheel(spec); err != nil {
		t.Fatal(err)
	}
	extra := pypitest.NewServer(pypitest.WithJSONAPI())
	t.Cleanup(extra.Close)
	if err := extra.AddWheel(pypitest.WheelSpec{Name: "demo", Version: "2.0", HomePage: "https://namesake.example"}); err != nil {
		t.Fatal(err)
	}
	plain := pypitest.NewServer()
	t.Cleanup(plain.Close)
	if err := plain.AddWheel(spec); err != nil {
		t.Fatal(err)
	}
	py := pythons.Venv(t, piptest.NoPip)
	open := func(index string) *Env {
		e, err := Open(context.Background(), Options{Python: py, IndexURL: index, ExtraIndexURLs: []string{extra.IndexURL()},
			NoCache: true, Environ: piptest.HomeEnviron(t.TempDir())})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	file := func(s *pypitest.Server) CandidateFile {
		return CandidateFile{Filename: "demo-2.0-py3-none-any.whl", URL: s.URL + "/files/demo-2.0-py3-none-any.whl"}
	}
	full := Details{Summary: "the demo", Links: []Link{
		{"home", "https://home.example"}, {"changelog", "https://src.example/CHANGES"}, {"source", "https://src.example"}}}

	for _, tt := range []struct {
		name     string
		index    *pypitest.Server
		version  string
		cand     CandidateFile
		want     Details
		requests int64 // JSON API requests to the index
	}{
		{"the main index's file", main, "2.0", file(main), full, 1},
		{"a file of the extra index", main, "2.0", file(extra), Details{}, 0},
		{"a version the API does not know", main, "3.0", file(main), Details{}, 1},
		{"an index without the API", plain, "2.0", file(plain), Details{}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := open(tt.index.IndexURL())
			tt.index.ResetCounts()
			extra.ResetCounts()
			got, err := e.Details(context.Background(), "demo", tt.version, tt.cand)
			if err != nil {
				t.Fatal(err)
			}
			if !equalDetails(got, tt.want) {
				t.Errorf("Details = %+v, want %+v", got, tt.want)
			}
			if c := tt.index.Requests().JSONAPI; c != tt.requests {
				t.Errorf("%d JSON API requests, want %d", c, tt.requests)
			}
			if c := extra.Requests().Total; c != 0 {
				t.Errorf("%d requests to the extra index", c)
			}
		})
	}

	main.Fail("demo", pypitest.Fault{Garbage: true, Times: 1})
	if _, err := open(main.IndexURL()).Details(context.Background(), "demo", "2.0", file(main)); err == nil || !strings.Contains(err.Error(), "project page of demo") {
		t.Errorf("broken document: %v", err)
	}
}

func equalDetails(a, b Details) bool {
	if a.Summary != b.Summary || len(a.Links) != len(b.Links) {
		return false
	}
	for i := range a.Links {
		if a.Links[i] != b.Links[i] {
			return false
		}
	}
	return true
}
