package pip

import (
	"strings"
	"testing"
)

// Scan results with holds, as the scan reports them (pip_test's real-pip
// scenarios check that the scan's Wanted, HeldBackBy and Lift agree with
// pip; these check what is decided from them).

func file(name string) CandidateFile {
	return CandidateFile{Filename: name, URL: "https://x/" + name}
}

// heldWithPair: botocore held by boto3 below its latest, a newer version
// allowed, and a Lift that boto3's latest frees.
func heldWithPair() PackageChecked {
	return PackageChecked{
		Name: "botocore", Version: "1.43.11", Latest: "1.44.5", Bump: BumpMinor, FileType: "wheel",
		Candidate: file("botocore-1.44.5-py3-none-any.whl"),
		Wanted:    "1.43.20", WantedCandidate: file("botocore-1.43.20-py3-none-any.whl"),
		HeldBackBy: []Hold{{Name: "boto3", Version: "1.43.11", Requirement: "botocore<1.44.0,>=1.43.11"}},
		Lift: &Lift{To: "1.44.5", Candidate: file("botocore-1.44.5-py3-none-any.whl"),
			With: []PlannedUpgrade{{Name: "boto3", From: "1.43.11", To: "1.44.5"}}},
	}
}

func free(name, from, to string, b Bump) PackageChecked {
	return PackageChecked{Name: name, Version: from, Latest: to, Bump: b, Wanted: to, Candidate: file(name + "-" + to + ".whl"), WantedCandidate: file(name + "-" + to + ".whl")}
}

// stuck: held at the installed version, with a Lift whose dependent the
// table may or may not have.
func stuck() PackageChecked {
	return PackageChecked{
		Name: "dep", Version: "1.0", Latest: "1.1", Bump: BumpMinor, Candidate: file("dep-1.1.tar.gz"), Wanted: "1.0",
		HeldBackBy: []Hold{{Name: "holder", Version: "2.0", Requirement: "dep==1.0"}},
		Lift:       &Lift{To: "1.1", Candidate: file("dep-1.1.tar.gz"), With: []PlannedUpgrade{{Name: "holder", From: "2.0", To: "3.0"}}},
	}
}

func TestOfferFor(t *testing.T) {
	noLift := heldWithPair()
	noLift.Lift = nil
	noNewer := stuck()
	noNewer.Lift = nil
	pinned := free("idna", "3.6", "3.10", BumpMinor)
	pinned.Wanted, pinned.WantedCandidate, pinned.PinnedBy = "3.7", file("idna-3.7.whl"), "<3.8"
	unparsed := heldWithPair()
	unparsed.Version = "not a version"
	for _, c := range []struct {
		name       string
		p          PackageChecked
		target     string
		file       string
		bump       Bump
		preselect  bool
		heldLatest string
		pair       string // "to bump file", "" for none
	}{
		{"held below a newer allowed version: offered there", heldWithPair(), "1.43.20", "botocore-1.43.20-py3-none-any.whl", BumpPatch, true, "1.44.5", "1.44.5 minor botocore-1.44.5-py3-none-any.whl"},
		{"held, no lift", noLift, "1.43.20", "botocore-1.43.20-py3-none-any.whl", BumpPatch, true, "1.44.5", ""},
		{"nothing newer allowed: latest, never ticked", noNewer, "1.1", "dep-1.1.tar.gz", BumpMinor, false, "", ""},
		{"nothing newer allowed, with a lift", stuck(), "1.1", "dep-1.1.tar.gz", BumpMinor, false, "", "1.1 minor dep-1.1.tar.gz"},
		{"free minor", free("idna", "3.6", "3.10", BumpMinor), "3.10", "idna-3.10.whl", BumpMinor, true, "", ""},
		{"free patch", free("urllib3", "2.2.1", "2.2.3", BumpPatch), "2.2.3", "urllib3-2.2.3.whl", BumpPatch, true, "", ""},
		{"free major", free("Django", "4.2.11", "5.1.4", BumpMajor), "5.1.4", "Django-5.1.4.whl", BumpMajor, false, "", ""},
		{"free pre-release", free("pydantic", "2.9.2", "2.10.0b1", BumpPre), "2.10.0b1", "pydantic-2.10.0b1.whl", BumpPre, false, "", ""},
		// A pin keeps Wanted below Latest: the offer stops there, as the
		// plan would (withinPin), so the table shows what will happen.
		{"pinned, nothing holds it: wanted", pinned, "3.7", "idna-3.7.whl", BumpMinor, true, "3.10", ""},
		{"an installed version that does not parse: latest as scanned", unparsed, "1.44.5", "botocore-1.44.5-py3-none-any.whl", BumpMinor, false, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := OfferFor(c.p)
			u := o.Upgrade
			if u.Name != c.p.Name || u.From != c.p.Version || u.Target != c.target || u.Candidate.Filename != c.file ||
				u.Bump != c.bump || o.Preselect != c.preselect || o.HeldLatest != c.heldLatest {
				t.Errorf("offer %+v, preselect %v, held latest %q; want %s %s %s %v %q", u, o.Preselect, o.HeldLatest, c.target, c.file, c.bump, c.preselect, c.heldLatest)
			}
			pair := ""
			if o.Pair != nil {
				pair = o.Pair.Target + " " + string(o.Pair.Bump) + " " + o.Pair.Candidate.Filename
			}
			if pair != c.pair {
				t.Errorf("pair %q, want %q", pair, c.pair)
			}
			if o.Package.Latest != c.p.Latest {
				t.Errorf("the offer changed the scan's Latest: %s", o.Package.Latest)
			}
		})
	}
}

