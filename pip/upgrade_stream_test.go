package pip

import (
	"context"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// TestUpgradeStreamsInstalls holds one download: the package that does not
// need it is installed before it arrives, the one that requires it waits
// for it (then installs natively: the venv has no pip, so a detour through
// pip would fail), and the held one installs once released.
func TestUpgradeStreamsInstalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.py = pythons.Venv(t, piptest.NoPip)
	var pins []string
	for _, s := range []pypitest.WheelSpec{wheel("alpha", "1.0"), wheel("beta", "1.0"), wheel("gamma", "1.0")} {
		f.add(s)
		if _, err := pypitest.WriteWheel(f.local, s); err != nil {
			t.Fatal(err)
		}
		pins = append(pins, s.Name+"=="+s.Version)
	}
	if out, err := outsidePip(t, f.py, append([]string{"install", "-q", "--no-index", "--find-links", f.local}, pins...)...); err != nil {
		t.Fatalf("outside pip install: %v\n%s", err, out)
	}
	pkgs := []Upgrade{f.add(wheel("alpha", "2.0")), f.add(wheel("beta", "2.0", "gamma>=2")), f.add(wheel("gamma", "2.0"))}
	release := f.srv.HoldFile(pkgs[2].Candidate.Filename)
	defer release()
	e := f.open()

	var evs []UpgradeEvent
	var done UpgradeDone
	upgraded := map[string]bool{}
	heldAtAlpha := ""
	timeout := time.AfterFunc(time.Minute, release) // never hang the suite
	defer timeout.Stop()
	for ev := range e.Upgrade(context.Background(), pkgs, f.opts()) {
		evs = append(evs, ev)
		switch ev := ev.(type) {
		case PackageUpgraded:
			upgraded[ev.Name] = true
			if ev.Name == "alpha" {
				heldAtAlpha = ""
				for _, n := range []string{"beta", "gamma"} {
					if upgraded[n] {
						heldAtAlpha += n + " "
					}
				}
				release()
			}
		case UpgradeDone:
			done = ev
		}
	}
	if !timeout.Stop() {
		t.Fatal("gave up waiting for alpha's install while gamma's download was held: installs wait for every download")
	}
	if heldAtAlpha != "" {
		t.Errorf("upgraded while gamma's download was held: %s(beta requires gamma>=2 and must wait for it)", heldAtAlpha)
	}
	if done.Err != nil || done.Upgraded != 3 || done.Failed != 0 {
		t.Fatalf("done = %+v\n%v", done, evs)
	}
	if want := map[string]string{"alpha": "2.0", "beta": "2.0", "gamma": "2.0"}; !equalMaps(f.versions(), want) {
		t.Errorf("versions = %v, want %v", f.versions(), want)
	}
	assertNoPip(t, f.py)
	assertIntact(t, e.Interp)
}
