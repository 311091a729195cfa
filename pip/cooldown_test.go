package pip

import (
	"context"
	"testing"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

// cooldownNow is the clock of the cooldown tests: they never read the wall
// clock, and upload times are set relative to this.
var cooldownNow = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return cooldownNow.Add(-d) }

const day = 24 * time.Hour

// cooldownIndex serves the hold venv's packages (all installed at 1.0)
// with upload times; a zero time serves none.
func cooldownIndex(t *testing.T) *pypitest.Server {
	t.Helper()
	srv := pypitest.NewServer()
	t.Cleanup(srv.Close)
	for _, w := range []struct {
		name, version string
		age           time.Duration // 0: the index gives no time
		requires      []string
	}{
		{"mk-old", "1.0", 400 * day, nil}, {"mk-old", "1.5", 20 * day, nil}, {"mk-old", "2.0", 2 * day, nil},
		{"mk-win", "1.0", 400 * day, nil}, {"mk-win", "2.0", 0, nil},
		{"ex-slow", "1.0", 400 * day, nil}, {"ex-slow", "2.0", 30 * day, nil},
		{"ex-undeclared", "1.0", 400 * day, nil}, {"ex-undeclared", "2.0", time.Hour, nil},
		// holder 1.0 holds dep below 2; holder 2.0 would lift that but is new.
		{"dep", "1.0", 400 * day, nil}, {"dep", "1.2", 10 * day, nil}, {"dep", "1.5", day, nil}, {"dep", "2.0", 30 * day, nil},
		{"holder", "1.0", 400 * day, []string{"dep<2", "ghost<1"}}, {"holder", "2.0", 3 * day, []string{"dep<3"}},
		// marked: a pin (<2) and the cooldown together.
		{"marked", "1.0", 400 * day, nil}, {"marked", "1.4", 9 * day, nil}, {"marked", "1.6", 2 * day, nil}, {"marked", "2.0", 50 * day, nil},
		// ex-fast: held by feat-user (ex-fast<2); 1.1 is exactly as old as the cooldown.
		{"ex-fast", "1.0", 400 * day, nil}, {"ex-fast", "1.1", 7 * day, nil}, {"ex-fast", "2.0", day, nil},
		{"feat", "1.0", 400 * day, nil}, {"feat-user", "1.0", 400 * day, nil}, {"broken-meta", "1.0", 400 * day, nil},
	} {
		var opts []pypitest.FileOption
		if w.age != 0 {
			opts = append(opts, pypitest.UploadedAt(ago(w.age)))
		}
		if err := srv.AddWheel(pypitest.WheelSpec{Name: w.name, Version: w.version, Requires: w.requires}, opts...); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

func TestScanCooldown(t *testing.T) {
	py, _ := holdFixture(t)
	srv := cooldownIndex(t)
	f := &scanFixture{srv: srv, python: py}
	type want struct {
		wanted, latest, note string
		pinnedBy             string
		held                 bool
		wantedUploaded       time.Time
	}
	pins := mustPins(t, map[string]string{"marked": "<2"})
	tests := []struct {
		name     string
		cooldown time.Duration
		want     map[string]want
	}{
		{"7 days", 7 * day, map[string]want{
			"mk-old":        {wanted: "1.5", latest: "2.0", note: "2.0 is 2 days old (cooldown 7d)", wantedUploaded: ago(20 * day)},
			"mk-win":        {wanted: "2.0", latest: "2.0", note: "age of 2.0 unknown (cooldown 7d)"},
			"ex-slow":       {wanted: "2.0", latest: "2.0", wantedUploaded: ago(30 * day)},
			"ex-undeclared": {wanted: "1.0", latest: "2.0", note: "2.0 is 1 hour old (cooldown 7d)"},
			"dep":           {wanted: "1.2", latest: "2.0", note: "1.5 is 1 day old (cooldown 7d)", held: true, wantedUploaded: ago(10 * day)},
			"holder":        {wanted: "1.0", latest: "2.0", note: "2.0 is 3 days old (cooldown 7d)"},
			"marked":        {wanted: "1.4", latest: "2.0", note: "1.6 is 2 days old (cooldown 7d)", pinnedBy: "<2", wantedUploaded: ago(9 * day)},
			"ex-fast":       {wanted: "1.1", latest: "2.0", held: true, wantedUploaded: ago(7 * day)},
		}},
		{"36 hours", 36 * time.Hour, map[string]want{
			"mk-old":        {wanted: "2.0", latest: "2.0", wantedUploaded: ago(2 * day)},
			"ex-undeclared": {wanted: "1.0", latest: "2.0", note: "2.0 is 1 hour old (cooldown 36h)"},
			"dep":           {wanted: "1.2", latest: "2.0", note: "1.5 is 1 day old (cooldown 36h)", held: true, wantedUploaded: ago(10 * day)},
		}},
		{"off", 0, map[string]want{
			"mk-old":        {wanted: "2.0", latest: "2.0", wantedUploaded: ago(2 * day)},
			"mk-win":        {wanted: "2.0", latest: "2.0"},
			"ex-undeclared": {wanted: "2.0", latest: "2.0", wantedUploaded: ago(time.Hour)},
			"dep":           {wanted: "1.5", latest: "2.0", held: true, wantedUploaded: ago(day)},
			"marked":        {wanted: "1.6", latest: "2.0", pinnedBy: "<2", wantedUploaded: ago(2 * day)},
			"ex-fast":       {wanted: "1.1", latest: "2.0", held: true, wantedUploaded: ago(7 * day)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := f.open(t, Options{Cooldown: tt.cooldown, Now: func() time.Time { return cooldownNow }, Pins: pins})
			checked, _, failed, done := drain(t, e.Scan(context.Background(), ScanRequest{}))
			if len(failed) != 0 || done.Err != nil {
				t.Fatalf("failed=%v err=%v", failed, done.Err)
			}
			for name, w := range tt.want {
				c, ok := checked[name]
				if !ok {
					t.Errorf("%s not checked", name)
					continue
				}
				note := ""
				if c.Cooldown != nil {
					note = c.Cooldown.String()
				}
				if c.Wanted != w.wanted || c.Latest != w.latest || note != w.note || c.PinnedBy != w.pinnedBy || c.HeldBack() != w.held {
					t.Errorf("%s: wanted %s latest %s note %q pinned %q held %v; want %s %s %q %q %v",
						name, c.Wanted, c.Latest, note, c.PinnedBy, c.HeldBack(), w.wanted, w.latest, w.note, w.pinnedBy, w.held)
				}
				if !c.Outdated() {
					t.Errorf("%s: not outdated, though Latest is newer", name)
				}
				if !c.WantedCandidate.Uploaded.Equal(w.wantedUploaded) {
					t.Errorf("%s: Wanted's upload time %v, want %v", name, c.WantedCandidate.Uploaded, w.wantedUploaded)
				}
				if c.Cooldown != nil && c.Cooldown.Held && !c.Cooldown.Until().Equal(c.Cooldown.Uploaded.Add(tt.cooldown)) {
					t.Errorf("%s: until %v", name, c.Cooldown.Until())
				}
			}
			// holder 2.0 (3 days old) would lift dep's hold, unless it is in its cooldown.
			if l := checked["dep"].Lift; (l != nil) != (tt.cooldown < 3*day) {
				t.Errorf("dep: lift %+v with cooldown %v", l, tt.cooldown)
			}
		})
	}
}

// The plan keeps to the cooldown: a chosen version too young is lowered to
// the newest one old enough, or dropped when there is none, saying why;
// a held-back package cannot be freed by a dependent's version too young.
func TestPlanCooldown(t *testing.T) {
	py, _ := holdFixture(t)
	srv := cooldownIndex(t)
	f := &scanFixture{srv: srv, python: py}
	for _, o := range []PlanOptions{{}, {Latest: true}, {ForceLatest: true}} {
		latest := o.Latest || o.ForceLatest
		e := f.open(t, Options{Cooldown: 7 * day, Now: func() time.Time { return cooldownNow }})
		checked, _, _, _ := drain(t, e.Scan(context.Background(), ScanRequest{Packages: []string{"mk-old", "ex-undeclared", "dep", "ex-slow"}}))
		var chosen []Upgrade
		for _, c := range checked {
			chosen = append(chosen, c.ToLatest())
		}
		plan, err := e.PlanUpgrade(context.Background(), chosen, o)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range plan.Packages {
			got[p.Name] = p.Target
		}
		want := map[string]string{"mk-old": "1.5", "dep": "1.2", "ex-slow": "2.0"}
		if o.ForceLatest {
			want["dep"] = "2.0" // past holder 1.0's dep<2, as --force-latest does; 2.0 is old enough
		}
		if len(got) != len(want) {
			t.Errorf("latest=%v: plan %v, want %v", latest, got, want)
		}
		for n, v := range want {
			if got[n] != v {
				t.Errorf("latest=%v: %s planned at %q, want %s", latest, n, got[n], v)
			}
		}
		changes := map[string]PlanChange{}
		for _, c := range plan.Changes {
			changes[c.Name] = c
		}
		if c := changes["mk-old"]; c.Kind != ChangeLowered || c.To != "1.5" || c.Reason != "2.0 is 2 days old (cooldown 7d)" {
			t.Errorf("latest=%v: mk-old change %+v", latest, c)
		}
		if c := changes["ex-undeclared"]; c.Kind != ChangeDropped || c.Reason != "2.0 is 1 hour old (cooldown 7d)" {
			t.Errorf("latest=%v: ex-undeclared change %+v", latest, c)
		}
		if c, ok := changes["holder"]; ok {
			t.Errorf("latest=%v: holder brought in at a version in its cooldown: %+v", latest, c)
		}
	}
}

// An upgrade in a real venv installs the version the cooldown allows.
func TestUpgradeRespectsCooldown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.old(wheel("alpha", "1.0"))
	f.add(wheel("alpha", "1.5"), pypitest.UploadedAt(ago(8*day)))
	f.add(wheel("alpha", "2.0"), pypitest.UploadedAt(ago(6*day)))
	e, err := Open(context.Background(), Options{Python: f.py, IndexURL: f.srv.IndexURL(), Environ: testEnviron(t), CacheDir: t.TempDir(),
		PipCommand: "install", Cooldown: 7 * day, Now: func() time.Time { return cooldownNow }})
	if err != nil {
		t.Fatal(err)
	}
	f.env = e
	checked, _, _, _ := drain(t, e.Scan(context.Background(), ScanRequest{Packages: []string{"alpha"}}))
	c := checked["alpha"]
	if c.Wanted != "1.5" || c.Latest != "2.0" {
		t.Fatalf("scan: %+v", c)
	}
	plan, err := e.PlanUpgrade(context.Background(), []Upgrade{c.ToLatest()}, PlanOptions{})
	if err != nil || len(plan.Packages) != 1 || plan.Packages[0].Target != "1.5" {
		t.Fatalf("plan %+v, %v", plan, err)
	}
	_, done := run(t, e.Upgrade(context.Background(), plan.Packages, f.opts()))
	if done.Err != nil || done.Upgraded != 1 {
		t.Fatalf("upgrade: %+v", done)
	}
	if v := f.versions()["alpha"]; v != "1.5" {
		t.Errorf("alpha = %s after the upgrade, want 1.5 (2.0 is in its cooldown)", v)
	}
	assertIntact(t, e.Interp)
}

func TestCooldownWording(t *testing.T) {
	week := 7 * day
	tests := []struct {
		got, want string
	}{
		{CooldownNote{Version: "2.1.0", Held: true, Age: 2*day + 5*time.Hour, Cooldown: week}.String(), "2.1.0 is 2 days old (cooldown 7d)"},
		{CooldownNote{Version: "2.1.0", Held: true, Age: day, Cooldown: 36 * time.Hour}.String(), "2.1.0 is 1 day old (cooldown 36h)"},
		{CooldownNote{Version: "2.1.0", Held: true, Age: 0, Cooldown: week}.String(), "2.1.0 is less than a minute old (cooldown 7d)"},
		{CooldownNote{Version: "2.1.0", Cooldown: week}.String(), "age of 2.1.0 unknown (cooldown 7d)"},
		{FormatAge(59 * time.Second), "less than a minute"},
		{FormatAge(time.Minute), "1 minute"},
		{FormatAge(2*time.Hour + 59*time.Minute), "2 hours"},
		{FormatAge(400 * day), "400 days"},
		{ReleaseNote(time.Time{}, cooldownNow), ""},
		{ReleaseNote(ago(4*day), cooldownNow), "released 2026-11-30, 4 days ago"},
		{ReleaseNote(ago(10*time.Second), cooldownNow), "released 2026-12-04, just now"},
		{ReleaseNote(time.Date(2026, 12, 5, 1, 0, 0, 0, time.FixedZone("", 14*3600)), cooldownNow), "released 2026-12-04, 1 hour ago"},
		{DetailsNote(PackageChecked{Cooldown: &CooldownNote{Version: "3.0", Held: true, Age: time.Hour, Cooldown: week}}, CandidateFile{Uploaded: ago(2 * day)}, cooldownNow),
			"released 2026-12-02, 2 days ago · 3.0 is 1 hour old (cooldown 7d)"},
		{DetailsNote(PackageChecked{}, CandidateFile{}, cooldownNow), ""},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: %q, want %q", i, tt.got, tt.want)
		}
	}
	if until := (CooldownNote{Uploaded: ago(2 * day), Cooldown: week}).Until(); !until.Equal(cooldownNow.Add(5 * day)) {
		t.Errorf("Until = %v", until)
	}
}

// An index whose Simple API gives no times (HTML only here) but serves the
// JSON API beside it: the ages come from there, one release at a time from
// the top, stopping at the first version that may be Wanted; the plan
// keeps to what the scan learnt. An index with neither leaves ages unknown.
func TestScanCooldownFromJSONAPI(t *testing.T) {
	py, _ := holdFixture(t)
	tests := []struct {
		name string
		opts []pypitest.Option
		// mk-old's Wanted and note, and the JSON API requests of the scan.
		wanted, note string
		requests     int64
	}{
		{"HTML pages and a JSON API", []pypitest.Option{pypitest.WithFormats(true, false), pypitest.WithJSONAPI()},
			"1.5", "2.0 is 2 days old (cooldown 7d)", 2 + 2 + 1 + 1 + 1}, // mk-old 2.0, 1.5; dep 1.5, 1.2; the others' 2.0
		// Three 404s and no document: the index has no JSON API, and the
		// other two packages do not ask.
		{"HTML pages only", []pypitest.Option{pypitest.WithFormats(true, false)},
			"2.0", "age of 2.0 unknown (cooldown 7d)", 3},
		{"JSON pages with times", []pypitest.Option{pypitest.WithJSONAPI()},
			"1.5", "2.0 is 2 days old (cooldown 7d)", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := pypitest.NewServer(tt.opts...)
			t.Cleanup(srv.Close)
			for _, w := range []struct {
				name, version string
				age           time.Duration
			}{
				{"mk-old", "1.0", 400 * day}, {"mk-old", "1.2", 300 * day}, {"mk-old", "1.5", 20 * day}, {"mk-old", "2.0", 2 * day},
				{"dep", "1.0", 400 * day}, {"dep", "1.2", 10 * day}, {"dep", "1.5", day}, {"dep", "2.0", 30 * day},
				{"ex-slow", "1.0", 400 * day}, {"ex-slow", "2.0", 30 * day},
				{"mk-win", "1.0", 400 * day}, {"mk-win", "2.0", 30 * day},
				{"ex-undeclared", "1.0", 400 * day}, {"ex-undeclared", "2.0", 30 * day},
			} {
				if err := srv.AddWheel(pypitest.WheelSpec{Name: w.name, Version: w.version}, pypitest.UploadedAt(ago(w.age))); err != nil {
					t.Fatal(err)
				}
			}
			f := &scanFixture{srv: srv, python: py}
			// One request at a time, so that the count of JSON API requests
			// does not depend on how the packages interleave; the
			// vulnerability look-ups, which ask the JSON API too, are off.
			e := f.open(t, Options{Cooldown: 7 * day, Now: func() time.Time { return cooldownNow }, Concurrency: 1, NoVulns: true})
			srv.ResetCounts()
			checked, _, _, done := drain(t, e.Scan(context.Background(), ScanRequest{Packages: []string{"mk-old", "dep", "ex-slow", "mk-win", "ex-undeclared"}}))
			if done.Err != nil || done.Failed != 0 {
				t.Fatalf("scan: %+v", done)
			}
			c := checked["mk-old"]
			note := ""
			if c.Cooldown != nil {
				note = c.Cooldown.String()
			}
			if c.Wanted != tt.wanted || note != tt.note {
				t.Errorf("mk-old: wanted %s note %q; want %s %q", c.Wanted, note, tt.wanted, tt.note)
			}
			// Held back by holder 1.0 (dep<2): 2.0 is never Wanted, so its
			// age is not asked for.
			if d := checked["dep"]; tt.wanted == "1.5" && d.Wanted != "1.2" {
				t.Errorf("dep: wanted %s, want 1.2", d.Wanted)
			}
			if n := srv.Requests().JSONAPI; n != tt.requests {
				t.Errorf("%d JSON API requests, want %d", n, tt.requests)
			}
			plan, err := e.PlanUpgrade(context.Background(), []Upgrade{c.ToLatest()}, PlanOptions{})
			if err != nil || len(plan.Packages) != 1 || plan.Packages[0].Target != tt.wanted {
				t.Errorf("plan %+v, %v; want mk-old at %s", plan, err, tt.wanted)
			}
		})
	}
}

func TestFormatAge(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "less than a minute"},
		{59 * time.Second, "less than a minute"},
		{time.Minute, "1 minute"},
		{5*time.Minute + 30*time.Second, "5 minutes"},
		{time.Hour, "1 hour"},
		{23 * time.Hour, "23 hours"},
		{24 * time.Hour, "1 day"},
		{50 * time.Hour, "2 days"},
	} {
		if got := FormatAge(tt.d); got != tt.want {
			t.Errorf("FormatAge(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