func TestNotes(t *testing.T) {
	two := stuck()
	two.HeldBackBy = append(two.HeldBackBy, Hold{Name: "other", Version: "1.0", Requirement: "dep<1.1"})
	two.Lift.With = append(two.Lift.With, PlannedUpgrade{Name: "other", From: "1.0", To: "2.0"})
	pinned := free("idna", "3.6", "3.10", BumpMinor)
	pinned.Wanted, pinned.PinnedBy = "3.7", "<3.8"
	pinnedAndHeld := heldWithPair()
	pinnedAndHeld.PinnedBy = "<1.43.15"
	for _, c := range []struct {
		p          PackageChecked
		hold, list string
	}{
		{heldWithPair(), "held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11)", "held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11); 1.44.5 with boto3 1.44.5"},
		{two, "held back by holder 2.0 (dep==1.0), other 1.0 (dep<1.1)", "held back by holder 2.0 (dep==1.0), other 1.0 (dep<1.1); 1.1 with holder 3.0, other 2.0"},
		{free("idna", "3.6", "3.10", BumpMinor), "", ""},
		{pinned, "", "pinned by config (<3.8)"},
		{pinnedAndHeld, "held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11)", "pinned by config (<1.43.15); held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11); 1.44.5 with boto3 1.44.5"},
	} {
		if h, l := c.p.HoldNote(), c.p.ListNote(); h != c.hold || l != c.list {
			t.Errorf("%s: hold %q list %q; want %q %q", c.p.Name, h, l, c.hold, c.list)
		}
	}
}

