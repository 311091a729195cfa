package pip

import (
	"context"
	"testing"

	"github.com/pipup/pipup/pypi/pep440"
)

func mustPins(t *testing.T, pins map[string]string) map[string]pep440.SpecifierSet {
	t.Helper()
	out := map[string]pep440.SpecifierSet{}
	for n, text := range pins {
		spec, err := pep440.ParseSpecifierSet(text)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = spec
	}
	return out
}

// Pins and ignores from pipup's settings, against a real venv and index.
func TestScanPinsAndIgnores(t *testing.T) {
	py, srv := holdFixture(t)
	f := &scanFixture{srv: srv, python: py}
	e := f.open(t, Options{
		Pins: mustPins(t, map[string]string{
			"ex-slow": "<2",   // nothing holds it; the pin keeps it at 1.0
			"dep":     "<1.5", // held by holder (dep<2) and pinned lower
			"mk-old":  ">=1",  // admits the latest: no note
			"ex-fast": "!=1.1",
		}),
		Ignore: []string{"MK_Win", "feat-user"},
	})
	var started ScanStarted
	var done ScanDone
	checked := map[string]PackageChecked{}
	ignored := map[string]string{}
	for ev := range e.Scan(context.Background(), ScanRequest{}) {
		switch ev := ev.(type) {
		case ScanStarted:
			started = ev
		case PackageChecked:
			checked[ev.Name] = ev
		case PackageIgnored:
			ignored[ev.Name] = ev.Version
		case ScanDone:
			done = ev
		}
	}
	if done.Err != nil || done.Failed != 0 {
		t.Fatalf("scan: %+v", done)
	}
	if len(ignored) != 2 || ignored["mk-win"] != "1.0" || ignored["feat-user"] != "1.0" || done.Ignored != 2 {
		t.Errorf("ignored %v (done says %d), want mk-win and feat-user at 1.0", ignored, done.Ignored)
	}
	for _, n := range []string{"mk-win", "feat-user"} {
		if _, ok := checked[n]; ok {
			t.Errorf("%s is ignored but was checked", n)
		}
	}
	if started.Total != len(holdInstalled)-2+len(notOnIndex) && started.Total != done.Checked+done.Skipped+done.Failed {
		t.Errorf("ScanStarted.Total %d counts ignored packages (done: %+v)", started.Total, done)
	}
	for _, c := range []struct {
		name, wanted, latest, pinnedBy string
		held                           bool
	}{
		{"ex-slow", "1.0", "2.0", "<2", false},
		{"dep", "1.0", "2.0", "<1.5", true},
		{"mk-old", "2.0", "2.0", "", false},
		// feat-user is ignored but still requests feat[fast]: ex-fast<2
		// holds, and the pin skips 1.1.
		{"ex-fast", "1.0", "2.0", "!=1.1", true},
	} {
		got := checked[c.name]
		if got.Wanted != c.wanted || got.Latest != c.latest || got.PinnedBy != c.pinnedBy || got.HeldBack() != c.held {
			t.Errorf("%s: wanted %s latest %s pinned by %q held %v; want %s %s %q %v",
				c.name, got.Wanted, got.Latest, got.PinnedBy, got.HeldBack(), c.wanted, c.latest, c.pinnedBy, c.held)
		}
		if !got.Outdated() {
			t.Errorf("%s: a pinned package is still outdated (Latest is newer)", c.name)
		}
	}
	// holder 2.0 would free dep 2.0, which the pin excludes: no lift.
	if l := checked["dep"].Lift; l != nil {
		t.Errorf("dep: lift %+v past its pin", l)
	}
}
