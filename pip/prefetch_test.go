package pip

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pypitest"
)

// pipup upgrade's scan (PrefetchPlan) reads each outdated package's Latest
// metadata before its channel closes, and the plan after it reads none
// again: every metadata file once per run. The plan is the one an Env
// without the prefetch makes. `pipup list`'s scan reads no metadata.
func TestScanPrefetchFeedsThePlan(t *testing.T) {
	f := newScanFixture(t)
	cases := []struct {
		name         string
		prefetch     bool
		wantAfterScn int64 // metadata requests once the scan's channel closed
	}{
		{name: "upgrade: prefetched during the scan", prefetch: true, wantAfterScn: int64(len(f.names))},
		{name: "list: no metadata read", prefetch: false, wantAfterScn: 0},
	}
	var plans [][]string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.srv.ResetCounts()
			e := f.open(t, Options{})
			checked, _, failed, done := drain(t, e.Scan(context.Background(), ScanRequest{PrefetchPlan: c.prefetch}))
			if done.Err != nil || len(failed) > 0 || len(checked) != len(f.names) {
				t.Fatalf("scan: err=%v failed=%v checked=%d", done.Err, failed, len(checked))
			}
			if got := f.srv.Requests().Metadata; got != c.wantAfterScn {
				t.Errorf("metadata requests after the scan = %d, want %d", got, c.wantAfterScn)
			}
			var chosen []Upgrade
			for _, n := range f.names {
				chosen = append(chosen, checked[n].ToLatest())
			}
			plan, err := e.PlanUpgrade(context.Background(), chosen, PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.srv.Requests().Metadata; got != int64(len(f.names)) {
				t.Errorf("metadata requests after the plan = %d, want %d (each file once)", got, len(f.names))
			}
			var got []string
			for _, p := range plan.Packages {
				got = append(got, p.Name+" "+p.From+"->"+p.Target)
			}
			if len(got) != len(f.names) || len(plan.Warnings) > 0 || len(plan.Changes) > 0 {
				t.Errorf("plan = %v, warnings %v, changes %v", got, plan.Warnings, plan.Changes)
			}
			plans = append(plans, got)
		})
	}
	if len(plans) == 2 && !slices.Equal(plans[0], plans[1]) {
		t.Errorf("plan with the prefetch %v, without %v", plans[0], plans[1])
	}
}

// A cancel stops the prefetches waiting for an answer (or for their turn):
// wait returns, and nothing failed is kept for the planner.
func TestMetaPrefetchStopsOnCancel(t *testing.T) {
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	names := []string{"one", "two", "three"}
	for _, n := range names {
		if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: "2.0"}); err != nil {
			t.Fatal(err)
		}
	}
	e, finder := metaEnv(t, srv.IndexURL())
	var evs []PackageChecked
	for _, n := range names {
		evs = append(evs, PackageChecked{Name: n, Version: "1.0", Latest: "2.0", Bump: BumpMajor, Candidate: findCandidate(t, finder, n)})
	}
	srv.ResetCounts()
	srv.Fail("", pypitest.Fault{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One in flight: the others wait for their turn when the cancel comes.
	e.opts.Concurrency = 1
	p := e.newMetaPrefetch(ctx, ScanRequest{PrefetchPlan: true})
	for _, ev := range evs {
		p.look(ev)
	}
	deadline := time.Now().Add(10 * time.Second)
	for srv.Requests().Metadata == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := srv.Requests().Metadata; got != 1 {
		t.Fatalf("metadata requests in flight = %d, want 1 (the concurrency)", got)
	}
	cancel()
	stopped := make(chan struct{})
	go func() { p.wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("prefetch did not stop within 10s of cancel")
	}
	if kept := e.metadata.size(); kept != 0 {
		t.Errorf("%d cancelled fetches kept in the metadata cache", kept)
	}
	if got := srv.Requests().Metadata; got != 1 {
		t.Errorf("metadata requests = %d after cancel, want the 1 in flight", got)
	}
}

// Only what a plan reads first is prefetched: not an up-to-date package,
// nor a Latest that its pin excludes or that is in its cooldown (the
// planner then looks for another version); and nothing for a scan that
// no plan follows.
func TestMetaPrefetchReadsOnlyWhatThePlanReads(t *testing.T) {
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, n := range []string{"pkg", "young"} {
		if err := srv.AddWheel(pypitest.WheelSpec{Name: n, Version: "2.0"}); err != nil {
			t.Fatal(err)
		}
	}
	e, finder := metaEnv(t, srv.IndexURL())
	cand := findCandidate(t, finder, "pkg")
	below2, err := pep440.ParseSpecifierSet("<2")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// Its own package: the client's HTTP cache would answer for pkg's file.
	young := findCandidate(t, finder, "young")
	young.Uploaded = now.Add(-time.Hour)
	outdated := PackageChecked{Name: "pkg", Version: "1.0", Latest: "2.0", Bump: BumpMajor, Candidate: cand}
	upToDate := outdated
	upToDate.Bump, upToDate.Version = BumpNone, "2.0"
	youngEv := outdated
	youngEv.Name, youngEv.Candidate = "young", young
	cases := []struct {
		name string
		req  ScanRequest
		opts Options
		ev   PackageChecked
		want int64 // metadata requests
	}{
		{name: "outdated", req: ScanRequest{PrefetchPlan: true}, ev: outdated, want: 1},
		{name: "no plan follows", req: ScanRequest{}, ev: outdated},
		{name: "up to date", req: ScanRequest{PrefetchPlan: true}, ev: upToDate},
		{name: "pinned below Latest", req: ScanRequest{PrefetchPlan: true}, opts: Options{Pins: map[string]pep440.SpecifierSet{"pkg": below2}}, ev: outdated},
		{name: "Latest in its cooldown", req: ScanRequest{PrefetchPlan: true}, opts: Options{Cooldown: 24 * time.Hour, Now: func() time.Time { return now }}, ev: youngEv},
		{name: "Latest past its cooldown", req: ScanRequest{PrefetchPlan: true}, opts: Options{Cooldown: time.Minute, Now: func() time.Time { return now }}, ev: youngEv, want: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.metadata.reset()
			e.opts = c.opts
			srv.ResetCounts()
			p := e.newMetaPrefetch(context.Background(), c.req)
			p.look(c.ev)
			p.wait()
			if got := srv.Requests().Metadata; got != c.want {
				t.Errorf("metadata requests = %d, want %d", got, c.want)
			}
		})
	}
}