// state is a Choice in one line: each offer as name@target, ticked ones
// with [x], paired ones with a *.
func state(c Choice) string {
	var parts []string
	for i := range c.Len() {
		s := c.Upgrade(i).Name + "@" + c.Upgrade(i).Target
		if c.Ticked(i) {
			s = "[x]" + s
		}
		if c.Paired(i) {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestChoice(t *testing.T) {
	boto3 := free("boto3", "1.43.11", "1.44.5", BumpMinor)
	scan := []PackageChecked{heldWithPair(), boto3, stuck()}
	const (
		botocore, b3, dep = 0, 1, 2
		start             = "[x]botocore@1.43.20 [x]boto3@1.44.5 dep@1.1"
		paired            = "[x]botocore@1.44.5* [x]boto3@1.44.5 dep@1.1"
	)
	type step struct {
		do    func(Choice) (Choice, string)
		state string
		note  string
	}
	tick := func(on bool, idx ...int) func(Choice) (Choice, string) {
		return func(c Choice) (Choice, string) { return c.Tick(on, idx...) }
	}
	pair := func(i int) func(Choice) (Choice, string) {
		return func(c Choice) (Choice, string) { return c.TickPair(i), "" }
	}
	for _, c := range []struct {
		name  string
		steps []step
	}{
		{"a pair ticks its members", []step{
			{tick(false, b3), "[x]botocore@1.43.20 boto3@1.44.5 dep@1.1", ""},
			{pair(botocore), paired, ""},
		}},
		{"unticking a member takes the paired package back to its safe version", []step{
			{pair(botocore), paired, ""},
			{tick(false, b3), "[x]botocore@1.43.20 boto3@1.44.5 dep@1.1", "botocore is back at 1.43.20: 1.44.5 needs boto3 1.44.5."},
		}},
		{"unticking the paired package keeps the member", []step{
			{pair(botocore), paired, ""},
			{tick(false, botocore), "botocore@1.43.20 [x]boto3@1.44.5 dep@1.1", ""},
		}},
		{"none undoes every pair", []step{
			{pair(botocore), paired, ""},
			{tick(false, botocore, b3, dep), "botocore@1.43.20 boto3@1.44.5 dep@1.1", ""},
			{tick(true, botocore, b3, dep), "[x]botocore@1.43.20 [x]boto3@1.44.5 [x]dep@1.1", ""},
		}},
		{"a pair with a member missing is not offered", []step{
			{pair(dep), start, ""},
			{pair(b3), start, ""}, // boto3 has no pair at all
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := NewChoice(scan)
			if got := state(ch); got != start {
				t.Fatalf("start %s, want %s", got, start)
			}
			for i, s := range c.steps {
				before := state(ch)
				next, note := s.do(ch)
				if got := state(next); got != s.state || note != s.note {
					t.Errorf("step %d: %s, note %q; want %s, %q", i, got, note, s.state, s.note)
				}
				if state(ch) != before {
					t.Errorf("step %d changed the Choice it came from: %s", i, state(ch))
				}
				ch = next
			}
		})
	}
}

func TestChoicePairs(t *testing.T) {
	boto3 := free("boto3", "1.43.11", "1.44.5", BumpMinor)
	older := boto3
	older.Latest = "1.44.0" // the table has boto3, but not at the version the Lift needs
	for _, c := range []struct {
		name string
		scan []PackageChecked
		with string // PairWith(0): the members' names, "-" when there is no pair
		note string // HoldNote(0, "p")
	}{
		{"pair", []PackageChecked{heldWithPair(), boto3}, "boto3",
			"1.44.5 held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11) · p: upgrade with boto3 1.44.5 → botocore 1.44.5"},
		{"member missing", []PackageChecked{heldWithPair()}, "-",
			"1.44.5 held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11); 1.44.5 allowed with boto3 1.44.5"},
		{"member at another version", []PackageChecked{heldWithPair(), older}, "-",
			"1.44.5 held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11); 1.44.5 allowed with boto3 1.44.5"},
		{"held at the installed version", []PackageChecked{stuck()}, "-",
			"held back by holder 2.0 (dep==1.0): upgrading would break it; 1.1 allowed with holder 3.0"},
		{"not held", []PackageChecked{boto3}, "-", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := NewChoice(c.scan)
			with := "-"
			if idx, ok := ch.PairWith(0); ok {
				var names []string
				for _, j := range idx {
					names = append(names, ch.Offer(j).Package.Name)
				}
				with = strings.Join(names, ",")
			}
			if with != c.with {
				t.Errorf("PairWith: %s, want %s", with, c.with)
			}
			if n := ch.HoldNote(0, "p"); n != c.note {
				t.Errorf("HoldNote:\n %q\nwant\n %q", n, c.note)
			}
			if c.with != "-" {
				if n, want := ch.TickPair(0).HoldNote(0, "p"), "upgrading with boto3 1.44.5, which allows 1.44.5; held back by boto3 1.43.11 (botocore<1.44.0,>=1.43.11) otherwise"; n != want {
					t.Errorf("paired HoldNote:\n %q\nwant\n %q", n, want)
				}
			}
		})
	}
}

func TestChosen(t *testing.T) {
	ch := NewChoice([]PackageChecked{free("Zope", "1", "1.1", BumpMinor), heldWithPair(), free("attrs", "1", "2", BumpMajor), free("boto3", "1.43.11", "1.44.5", BumpMinor)})
	var got []string
	for _, u := range ch.TickPair(1).Chosen() {
		got = append(got, u.Name+"=="+u.Target)
	}
	if s := strings.Join(got, " "); s != "boto3==1.44.5 botocore==1.44.5 Zope==1.1" {
		t.Errorf("chosen %s", s)
	}
}
