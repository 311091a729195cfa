package pip

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pypitest"
)

func TestFixedBy(t *testing.T) {
	for _, tt := range []struct {
		name              string
		fixedIn           []string
		installed, target string
		want              bool
	}{
		{"fix at the target", []string{"1.1"}, "1.0", "1.1", true},
		{"fix below the target", []string{"1.0.5"}, "1.0", "2.0", true},
		{"fix above the target", []string{"2.0"}, "1.0", "1.1", false},
		{"no fix known", nil, "1.0", "2.0", false},
		{"fix already installed, still listed", []string{"0.9"}, "1.0", "2.0", false},
		{"target's series fixed later", []string{"1.2.5", "2.0.1"}, "1.2.0", "2.0.0", false},
		{"older series' fix, target's series fixed", []string{"1.2.5", "2.0.1"}, "1.2.0", "2.0.1", true},
		{"another series fixed later", []string{"1.2.5", "3.0.1"}, "1.2.0", "2.0.0", true},
		{"same series, shorter spelling", []string{"2.0.1"}, "1.0", "2", false},
		{"target not above installed", []string{"1.1"}, "1.1", "1.1", false},
		{"unparseable fix", []string{"next"}, "1.0", "2.0", false},
		{"unparseable target", []string{"1.1"}, "1.0", "latest", false},
		{"epoch", []string{"1!1.0"}, "2.0", "1!1.0", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := fixedBy(tt.fixedIn, tt.installed, tt.target); got != tt.want {
				t.Errorf("fixedBy(%v, %s, %s) = %v, want %v", tt.fixedIn, tt.installed, tt.target, got, tt.want)
			}
		})
	}
}

func TestPackageVulnerableFor(t *testing.T) {
	p := PackageVulnerable{Name: "a", Version: "1.0", Wanted: "1.1", Vulns: []Vuln{
		{ID: "A", FixedIn: []string{"1.1"}, FixedByTarget: true},
		{ID: "B", FixedIn: []string{"2.0"}},
	}}
	for _, tt := range []struct {
		target string
		want   []bool
	}{{"1.1", []bool{true, false}}, {"2.0", []bool{true, true}}, {"1.0", []bool{false, false}}} {
		var got []bool
		for _, v := range p.For(tt.target) {
			got = append(got, v.FixedByTarget)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("For(%s): %v, want %v", tt.target, got, tt.want)
		}
	}
	if !p.Vulns[0].FixedByTarget || p.Vulns[1].FixedByTarget {
		t.Errorf("For changed the event's own list: %+v", p.Vulns)
	}
}

