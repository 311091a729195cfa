package pip

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// One scan with the cooldown (which reads upload times from the JSON API
// when the pages have none) and the vulnerability look-ups, then the UI's
// details of each Latest: every JSON API document is fetched once, and an
// index without the API is probed once for both look-ups, not once each.
func TestJSONAPIDocumentsOncePerRun(t *testing.T) {
	f := newScanFixture(t)
	cases := []struct {
		name    string
		opts    []pypitest.Option
		min     int64 // JSON API requests of the scan and the details
		max     int64
		note    string // able's cooldown note ("": none, its age is known and old enough)
		noVulns bool   // VulnsUnavailable is reported
	}{
		// Per package: Latest's document (its upload time) and the
		// installed version's (its advisories); the details reuse the first.
		{name: "HTML pages and a JSON API", opts: []pypitest.Option{pypitest.WithFormats(true, false), pypitest.WithJSONAPI()},
			min: int64(2 * len(f.names)), max: int64(2 * len(f.names)), note: ""},
		// maxAPIMisses 404s decide for both look-ups; one more may have
		// been in flight (the scan's check and a vulnerability probe run
		// side by side). Each look-up probing on its own made six.
		{name: "HTML pages, no JSON API", opts: []pypitest.Option{pypitest.WithFormats(true, false)},
			min: maxAPIMisses, max: maxAPIMisses + 1, note: "age of 1.1 unknown", noVulns: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := pypitest.NewServer(c.opts...)
			t.Cleanup(srv.Close)
			for _, n := range f.names {
				for _, v := range []string{"1.0", "1.1"} {
					if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: v}, pypitest.UploadedAt(ago(30*day))); err != nil {
						t.Fatal(err)
					}
				}
			}
			// One check at a time, so that the count does not depend on how
			// the packages interleave; no HTTP cache, so that a document
			// read twice is asked for twice.
			e := f.open(t, Options{IndexURL: srv.IndexURL(), Cooldown: 7 * day, Now: func() time.Time { return cooldownNow }, Concurrency: 1, NoCache: true})
			srv.ResetCounts()
			_, checked, unavailable := drainVulnsAll(t, e.Scan(context.Background(), ScanRequest{}))
			if len(checked) != len(f.names) {
				t.Fatalf("checked %v", checked)
			}
			if (len(unavailable) > 0) != c.noVulns {
				t.Errorf("VulnsUnavailable %+v, want it: %v", unavailable, c.noVulns)
			}
			note := ""
			if n := checked["able"].Cooldown; n != nil {
				note = n.String()
			}
			if (c.note == "") != (note == "") || !strings.Contains(note, c.note) {
				t.Errorf("able's cooldown note %q, want one saying %q", note, c.note)
			}
			for _, n := range f.names {
				if _, err := e.Details(context.Background(), n, checked[n].Latest, checked[n].Candidate); err != nil {
					t.Errorf("details of %s: %v", n, err)
				}
			}
			if n := srv.Requests().JSONAPI; n < c.min || n > c.max {
				t.Errorf("%d JSON API requests, want %d to %d", n, c.min, c.max)
			}
		})
	}
}