func TestVulnsOfDropsWithdrawn(t *testing.T) {
	got := vulnsOf([]pypi.Vulnerability{
		{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, FixedIn: []string{"1.1"}, Link: "https://osv.example/PYSEC-1"},
		{ID: "PYSEC-2", FixedIn: []string{"1.1"}, Withdrawn: true},
		{ID: "", FixedIn: []string{"1.1"}},
		{ID: "GHSA-3", FixedIn: []string{"3.0"}},
	}, "1.0", "1.1")
	want := []Vuln{
		{ID: "PYSEC-1", Aliases: []string{"CVE-1"}, FixedIn: []string{"1.1"}, Link: "https://osv.example/PYSEC-1", FixedByTarget: true},
		{ID: "GHSA-3", FixedIn: []string{"3.0"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// vulnIndex is fixtureIndex with PyPI's JSON API and advisories on the
// installed 1.0 of able (fixed in 1.1, the target), baker (fixed in 2.0,
// not the target) and charlie (withdrawn); dog has none.
func vulnIndex(t *testing.T, names ...string) *pypitest.Server {
	t.Helper()
	srv := pypitest.NewServer(pypitest.WithJSONAPI())
	t.Cleanup(srv.Close)
	for _, n := range names {
		for _, v := range []string{"1.0", "1.1"} {
			if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: v}); err != nil {
				t.Fatal(err)
			}
		}
	}
	withdrawn := "2024-01-01T00:00:00Z"
	srv.SetVulnerabilities("able", "1.0", pypitest.Vulnerability{ID: "PYSEC-2024-1", Aliases: []string{"CVE-2024-1"}, FixedIn: []string{"1.1"}, Link: "https://osv.example/PYSEC-2024-1"})
	srv.SetVulnerabilities("baker", "1.0", pypitest.Vulnerability{ID: "GHSA-b", FixedIn: []string{"2.0"}})
	srv.SetVulnerabilities("charlie", "1.0", pypitest.Vulnerability{ID: "PYSEC-OLD", FixedIn: []string{"1.1"}, Withdrawn: &withdrawn})
	return srv
}

// drainVulns collects a scan's PackageVulnerable events, checking that each
// follows its package's PackageChecked.
func drainVulns(t *testing.T, ch <-chan ScanEvent) (map[string]PackageVulnerable, map[string]PackageChecked) {
	t.Helper()
	vulns, checked, _ := drainVulnsAll(t, ch)
	return vulns, checked
}

// drainVulnsAll is drainVulns with the VulnsUnavailable events, which
// must come after ScanDone.
func drainVulnsAll(t *testing.T, ch <-chan ScanEvent) (map[string]PackageVulnerable, map[string]PackageChecked, []VulnsUnavailable) {
	t.Helper()
	vulns, checked := map[string]PackageVulnerable{}, map[string]PackageChecked{}
	var unavailable []VulnsUnavailable
	sawDone := false
	for ev := range ch {
		switch ev := ev.(type) {
		case ScanDone:
			sawDone = true
		case VulnsUnavailable:
			if !sawDone {
				t.Errorf("VulnsUnavailable before ScanDone")
			}
			unavailable = append(unavailable, ev)
		case PackageChecked:
			checked[ev.Name] = ev
		case PackageVulnerable:
			if _, ok := checked[ev.Name]; !ok {
				t.Errorf("%s: vulnerabilities before its PackageChecked", ev.Name)
			}
			if _, dup := vulns[ev.Name]; dup {
				t.Errorf("%s: vulnerabilities reported twice", ev.Name)
			}
			vulns[ev.Name] = ev
		}
	}
	return vulns, checked, unavailable
}

// The scan reads the installed version's advisories from the main index's
// JSON API for each outdated package, marks those the target fixes, drops
// withdrawn ones and reports nothing for a package without any.
func TestScanReportsVulnerabilities(t *testing.T) {
	f := newScanFixture(t)
	srv := vulnIndex(t, f.names...)
	e := f.open(t, Options{IndexURL: srv.IndexURL()})
	vulns, checked := drainVulns(t, e.Scan(context.Background(), ScanRequest{}))
	if len(checked) < len(f.names) {
		t.Fatalf("checked %v", checked)
	}
	want := map[string]PackageVulnerable{
		"able": {Name: "able", Version: "1.0", Wanted: "1.1", Vulns: []Vuln{{ID: "PYSEC-2024-1", Aliases: []string{"CVE-2024-1"},
			FixedIn: []string{"1.1"}, Link: "https://osv.example/PYSEC-2024-1", FixedByTarget: true}}},
		"baker": {Name: "baker", Version: "1.0", Wanted: "1.1", Vulns: []Vuln{{ID: "GHSA-b", FixedIn: []string{"2.0"}}}},
	}
	if !reflect.DeepEqual(vulns, want) {
		t.Errorf("got %+v\nwant %+v", vulns, want)
	}
	if !vulns["able"].FixesSome() || vulns["baker"].FixesSome() {
		t.Errorf("FixesSome: able %v, baker %v", vulns["able"].FixesSome(), vulns["baker"].FixesSome())
	}
	// One document per outdated package (its installed version).
	if n := srv.Requests().JSONAPI; n != int64(len(f.names)) {
		t.Errorf("%d JSON API requests, want %d", n, len(f.names))
	}
}

// A pin keeps able at 1.0: not outdated, so nothing is looked up for it.
// The target the fix is measured against is Wanted, not Latest.
func TestScanVulnerabilitiesFollowWanted(t *testing.T) {
	f := newScanFixture(t)
	srv := vulnIndex(t, f.names...)
	srv.SetVulnerabilities("dog", "1.0", pypitest.Vulnerability{ID: "PYSEC-D", FixedIn: []string{"1.1"}})
	pins := map[string]string{"able": "<1.1"}
	e := f.open(t, Options{IndexURL: srv.IndexURL(), Pins: mustPins(t, pins)})
	vulns, checked := drainVulns(t, e.Scan(context.Background(), ScanRequest{}))
	if c := checked["able"]; c.Wanted != "1.0" {
		t.Fatalf("able: Wanted %q, want 1.0 (pinned)", c.Wanted)
	}
	if v, ok := vulns["able"]; !ok || v.Wanted != "1.0" || v.FixesSome() {
		t.Errorf("able (pinned below the fix): %+v, %v; want listed, not fixed by Wanted 1.0", v, ok)
	}
	if v := vulns["dog"]; !v.FixesSome() {
		t.Errorf("dog: %+v, want fixed by 1.1", v)
	}
}

// No look-ups with --no-vulns, with an index that has no JSON API, or for
// a package found on another index than the main one (the main index's
// advisories would be its namesake's).
func TestScanVulnerabilityLookupsOff(t *testing.T) {
	f := newScanFixture(t)
	for _, tt := range []struct {
		name string
		open func(t *testing.T) (*Env, *pypitest.Server)
		// requests is how many JSON API requests may be made: an index
		// without the API is probed with at most probeMisses.
		requests int64
		// unavailable: the scan says that no vulnerability data could be
		// had (rather than that none is known).
		unavailable string
	}{
		{"no-vulns", func(t *testing.T) (*Env, *pypitest.Server) {
			srv := vulnIndex(t, f.names...)
			return f.open(t, Options{IndexURL: srv.IndexURL(), NoVulns: true}), srv
		}, 0, ""},
		{"no JSON API", func(t *testing.T) (*Env, *pypitest.Server) {
			srv := fixtureIndex(t)
			return f.open(t, Options{IndexURL: srv.IndexURL()}), srv
		}, probeMisses, "the index served no PyPI JSON API document for 3 outdated packages"},
		{"no index", func(t *testing.T) (*Env, *pypitest.Server) {
			srv := vulnIndex(t, f.names...)
			dir := t.TempDir()
			if err := srv.WriteFindLinksDir(dir, f.names...); err != nil {
				t.Fatal(err)
			}
			return f.open(t, Options{NoIndex: true, FindLinks: []string{dir}}), srv
		}, 0, "no package index"},
		{"found on an extra index", func(t *testing.T) (*Env, *pypitest.Server) {
			main := vulnIndex(t) // lists the advisories, serves no files
			extra := vulnIndex(t, f.names...)
			return f.open(t, Options{IndexURL: main.IndexURL(), ExtraIndexURLs: []string{extra.IndexURL()}}), main
		}, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, srv := tt.open(t)
			ch := e.Scan(context.Background(), ScanRequest{})
			vulns, checked, unavailable := drainVulnsAll(t, ch)
			switch {
			case tt.unavailable == "" && len(unavailable) > 0:
				t.Errorf("VulnsUnavailable %+v, want none", unavailable)
			case tt.unavailable != "" && (len(unavailable) != 1 || !strings.Contains(unavailable[0].Reason, tt.unavailable)):
				t.Errorf("VulnsUnavailable %+v, want one saying %q", unavailable, tt.unavailable)
			}
			if len(checked) < len(f.names) {
				t.Fatalf("checked %v", checked)
			}
			if len(vulns) != 0 {
				t.Errorf("vulnerabilities reported: %+v", vulns)
			}
			if n := srv.Requests().JSONAPI; n != tt.requests {
				t.Errorf("%d JSON API requests, want %d", n, tt.requests)
			}
		})
	}
}

// The look-ups go through the HTTP cache like the pages: a second scan
// within the documents' freshness asks the index for nothing.
func TestScanVulnerabilitiesCached(t *testing.T) {
	f := newScanFixture(t)
	srv := pypitest.NewServer(pypitest.WithJSONAPI(), pypitest.WithMaxAge(600))
	t.Cleanup(srv.Close)
	for _, n := range f.names {
		for _, v := range []string{"1.0", "1.1"} {
			if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: v}); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv.SetVulnerabilities("able", "1.0", pypitest.Vulnerability{ID: "PYSEC-A", FixedIn: []string{"1.1"}})
	cache := t.TempDir()
	for i := range 2 {
		e := f.open(t, Options{IndexURL: srv.IndexURL(), CacheDir: cache})
		vulns, _ := drainVulns(t, e.Scan(context.Background(), ScanRequest{}))
		if !vulns["able"].FixesSome() {
			t.Errorf("scan %d: able %+v", i, vulns["able"])
		}
		if i == 0 {
			srv.ResetCounts()
		}
	}
	if n := srv.Requests().JSONAPI; n != 0 {
		t.Errorf("warm scan: %d JSON API requests, want 0 (cached)", n)
	}
}

// The look-ups never hold the checks: with every JSON API answer held
// back, ScanDone still comes, and the answers follow it once released; the
// channel closes after them.
func TestScanDoneDoesNotWaitForVulnerabilities(t *testing.T) {
	f := newScanFixture(t)
	srv := vulnIndex(t, f.names...)
	release := srv.HoldJSONAPI()
	t.Cleanup(release)
	e := f.open(t, Options{IndexURL: srv.IndexURL()})
	ch := e.Scan(context.Background(), ScanRequest{})
	deadline := time.After(time.Minute)
	sawDone := false
	var after []string // PackageVulnerable names after ScanDone
	for !sawDone {
		select {
		case ev := <-ch:
			switch ev := ev.(type) {
			case ScanDone:
				sawDone = true
				if ev.Err != nil || ev.Outdated != len(f.names) {
					t.Fatalf("ScanDone %+v", ev)
				}
			case PackageVulnerable:
				t.Fatalf("%s: an answer while the JSON API was held", ev.Name)
			}
		case <-deadline:
			t.Fatal("no ScanDone within a minute while the JSON API was held: the scan waits for the look-ups")
		}
	}
	release()
	for ev := range ch {
		if v, ok := ev.(PackageVulnerable); ok {
			after = append(after, v.Name)
		} else {
			t.Errorf("after ScanDone: %#v", ev)
		}
	}
	sort.Strings(after)
	if want := []string{"able", "baker"}; !reflect.DeepEqual(after, want) {
		t.Errorf("answers after ScanDone %v, want %v", after, want)
	}
}
